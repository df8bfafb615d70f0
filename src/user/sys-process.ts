// Process syscalls: exit, ids, signal dispositions and masks (recorded, never delivered), futex for one thread,
// clocks, getrandom, uname and resource limits.
import { EAGAIN, EFAULT, EINVAL, ESRCH, ETIMEDOUT, Errno } from './errno.js';
import type { SyscallHandler, UserKernel } from './kernel.js';
import { isFatalByDefault, signalByNumber } from './signals.js';
import { int, uint, ulong } from './syscall-args.js';
import { SYS } from './syscall-numbers.js';

const SIGKILL = 9;
const SIGSTOP = 19;
const NSIG = 64;
const RLIM_INFINITY = 0xffffffffffffffffn;
const RLIMIT_STACK = 3;
const RLIMIT_NOFILE = 7;
const RLIM_NLIMITS = 16;

const exitGroup: SyscallHandler = (k, a) => {
  k.end = { kind: 'exit', code: int(a[0]) & 0xff };
  return 0;
};

const setTidAddress: SyscallHandler = (k, a) => {
  k.clearChildTid = a[0] ?? 0n;
  return k.pid;
};

const setRobustList: SyscallHandler = (k, a) => {
  if (ulong(a[1]) !== 24) return -EINVAL;
  k.robustList = a[0] ?? 0n;
  return 0;
};

const rtSigaction: SyscallHandler = (k, a) => {
  const sig = int(a[0]);
  const act = ulong(a[1]);
  const oact = ulong(a[2]);
  if (ulong(a[3]) !== 8 || sig < 1 || sig > NSIG || (act !== 0 && (sig === SIGKILL || sig === SIGSTOP))) return -EINVAL;
  const next = act !== 0 ? { handler: k.space.readU64(act), flags: k.space.readU64(act + 8), mask: k.space.readU64(act + 16) } : undefined;
  if (oact !== 0) {
    const old = k.signalActions.get(sig) ?? { handler: 0n, flags: 0n, mask: 0n };
    k.space.writeU64(oact, old.handler);
    k.space.writeU64(oact + 8, old.flags);
    k.space.writeU64(oact + 16, old.mask);
  }
  if (next) k.signalActions.set(sig, next);
  return 0;
};

const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));

const rtSigprocmask: SyscallHandler = (k, a) => {
  const how = int(a[0]);
  const set = ulong(a[1]);
  const oset = ulong(a[2]);
  if (ulong(a[3]) !== 8) return -EINVAL;
  const given = set !== 0 ? k.space.readU64(set) : undefined;
  if (given !== undefined && how !== 0 && how !== 1 && how !== 2) return -EINVAL;
  if (oset !== 0) k.space.writeU64(oset, k.signalMask);
  if (given !== undefined) {
    const m = how === 0 ? k.signalMask | given : how === 1 ? k.signalMask & ~given : given;
    k.signalMask = m & ~UNBLOCKABLE;
  }
  return 0;
};

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;

/** One thread: nobody else can change the word or wake a waiter. */
const futex: SyscallHandler = (k, a) => {
  const uaddr = ulong(a[0]);
  const cmd = int(a[1]) & ~(128 | 256);
  if (cmd === FUTEX_WAIT || cmd === FUTEX_WAIT_BITSET) {
    if (uaddr % 4) return -EINVAL;
    const word = new DataView(k.space.read(uaddr, 4).buffer).getUint32(0, true);
    if (word !== uint(a[2])) return -EAGAIN;
    if (ulong(a[3]) !== 0) return -ETIMEDOUT; // the only thread waits out its timeout: nothing can wake it
    k.end = { kind: 'deadlock', detail: `futex wait on 0x${uaddr.toString(16)} with no other thread to wake it` };
    return 0;
  }
  if (cmd === FUTEX_WAKE || cmd === FUTEX_WAKE_BITSET || cmd === FUTEX_REQUEUE || cmd === FUTEX_CMP_REQUEUE) return 0;
  return -EINVAL;
};

function writeTime(k: UserKernel, va: number, sec: bigint, frac: bigint): void {
  if (va === 0) throw new Errno(EFAULT);
  k.space.writeU64(va, sec);
  k.space.writeU64(va + 8, frac);
}

/** Nanoseconds on clock id, or undefined for an unknown clock. */
function clockNs(k: UserKernel, clock: number): bigint | undefined {
  switch (clock) {
    case 0: // REALTIME
    case 5: // REALTIME_COARSE
    case 11: // TAI
      return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    case 1: // MONOTONIC
    case 4: // MONOTONIC_RAW
    case 6: // MONOTONIC_COARSE
    case 7: // BOOTTIME
      return process.hrtime.bigint();
    case 2: // PROCESS_CPUTIME_ID
    case 3: // THREAD_CPUTIME_ID
      return process.hrtime.bigint() - k.startNs;
    default:
      return undefined;
  }
}

const clockGettime: SyscallHandler = (k, a) => {
  const ns = clockNs(k, int(a[0]));
  if (ns === undefined) return -EINVAL;
  writeTime(k, ulong(a[1]), ns / 1_000_000_000n, ns % 1_000_000_000n);
  return 0;
};

const clockGetres: SyscallHandler = (k, a) => {
  if (clockNs(k, int(a[0])) === undefined) return -EINVAL;
  if (ulong(a[1]) !== 0) writeTime(k, ulong(a[1]), 0n, 1n);
  return 0;
};

const gettimeofday: SyscallHandler = (k, a) => {
  const ns = clockNs(k, 0)!;
  if (ulong(a[0]) !== 0) writeTime(k, ulong(a[0]), ns / 1_000_000_000n, (ns % 1_000_000_000n) / 1000n);
  if (ulong(a[1]) !== 0) writeTime(k, ulong(a[1]), 0n, 0n); // struct timezone: UTC
  return 0;
};

const getrandom: SyscallHandler = (k, a) => {
  if (int(a[2]) & ~7) return -EINVAL;
  const n = Math.min(ulong(a[1]), 33554431);
  const bytes = new Uint8Array(n);
  k.io.random(bytes);
  k.space.write(ulong(a[0]), bytes);
  return n;
};

const UTS_FIELDS = ['Linux', 'ftrace-lab', '6.1.0', '#1 SMP ftrace-lab', 'riscv64', '(none)'];

const uname: SyscallHandler = (k, a) => {
  const buf = new Uint8Array(65 * UTS_FIELDS.length);
  const enc = new TextEncoder();
  UTS_FIELDS.forEach((f, i) => buf.set(enc.encode(f), 65 * i));
  k.space.write(ulong(a[0]), buf);
  return 0;
};

function defaultLimit(resource: number): [bigint, bigint] {
  if (resource === RLIMIT_STACK) return [8n << 20n, RLIM_INFINITY];
  if (resource === RLIMIT_NOFILE) return [1024n, 1024n];
  return [RLIM_INFINITY, RLIM_INFINITY];
}

const prlimit64: SyscallHandler = (k, a) => {
  const pid = int(a[0]);
  const resource = int(a[1]);
  if (pid !== 0 && pid !== k.pid) return -ESRCH;
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  const cur = k.limits.get(resource) ?? defaultLimit(resource);
  const next = ulong(a[2]) !== 0 ? ([k.space.readU64(ulong(a[2])), k.space.readU64(ulong(a[2]) + 8)] as [bigint, bigint]) : undefined;
  if (next && next[0] > next[1]) return -EINVAL;
  if (ulong(a[3]) !== 0) {
    k.space.writeU64(ulong(a[3]), cur[0]);
    k.space.writeU64(ulong(a[3]) + 8, cur[1]);
  }
  if (next) k.limits.set(resource, next);
  return 0;
};

/** A signal sent to this process: ignored, or (default action) the end of it. */
function sendSelf(k: UserKernel, sig: number): number {
  if (sig < 0 || sig > NSIG) return -EINVAL;
  if (sig === 0) return 0;
  const handler = k.signalActions.get(sig)?.handler ?? 0n;
  if (handler === 1n || !isFatalByDefault(sig)) return 0; // SIG_IGN, or a default action that is not fatal
  const signal = signalByNumber(sig);
  k.end = { kind: 'signal', signal, detail: `${signal.name} (${signal.description}) sent by the process to itself` };
  return 0;
}

const kill: SyscallHandler = (k, a) => {
  const pid = int(a[0]);
  return pid === k.pid || pid === 0 || pid === -1 ? sendSelf(k, int(a[1])) : -ESRCH;
};
const tkill: SyscallHandler = (k, a) => (int(a[0]) === k.pid ? sendSelf(k, int(a[1])) : -ESRCH);
const tgkill: SyscallHandler = (k, a) => (int(a[0]) === k.pid && int(a[1]) === k.pid ? sendSelf(k, int(a[2])) : -ESRCH);

const getpid: SyscallHandler = (k) => k.pid;
const getppid: SyscallHandler = () => 1;
const getuid: SyscallHandler = () => process.getuid?.() ?? 0;
const getgid: SyscallHandler = () => process.getgid?.() ?? 0;
const schedYield: SyscallHandler = () => 0;

export const PROCESS_SYSCALLS: Record<number, SyscallHandler> = {
  [SYS.exit]: exitGroup, // one thread: exit ends the process
  [SYS.exit_group]: exitGroup,
  [SYS.set_tid_address]: setTidAddress,
  [SYS.set_robust_list]: setRobustList,
  [SYS.rt_sigaction]: rtSigaction,
  [SYS.rt_sigprocmask]: rtSigprocmask,
  [SYS.futex]: futex,
  [SYS.clock_gettime]: clockGettime,
  [SYS.clock_getres]: clockGetres,
  [SYS.gettimeofday]: gettimeofday,
  [SYS.getrandom]: getrandom,
  [SYS.uname]: uname,
  [SYS.prlimit64]: prlimit64,
  [SYS.getpid]: getpid,
  [SYS.gettid]: getpid,
  [SYS.getppid]: getppid,
  [SYS.getuid]: getuid,
  [SYS.geteuid]: getuid,
  [SYS.getgid]: getgid,
  [SYS.getegid]: getgid,
  [SYS.sched_yield]: schedYield,
  [SYS.kill]: kill,
  [SYS.tkill]: tkill,
  [SYS.tgkill]: tgkill,
};
