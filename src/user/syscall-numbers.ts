// Linux RISC-V (asm-generic) syscall numbers and names, for dispatch and for reporting unknown calls by name.
export const SYS = {
  getcwd: 17, dup: 23, dup3: 24, fcntl: 25, ioctl: 29, mkdirat: 34, unlinkat: 35, faccessat: 48, chdir: 49,
  openat: 56, close: 57, pipe2: 59, getdents64: 61, lseek: 62, read: 63, write: 64, readv: 65, writev: 66,
  pread64: 67, pwrite64: 68, ppoll: 73, readlinkat: 78, newfstatat: 79, fstat: 80, fsync: 82, exit: 93,
  exit_group: 94, set_tid_address: 96, futex: 98, set_robust_list: 99, get_robust_list: 100, nanosleep: 101,
  clock_gettime: 113, clock_getres: 114, clock_nanosleep: 115, sched_getaffinity: 123, sched_yield: 124, kill: 129,
  tkill: 130, tgkill: 131, sigaltstack: 132, rt_sigaction: 134, rt_sigprocmask: 135, rt_sigreturn: 139, times: 153,
  uname: 160, getrlimit: 163, setrlimit: 164, getrusage: 165, prctl: 167, gettimeofday: 169, getpid: 172,
  getppid: 173, getuid: 174, geteuid: 175, getgid: 176, getegid: 177, gettid: 178, sysinfo: 179, brk: 214,
  munmap: 215, mremap: 216, clone: 220, execve: 221, mmap: 222, mprotect: 226, madvise: 233, wait4: 260,
  prlimit64: 261, riscv_hwprobe: 258, riscv_flush_icache: 259, getrandom: 278, statx: 291, rseq: 293, clone3: 435,
} as const;

const NAMES = new Map<number, string>(Object.entries(SYS).map(([name, nr]) => [nr, name]));

/** 'openat' for 56; 'syscall_N' for a number this table does not know. */
export function syscallName(nr: number): string {
  return NAMES.get(nr) ?? `syscall_${nr}`;
}
