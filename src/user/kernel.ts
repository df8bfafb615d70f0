// The host-side kernel of one Linux-user process: its state (memory, files, brk, signals) and syscall dispatch.
import type { AddressSpace, Region } from './address-space.js';
import { ENOSYS, Errno } from './errno.js';
import { FdTable, type MappedFiles, type StdStreams } from './files.js';
import type { GuestSignal } from './signals.js';
import { syscallName } from './syscall-numbers.js';
import { FILE_SYSCALLS } from './sys-files.js';
import { MEMORY_SYSCALLS } from './sys-memory.js';
import { PROCESS_SYSCALLS } from './sys-process.js';

/** A syscall implementation: arguments a0..a5, result (negative = -errno). */
export type SyscallHandler = (k: UserKernel, a: readonly bigint[]) => number | bigint;

const HANDLERS = new Map<number, SyscallHandler>([
  ...Object.entries(FILE_SYSCALLS),
  ...Object.entries(MEMORY_SYSCALLS),
  ...Object.entries(PROCESS_SYSCALLS),
].map(([nr, h]) => [Number(nr), h]));

/** Numbers of the syscalls the host serves. */
export function servedSyscalls(): number[] {
  return [...HANDLERS.keys()].sort((a, b) => a - b);
}

export interface KernelIo extends StdStreams {
  /** One line about the emulation itself (unknown syscall, ...), not guest output. */
  diagnostic(line: string): void;
  /** Fills bytes with random data (getrandom, AT_RANDOM). */
  random(bytes: Uint8Array): void;
}

export interface SignalAction {
  handler: bigint;
  flags: bigint;
  mask: bigint;
}

/** How the process ended. */
export type ProcessEnd =
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: GuestSignal; detail: string }
  | { kind: 'deadlock'; detail: string };

export class UserKernel {
  readonly fds = new FdTable();
  readonly pid: number;
  /** Initial program break and its current value. */
  readonly brkStart: number;
  brk: number;
  brkRegion: Region | undefined;
  readonly signalActions = new Map<number, SignalAction>();
  signalMask = 0n;
  clearChildTid = 0n;
  robustList = 0n;
  readonly limits = new Map<number, [bigint, bigint]>();
  /** Set by exit/exit_group (or a deadlock); the run loop stops. */
  end: ProcessEnd | undefined;
  /** Syscall numbers reported as unknown (each once). */
  readonly unknown = new Set<number>();
  readonly startNs = process.hrtime.bigint();

  constructor(
    readonly space: AddressSpace,
    readonly files: MappedFiles,
    readonly io: KernelIo,
    opts: { brkStart: number; pid: number; exePath: string },
  ) {
    this.brkStart = opts.brkStart;
    this.brk = opts.brkStart;
    this.pid = opts.pid;
    this.exePath = opts.exePath;
  }

  /** Absolute guest path of the executable (readlink /proc/self/exe). */
  readonly exePath: string;


  /** Serves syscall nr; returns the value for a0 (two's complement of -errno on failure). */
  syscall(nr: number, args: readonly bigint[]): bigint {
    const h = HANDLERS.get(nr);
    let r: number | bigint;
    if (!h) {
      if (!this.unknown.has(nr)) {
        this.unknown.add(nr);
        this.io.diagnostic(`unknown syscall ${syscallName(nr)} (${nr}): returning -ENOSYS`);
      }
      r = -ENOSYS;
    } else {
      try {
        r = h(this, args);
      } catch (e) {
        if (!(e instanceof Errno)) throw e;
        r = -e.errno;
      }
    }
    return BigInt.asUintN(64, BigInt(r));
  }
}
