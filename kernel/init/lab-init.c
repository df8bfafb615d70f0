// The lab's init (PID 1) for the real-kernel experiment: runs the kernel's own function tracer on one function,
// counts what it recorded, times traced and untraced calls, prints a summary and powers off.
//
// Built with the kernel's nolibc (tools/include/nolibc) by kernel/build.sh; no C library, static, ~10 KB.
// The experiment comes from the kernel command line: unknown `name=value` parameters reach init as environment
// variables (Documentation/admin-guide/kernel-parameters.rst), so `ftrace-lab boot --append 'lab_calls=50'` sets it.
//
//   lab_func=ksys_write   function to put in set_ftrace_filter
//   lab_tracer=function   tracer to select (function, function_graph)
//   lab_calls=100         write() calls each worker makes while tracing is on
//   lab_cpus=1            workers, one pinned to each CPU 0..n-1 (at most the CPUs online)
//   lab_bench=1000        write() calls per timing run (0 = skip the timing runs)
//
// Expected trace: lab_cpus * lab_calls events + 1 (the write() that turns tracing_on off is traced at its entry).
// Output lines start with "lab: " so the host can find them in the console; the last one is "lab: summary ...".

#include <asm/ioctls.h>

#define TRACING "/sys/kernel/tracing/"

static char buf[8192];

/* TRACING + file into path (nolibc has no strcat) */
static void tracefs_path(char *path, const char *file)
{
	strcpy(path, TRACING);
	strcpy(path + sizeof(TRACING) - 1, file);
}

/* Does line contain word? (nolibc has no strstr) */
static int contains(const char *line, const char *word)
{
	size_t n = strlen(word);

	for (; *line; line++)
		if (!strncmp(line, word, n))
			return 1;
	return 0;
}

static long lab_param(const char *name, long def)
{
	const char *v = getenv(name);
	return v && *v ? atol(v) : def;
}

static const char *lab_str(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

/* Writes s into a tracefs file; returns 0 or -errno. The write() itself is a ksys_write call. */
static int tracefs_write(const char *file, const char *s)
{
	char path[96];
	int fd, n;

	tracefs_path(path, file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* Reads a tracefs file into buf (NUL-terminated, truncated to the buffer); returns its full length or -errno. */
static long tracefs_read(const char *file, long (*each_line)(const char *line, long len))
{
	char path[96];
	long total = 0, acc = 0, n, start, i, keep = 0;
	int fd;

	tracefs_path(path, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + keep, sizeof(buf) - 1 - keep)) > 0) {
		n += keep;
		total += n - keep;
		start = 0;
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n')
				continue;
			buf[i] = 0;
			if (each_line)
				acc += each_line(buf + start, i - start);
			start = i + 1;
		}
		keep = n - start;
		memmove(buf, buf + start, keep);
		if (keep == (long)sizeof(buf) - 1)
			keep = 0; /* a line longer than the buffer: drop it */
	}
	close(fd);
	return each_line ? acc : total;
}

static const char *lab_function;

/* One trace line: "  <task>-<pid> [cpu] flags  timestamp: function <-parent". Counts lines naming our function. */
static long count_event(const char *line, long len)
{
	if (len == 0 || line[0] == '#')
		return 0;
	return contains(line, lab_function);
}

static long print_line(const char *line, long len)
{
	printf("lab: enabled %s\n", line);
	return len >= 0;
}

static long now_ns(void)
{
	struct timespec ts;

	my_syscall2(__NR_clock_gettime, CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void pin_to_cpu(int cpu)
{
	unsigned long mask = 1UL << cpu;

	my_syscall3(__NR_sched_setaffinity, 0, sizeof(mask), &mask);
}

/* n write() calls of one byte to /dev/null: each is one ksys_write. */
static void make_calls(int fd, long n)
{
	long i;

	for (i = 0; i < n; i++)
		write(fd, "x", 1);
}

/* Runs make_calls on CPUs 0..cpus-1 in parallel (forked workers) and waits for all of them. */
static void calls_on_cpus(int fd, long calls, int cpus)
{
	int i, status;

	if (cpus <= 1) {
		make_calls(fd, calls);
		return;
	}
	for (i = 0; i < cpus; i++) {
		if (fork() == 0) {
			pin_to_cpu(i);
			make_calls(fd, calls);
			exit(0);
		}
	}
	for (i = 0; i < cpus; i++)
		wait(&status);
}

static long timed_calls(int fd, long n)
{
	long t0 = now_ns();

	make_calls(fd, n);
	return now_ns() - t0;
}

static int online_cpus(void)
{
	unsigned long mask[4] = { 0 };
	long n = my_syscall3(__NR_sched_getaffinity, 0, sizeof(mask), mask);
	int i, count = 0;

	for (i = 0; n > 0 && i < n * 8; i++)
		count += (mask[i / 64] >> (i % 64)) & 1;
	return count;
}

static void power_off(int failed)
{
	ioctl(1, TCSBRK, (void *)1); /* tcdrain(): an IRQ-less UART would lose the last bytes */
	my_syscall0(__NR_sync);
	reboot(failed ? LINUX_REBOOT_CMD_RESTART : LINUX_REBOOT_CMD_POWER_OFF);
	for (;;)
		sched_yield();
}

int main(void)
{
	const char *tracer = lab_str("lab_tracer", "function");
	long calls = lab_param("lab_calls", 100);
	long bench = lab_param("lab_bench", 1000);
	int cpus = (int)lab_param("lab_cpus", 1);
	int online, fd, err;
	long events, expected, t_off = 0, t_idle = 0, t_on = 0;

	lab_function = lab_str("lab_func", "ksys_write");
	if (mount("proc", "/proc", "proc", 0, 0) < 0 || mount("tracefs", TRACING, "tracefs", 0, 0) < 0) {
		printf("lab: FAIL mounting proc/tracefs: errno %d\n", errno);
		power_off(1);
	}
	online = online_cpus();
	if (cpus < 1)
		cpus = 1;
	if (cpus > online)
		cpus = online;
	fd = open("/dev/null", O_WRONLY);
	printf("lab: experiment func=%s tracer=%s calls=%ld cpus=%d online=%d bench=%ld\n",
	       lab_function, tracer, calls, cpus, online, bench);

	/* untraced cost: the site is still the compiler's nops */
	if (bench > 0)
		t_off = timed_calls(fd, bench);

	err = tracefs_write("tracing_on", "0");
	if (!err)
		err = tracefs_write("set_ftrace_filter", lab_function);
	if (!err)
		err = tracefs_write("current_tracer", tracer); /* the kernel patches the site here (stop_machine) */
	if (err) {
		printf("lab: FAIL setting up the tracer: errno %d\n", -err);
		power_off(1);
	}
	tracefs_read("enabled_functions", print_line);

	/* patched but not recording: the site calls ftrace_caller, the tracer drops the event */
	if (bench > 0)
		t_idle = timed_calls(fd, bench);

	tracefs_write("tracing_on", "1"); /* this write() enters ksys_write before tracing is on: not recorded */
	calls_on_cpus(fd, calls, cpus);
	tracefs_write("tracing_on", "0"); /* recorded at its entry: the +1 */

	events = tracefs_read("trace", count_event);
	expected = (long)cpus * calls + 1;
	printf("lab: trace events=%ld expected=%ld\n", events, expected);

	/* traced cost: every call records an event (the ring buffer is emptied first) */
	if (bench > 0) {
		tracefs_write("trace", "");
		tracefs_write("tracing_on", "1");
		t_on = timed_calls(fd, bench);
		tracefs_write("tracing_on", "0");
		printf("lab: cost calls=%ld nops_ns=%ld patched_off_ns=%ld tracing_ns=%ld\n", bench, t_off, t_idle, t_on);
	}

	tracefs_write("current_tracer", "nop"); /* the kernel restores the nops (stop_machine again) */
	printf("lab: summary %s events=%ld expected=%ld\n", events == expected ? "ok" : "FAIL", events, expected);
	close(fd);
	power_off(events != expected);
	return 0;
}
