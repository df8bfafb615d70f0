// One Linux-user process on the emulated hart: builds its address space, enters U-mode under Sv39, and runs it,
// serving every ecall on the host and turning other U-mode exceptions into page-ins or a signal death.
import { randomFillSync } from 'node:crypto';
import { type EngineExports, instantiateEngine } from '../machine/engine.js';
import { Machine, MTIME_DIVISOR } from '../machine/machine.js';
import {
  CTRL_BASE, CTRL_FLAG_HOST_ECALL, CTRL_FLAGS, DEFAULT_RAM_SIZE, H_FAULT_CAUSE, H_FAULT_INSN, H_FAULT_PC, H_FAULT_TVAL,
  H_PRIV, HART_BASE, STOP_BUDGET, STOP_ECALL, STOP_UART_FULL, STOP_USER_TRAP,
} from '../machine/layout.js';
import { type Access, AddressSpace } from './address-space.js';
import { UserError } from './errors.js';
import { MappedFiles } from './files.js';
import {
  AT_BASE, AT_CLKTCK, AT_EGID, AT_ENTRY, AT_EUID, AT_FLAGS, AT_GID, AT_HWCAP, AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM,
  AT_SECURE, AT_UID, HWCAP_RV64GC, buildInitialStack,
} from './initial-stack.js';
import { type KernelIo, UserKernel } from './kernel.js';
import { PROT_READ, PROT_WRITE } from './page-table.js';
import { PhysicalRam } from './physical-ram.js';
import { loadProgramImage, parseUserElf } from './program-image.js';
import { type GuestSignal, signalForTrap } from './signals.js';

/** Top of the initial stack (just below 2^38, the end of Sv39 user space) and the stack region's size. */
export const STACK_TOP = 0x3ffffff000;
export const STACK_SIZE = 8 << 20;
export const DEFAULT_USER_SLICE = 1_000_000;
export const DEFAULT_USER_MAX_INSNS = 1e11;

export interface UserProcessOptions {
  /** argv; argv[0] is the program name the guest sees (default 'prog'). */
  argv?: string[];
  /** Environment as 'K=V' strings or a record (default none). */
  env?: string[] | Record<string, string>;
  /** Read-only files the guest may open: guest path -> contents. */
  files?: Record<string, Uint8Array> | Map<string, Uint8Array>;
  /** Standard streams and diagnostics (default: stdin empty, output collected in the result). */
  io?: Partial<KernelIo>;
  /** Guest RAM in bytes (frames for pages and page tables); default 128 MiB. */
  ram?: number;
  /** Process id the guest sees (default 1000). */
  pid?: number;
  /** Absolute guest path of the executable for readlink(/proc/self/exe) (default: argv[0] made absolute). */
  exePath?: string;
}

export interface UserRunResult {
  /** exited: exit/exit_group; signaled: killed by a fault; budget: maxInsns ran out; deadlock: would sleep forever. */
  status: 'exited' | 'signaled' | 'budget' | 'deadlock';
  /** Exit code (0..255) when exited; 128 + signal number when signaled, like a shell reports it. */
  exitCode: number;
  signal?: GuestSignal;
  /** Why the process died (signal or deadlock), one line. */
  detail?: string;
  /** Instructions retired in this run() call. */
  instructions: number;
  /** Collected stdout/stderr when no io.writeStdout/io.writeStderr was given. */
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Syscall numbers that were answered with ENOSYS. */
  unknownSyscalls: number[];
}

const CAUSE_FETCH_PAGE = 12n;
const CAUSE_LOAD_PAGE = 13n;
const CAUSE_STORE_PAGE = 15n;
const PAGE_FAULT_ACCESS: Record<string, Access> = { '12': 'fetch', '13': 'load', '15': 'store' };

type UserEngine = EngineExports & { flushTlb(hart: number): void };

/** Collects byte chunks. */
class ByteSink {
  private readonly parts: Uint8Array[] = [];
  push = (b: Uint8Array): void => {
    this.parts.push(b.slice());
  };
  bytes(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

export class UserProcess {
  readonly machine: Machine;
  readonly space: AddressSpace;
  readonly kernel: UserKernel;
  private readonly engine: UserEngine;
  private readonly stdout = new ByteSink();
  private readonly stderr = new ByteSink();
  private readonly view: DataView;

  constructor(elfBytes: Uint8Array, opts: UserProcessOptions = {}) {
    const elf = parseUserElf(elfBytes);
    const ram = opts.ram ?? DEFAULT_RAM_SIZE;
    this.machine = Machine.create({ ram, harts: 1, recordSchedule: false });
    this.engine = instantiateEngine(this.machine.wasm) as UserEngine;
    if (typeof this.engine.flushTlb !== 'function') {
      throw new UserError('USER_BAD_OPTION', 'the built engine has no flushTlb export: rebuild it (npm run build:wasm)');
    }
    this.view = new DataView(this.machine.wasm.buffer);
    this.space = new AddressSpace(new PhysicalRam(this.machine.wasm, ram));
    const image = loadProgramImage(this.space, elf);

    const argv = opts.argv && opts.argv.length > 0 ? opts.argv : ['prog'];
    const files = new MappedFiles();
    for (const [path, data] of opts.files instanceof Map ? opts.files : Object.entries(opts.files ?? {})) files.add(path, data);
    const io: KernelIo = {
      readStdin: opts.io?.readStdin ?? (() => new Uint8Array(0)),
      writeStdout: opts.io?.writeStdout ?? this.stdout.push,
      writeStderr: opts.io?.writeStderr ?? this.stderr.push,
      diagnostic: opts.io?.diagnostic ?? (() => {}),
      random: opts.io?.random ?? ((b) => randomFillSync(b)),
    };
    const pid = opts.pid ?? 1000;
    this.kernel = new UserKernel(this.space, files, io, { brkStart: image.brkStart, pid, exePath: opts.exePath ?? MappedFiles.normalize(argv[0]!) });

    this.space.reserve(STACK_TOP - STACK_SIZE, STACK_TOP, PROT_READ | PROT_WRITE, 'stack');
    const env = Array.isArray(opts.env) ? opts.env : Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const random = new Uint8Array(16);
    io.random(random);
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    const stack = buildInitialStack(this.space, STACK_TOP, {
      argv,
      envp: env,
      execfn: argv[0]!,
      random,
      auxv: [
        [AT_PHDR, image.phdr], [AT_PHENT, image.phent], [AT_PHNUM, image.phnum], [AT_PAGESZ, 4096],
        [AT_BASE, 0], [AT_FLAGS, 0], [AT_ENTRY, image.entry], [AT_UID, uid], [AT_EUID, uid], [AT_GID, gid],
        [AT_EGID, gid], [AT_HWCAP, HWCAP_RV64GC], [AT_CLKTCK, 100], [AT_SECURE, 0],
      ],
    });
    this.enterUserMode(image.entry, stack.sp);
  }

  /** Hart 0 at entry in U-mode with Sv39 on, counters readable, the FPU on, and U-mode traps served by the host. */
  private enterUserMode(entry: number, sp: number): void {
    this.machine.resetHart(0, entry);
    const hart = this.machine.hart(0);
    hart.setCsr('satp', this.space.satp);
    hart.setCsr('mcounteren', 7);
    hart.setCsr('scounteren', 7);
    hart.setCsr('mstatus', hart.csr('mstatus') | (1n << 13n)); // FS = Initial (ignored while the engine has no FPU)
    hart.setX('sp', sp);
    this.view.setUint32(CTRL_BASE + CTRL_FLAGS, this.view.getUint32(CTRL_BASE + CTRL_FLAGS, true) | CTRL_FLAG_HOST_ECALL, true);
    this.view.setUint32(HART_BASE + H_PRIV, 0, true);
    this.engine.flushTlb(0);
  }

  private mtimeRemainder = 0;

  /** The CLINT clock (rdtime, trace timestamps) follows retired instructions, as in the machine's deterministic mode. */
  private advanceTime(insns: number): void {
    const t = this.mtimeRemainder + insns;
    this.mtimeRemainder = t % MTIME_DIVISOR;
    if (t >= MTIME_DIVISOR) this.machine.clint.mtime += BigInt(Math.floor(t / MTIME_DIVISOR));
  }

  /** Runs until exit, a fatal signal, a deadlock or maxInsns instructions. May be called again after 'budget'. */
  run(opts: { maxInsns?: number; slice?: number } = {}): UserRunResult {
    const maxInsns = opts.maxInsns ?? DEFAULT_USER_MAX_INSNS;
    const slice = opts.slice ?? DEFAULT_USER_SLICE;
    if (!(maxInsns >= 0) || !Number.isFinite(maxInsns)) throw new UserError('USER_BAD_OPTION', `maxInsns must be a finite number >= 0, got ${maxInsns}`);
    if (!Number.isInteger(slice) || slice < 1 || slice > 0x7fffffff) throw new UserError('USER_BAD_OPTION', `slice must be an integer from 1 to 2^31-1, got ${slice}`);
    const hart = this.machine.hart(0);
    let total = 0;
    while (!this.kernel.end) {
      if (total >= maxInsns) return this.result('budget', total);
      const stop = this.engine.run(0, Math.min(slice, maxInsns - total));
      total += hart.lastRun;
      this.advanceTime(hart.lastRun);
      if (stop === STOP_ECALL) this.serveEcall();
      else if (stop === STOP_USER_TRAP) this.serveTrap();
      else if (stop !== STOP_BUDGET && stop !== STOP_UART_FULL) {
        this.die(signalForTrap(2n), `engine stopped with reason ${stop} at pc 0x${hart.pc.toString(16)}`);
      }
      this.syncMappings();
    }
    const end = this.kernel.end;
    return this.result(end.kind === 'exit' ? 'exited' : end.kind === 'signal' ? 'signaled' : 'deadlock', total);
  }

  private die(signal: GuestSignal, detail: string): void {
    this.kernel.end = { kind: 'signal', signal, detail };
  }

  private result(status: UserRunResult['status'], instructions: number): UserRunResult {
    const end = this.kernel.end;
    const exitCode = end?.kind === 'exit' ? end.code : end?.kind === 'signal' ? 128 + end.signal.number : 0;
    return {
      status,
      exitCode,
      ...(end?.kind === 'signal' ? { signal: end.signal, detail: end.detail } : {}),
      ...(end?.kind === 'deadlock' ? { detail: end.detail } : {}),
      instructions,
      stdout: this.stdout.bytes(),
      stderr: this.stderr.bytes(),
      unknownSyscalls: [...this.kernel.unknown],
    };
  }

  private serveEcall(): void {
    const hart = this.machine.hart(0);
    const args = [10, 11, 12, 13, 14, 15].map((r) => hart.x(r));
    const nr = Number(hart.x(17));
    let result: bigint;
    try {
      result = this.kernel.syscall(nr, args);
    } catch (e) {
      if (e instanceof UserError && e.code === 'USER_OUT_OF_MEMORY') {
        this.die(signalForTrap(CAUSE_STORE_PAGE), e.message);
        return;
      }
      throw e;
    }
    if (this.kernel.end) return;
    hart.setX(10, result);
    hart.pc = hart.pc + 4n;
  }

  private serveTrap(): void {
    const cause = this.view.getBigUint64(HART_BASE + H_FAULT_CAUSE, true);
    const tval = this.view.getBigUint64(HART_BASE + H_FAULT_TVAL, true);
    const pc = this.view.getBigUint64(HART_BASE + H_FAULT_PC, true);
    const access = PAGE_FAULT_ACCESS[cause.toString()];
    if (access && (cause === CAUSE_FETCH_PAGE || cause === CAUSE_LOAD_PAGE || cause === CAUSE_STORE_PAGE)) {
      try {
        if (tval < 2n ** 53n && this.space.handleFault(Number(tval), access)) return; // paged in: retry
      } catch (e) {
        if (!(e instanceof UserError && e.code === 'USER_OUT_OF_MEMORY')) throw e;
      }
    }
    const insn = this.view.getUint32(HART_BASE + H_FAULT_INSN, true);
    const signal = signalForTrap(cause);
    this.die(signal, `${signal.name} (${signal.description}): cause ${cause} at pc 0x${pc.toString(16)} insn 0x${insn.toString(16).padStart(8, '0')} addr 0x${tval.toString(16)}`);
  }

  /** After page-table changes: forget stale translations (TLB) and stale decoded code (freed executable frames). */
  private syncMappings(): void {
    if (this.space.tlbDirty) {
      this.engine.flushTlb(0);
      this.space.tlbDirty = false;
    }
    if (this.space.icacheDirty) {
      this.engine.flushIcache(0);
      this.space.icacheDirty = false;
    }
  }
}

/** Loads and runs a static Linux ELF to completion (or maxInsns). */
export function runUserProgram(elfBytes: Uint8Array, opts: UserProcessOptions & { maxInsns?: number; slice?: number } = {}): UserRunResult {
  return new UserProcess(elfBytes, opts).run({ ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}), ...(opts.slice !== undefined ? { slice: opts.slice } : {}) });
}
