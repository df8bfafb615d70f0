// The emulated machine: one shared memory with RAM, devices and harts; loads programs and runs harts in slices.
import { parseElf } from '../elf/reader.js';
import type { ElfImage } from '../elf/types.js';
import type { AssembledProgram } from '../isa/index.js';
import { Clint, drainUart } from './devices.js';
import { type EngineExports, instantiateEngine } from './engine.js';
import { MachineError } from './errors.js';
import { type FaultReport, Hart } from './hart.js';
import {
  CTRL_BASE, CTRL_EXIT, CTRL_EXIT_CODE, CTRL_FROMHOST, CTRL_TOHOST, DEFAULT_RAM_SIZE, MAX_HARTS, PAGE_SIZE,
  RAM_GUEST_BASE, RAM_WASM_BASE, STOP_BREAKPOINT, STOP_BUDGET, STOP_ERROR, STOP_FAULT_LOOP, STOP_HALTED,
  STOP_PAUSE, STOP_UART_FULL, STOP_WFI,
} from './layout.js';
import { type LoadedProgram, loadAssembled, loadElfImage } from './loader.js';
import { GuestMemory } from './memory.js';

export interface MachineOptions {
  /** Bytes of guest RAM at 0x8000_0000 (multiple of 4 KiB, 64 KiB .. 2 GiB); default 128 MiB. */
  ram?: number;
  /** Number of harts (1..32); default 1. Harts > 1 run round-robin in the calling thread. */
  harts?: number;
  /** Called with UART output as it is drained (in addition to accumulating it). */
  onUart?: (text: string) => void;
}

export interface RunOptions {
  /** Stop after this many instructions in total (all harts); default 1e10. */
  maxInsns?: number;
  /** Instructions per engine call (V8 tiers up between calls); default DEFAULT_SLICE. */
  slice?: number;
}

export type StopReason = 'halted' | 'budget' | 'wfi' | 'breakpoint' | 'fault' | 'pause';

export interface RunResult {
  reason: StopReason;
  /** Guest exit code (tohost value >> 1) when halted. */
  exitCode?: number;
  /** Raw tohost value when halted. */
  exitValue?: bigint;
  /** Instructions retired by all harts during this run() call. */
  instructions: number;
  harts: { instructions: number }[];
  /** The hart that stopped the run (halt, fault, breakpoint). */
  hart?: number;
  fault?: FaultReport;
}

/** Instructions per engine call: long enough to amortise the call, short enough for V8 to tier up early. */
export const DEFAULT_SLICE = 1_000_000;
export const DEFAULT_MAX_INSNS = 1e10;
/** CLINT timebase: mtime advances by one tick per MTIME_DIVISOR retired instructions (of the busiest hart). */
export const MTIME_DIVISOR = 100;
const MAX_RAM = 0x80000000;

export class Machine {
  readonly memory: GuestMemory;
  readonly harts: Hart[];
  readonly clint: Clint;
  private readonly engine: EngineExports;
  private readonly decoder = new TextDecoder();
  private uartText = '';
  private readonly onUart: ((text: string) => void) | undefined;
  private mtimeRemainder = 0;
  private readonly waiting: boolean[];

  private constructor(
    readonly wasm: WebAssembly.Memory,
    ram: number,
    nharts: number,
    onUart: ((text: string) => void) | undefined,
  ) {
    this.engine = instantiateEngine(wasm);
    this.engine.init(nharts, BigInt(ram));
    this.memory = new GuestMemory(wasm, ram);
    this.clint = new Clint(wasm);
    this.harts = Array.from({ length: nharts }, (_, i) => new Hart(i, wasm, this.engine));
    this.waiting = new Array<boolean>(nharts).fill(false);
    this.onUart = onUart;
  }

  static create(opts: MachineOptions = {}): Machine {
    const ram = opts.ram ?? DEFAULT_RAM_SIZE;
    const harts = opts.harts ?? 1;
    if (!Number.isInteger(ram) || ram < 0x10000 || ram > MAX_RAM || ram % 4096 !== 0) {
      throw new MachineError('MACHINE_BAD_OPTION', `ram must be a multiple of 4 KiB between 64 KiB and 2 GiB, got ${ram}`);
    }
    if (!Number.isInteger(harts) || harts < 1 || harts > MAX_HARTS) {
      throw new MachineError('MACHINE_BAD_OPTION', `harts must be an integer from 1 to ${MAX_HARTS}, got ${harts}`);
    }
    const pages = Math.ceil((RAM_WASM_BASE + ram + PAGE_SIZE) / PAGE_SIZE);
    const wasm = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    return new Machine(wasm, ram, harts, opts.onUart);
  }

  hart(i = 0): Hart {
    const h = this.harts[i];
    if (!h) throw new MachineError('MACHINE_BAD_HART', `no hart ${i} (machine has ${this.harts.length})`);
    return h;
  }

  private get ctrl(): DataView {
    return new DataView(this.wasm.buffer, CTRL_BASE);
  }

  /** Parses and loads an ELF file; every hart restarts at its entry in M-mode. */
  loadElf(bytes: Uint8Array): ElfImage {
    const image = parseElf(bytes, { ram: { base: RAM_GUEST_BASE, size: this.memory.size } });
    this.loadImage(image);
    return image;
  }

  loadImage(image: ElfImage): void {
    this.start(loadElfImage(this.memory, image));
  }

  /** Loads an assembled program (tohost/fromhost from its symbols); harts restart at its entry. */
  loadProgram(prog: AssembledProgram): void {
    this.start(loadAssembled(this.memory, prog));
  }

  private start(p: LoadedProgram): void {
    this.setTohost(p.tohost, p.fromhost);
    for (const h of this.harts) this.engine.resetHart(h.index, BigInt(p.entry));
    this.waiting.fill(false);
  }

  /** Guest address the engine watches for HTIF exit writes (undefined = none). */
  setTohost(tohost: number | undefined, fromhost?: number): void {
    const c = this.ctrl;
    c.setBigUint64(CTRL_TOHOST, BigInt(tohost ?? 0), true);
    c.setBigUint64(CTRL_FROMHOST, BigInt(fromhost ?? 0), true);
    c.setUint32(CTRL_EXIT, 0, true);
    c.setBigUint64(CTRL_EXIT_CODE, 0n, true);
  }

  /** Restarts one hart at pc in M-mode with zeroed registers/CSRs and an empty decode cache. */
  resetHart(hart: number, pc: number | bigint): void {
    this.engine.resetHart(this.hart(hart).index, BigInt(pc));
    this.waiting[hart] = false;
  }

  flushIcache(hart: number): void {
    this.hart(hart).flushIcache();
  }

  minstret(hart = 0): bigint {
    return this.hart(hart).minstret;
  }

  /** UART output so far (accumulated). */
  get uartOutput(): string {
    this.pollUart();
    return this.uartText;
  }

  /** Returns and forgets the accumulated UART output. */
  takeUartOutput(): string {
    this.pollUart();
    const t = this.uartText;
    this.uartText = '';
    return t;
  }

  private pollUart(): void {
    const bytes = drainUart(this.wasm);
    if (bytes.length === 0) return;
    const text = this.decoder.decode(bytes, { stream: true });
    this.uartText += text;
    this.onUart?.(text);
  }

  /** Raw tohost exit value (0 while running). */
  get exitValue(): bigint {
    return this.ctrl.getBigUint64(CTRL_EXIT_CODE, true);
  }

  private canWake(h: Hart): boolean {
    return (h.csr(0x344) & h.csr(0x304)) !== 0n;
  }

  /** If every hart waits in wfi, jumps mtime to the earliest enabled timer; false if none would ever wake. */
  private skipIdleTime(): boolean {
    let next: bigint | undefined;
    for (const h of this.harts) {
      if ((h.csr(0x304) & 0x80n) === 0n) continue;
      const cmp = this.clint.mtimecmp(h.index);
      if (next === undefined || cmp < next) next = cmp;
    }
    if (next === undefined || next === 0xffffffffffffffffn) return false;
    if (next > this.clint.mtime) this.clint.mtime = next;
    return true;
  }

  private advanceTime(insns: number): void {
    const t = this.mtimeRemainder + insns;
    this.mtimeRemainder = t % MTIME_DIVISOR;
    this.clint.mtime += BigInt(Math.floor(t / MTIME_DIVISOR));
  }

  /** Runs the harts until halt, fault, breakpoint, pause, everyone idle, or maxInsns instructions. */
  run(opts: RunOptions = {}): RunResult {
    const maxInsns = opts.maxInsns ?? DEFAULT_MAX_INSNS;
    const slice = opts.slice ?? DEFAULT_SLICE;
    if (!(maxInsns >= 0) || !Number.isFinite(maxInsns)) {
      throw new MachineError('MACHINE_BAD_OPTION', `maxInsns must be a finite number >= 0, got ${maxInsns}`);
    }
    if (!Number.isInteger(slice) || slice < 1 || slice > 0x7fffffff) {
      throw new MachineError('MACHINE_BAD_OPTION', `slice must be an integer from 1 to 2^31-1, got ${slice}`);
    }
    const per = this.harts.map(() => ({ instructions: 0 }));
    let total = 0;
    const result = (reason: StopReason, extra: Partial<RunResult> = {}): RunResult => {
      this.pollUart();
      return { reason, instructions: total, harts: per, ...extra };
    };
    for (;;) {
      let roundMax = 0;
      let active = 0;
      for (const h of this.harts) {
        if (total >= maxInsns) return result('budget');
        if (this.waiting[h.index]) {
          if (!this.canWake(h)) continue;
          this.waiting[h.index] = false;
        }
        active++;
        const budget = Math.min(slice, maxInsns - total);
        const stop = this.engine.run(h.index, budget);
        const n = h.lastRun;
        total += n;
        per[h.index]!.instructions += n;
        roundMax = Math.max(roundMax, n);
        this.pollUart();
        switch (stop) {
          case STOP_BUDGET:
          case STOP_UART_FULL:
            break;
          case STOP_WFI:
            this.waiting[h.index] = true;
            break;
          case STOP_HALTED: {
            const v = this.exitValue;
            return result('halted', { exitValue: v, exitCode: Number(v >> 1n), hart: h.index });
          }
          case STOP_FAULT_LOOP:
            return result('fault', { fault: h.faultReport(), hart: h.index });
          case STOP_BREAKPOINT:
            return result('breakpoint', { hart: h.index });
          case STOP_PAUSE:
            return result('pause', { hart: h.index });
          case STOP_ERROR:
          default:
            throw new MachineError('MACHINE_ENGINE_ERROR', `engine stopped hart ${h.index} with reason ${stop}`);
        }
      }
      this.advanceTime(roundMax);
      if (active === 0 && !this.skipIdleTime()) return result('wfi');
    }
  }
}
