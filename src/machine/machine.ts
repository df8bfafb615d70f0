// The emulated machine: one shared memory with RAM, devices and harts; loads programs and runs harts in slices.
import { parseElf } from '../elf/reader.js';
import type { ElfImage } from '../elf/types.js';
import type { AssembledProgram } from '../isa/index.js';
import { BreakpointList } from './breakpoints.js';
import { Clint, drainUart } from './devices.js';
import { type EngineExports, engineModule, instantiateEngine } from './engine.js';
import { machinePlatform } from './platform.js';
import { newEngineTable } from './engine-instance.js';
import { Jit, type JitStats } from './jit/jit.js';
import { MachineError } from './errors.js';
import { type FaultReport, Hart } from './hart.js';
import {
  CTRL_BASE, CTRL_EXIT, CTRL_EXIT_CODE, CTRL_FLAG_COHERENT, CTRL_FLAG_FETCH_PARCELS, CTRL_FLAG_JIT, CTRL_FLAG_WALL_CLOCK, CTRL_FLAGS,
  CTRL_FROMHOST, CTRL_TOHOST, DEFAULT_RAM_SIZE, MAX_HARTS, PAGE_SIZE,
  RAM_GUEST_BASE, RAM_WASM_BASE, SB_CAP, SB_ENTRIES, SB_HART_INSNS, SB_MTIME_DIV, SB_MTIME_REM, SB_PARTIES, SB_PRNG, SB_QUANTUM, SB_RUNNABLE, SCHED_BATCH_BASE,
  SCHED_BATCH_MAX, STOP_BREAKPOINT, STOP_BUDGET, STOP_ERROR, STOP_FAULT_LOOP, STOP_HALTED,
  STOP_PAUSE, STOP_UART_FULL, STOP_WFI, WS_DONE, WS_PAUSED, WS_RUNNING, WS_WFI,
} from './layout.js';
import { type LoadedProgram, loadAssembled, loadElfImage } from './loader.js';
import { GuestMemory } from './memory.js';
import { ParallelRunner } from './parallel/parallel-runner.js';
import { AGENT, DeterministicScheduler, type ScheduleStep, type ScheduleStrategy } from './sched/deterministic.js';
import type { HostAgent } from './sched/host-agent.js';
import { type HostAction, runHostAction } from './sched/host-action.js';
import { installBootInfo, setBootRegisters } from '../board/boot-info.js';

export interface MachineOptions {
  /** Bytes of guest RAM at 0x8000_0000 (multiple of 4 KiB, 64 KiB .. 2 GiB); default 128 MiB. */
  ram?: number;
  /** Number of harts (1..32); default 1. */
  harts?: number;
  /**
   * 'deterministic' (default): every hart runs in the calling thread; a seeded PRNG picks the next hart and how
   * many instructions it runs (1..quantum); same program + seed = same schedule and final state.
   * 'parallel': one worker per hart on the shared memory (use `await machine.start()`).
   */
  mode?: MachineMode;
  /** Seed of the deterministic scheduler (default 0). */
  seed?: number | string;
  /** Largest slice of one scheduling decision (deterministic mode); default 1,000,000 for one hart, 1,000 for more. */
  quantum?: number;
  /** Replay this schedule (from `scheduleLog()` / DeterministicScheduler.parseLog) instead of drawing one. */
  replay?: readonly Pick<ScheduleStep, 'hart' | 'budget'>[];
  /** Record every scheduling decision (deterministic mode; default true when harts > 1). */
  recordSchedule?: boolean;
  /** Draw the deterministic schedule with this strategy (the checker's searches) instead of the seeded PRNG. */
  strategy?: ScheduleStrategy;
  /** Called with UART output as it is drained (in addition to accumulating it). */
  onUart?: (text: string) => void;
  /**
   * Coherent instruction fetch (oracle mode): every store, by a hart or the host, empties the decode
   * cache of each hart holding the stored-to page, so modified code is seen without fence.i.
   * Default false: each hart keeps executing what it decoded until its own fence.i.
   */
  coherent?: boolean;
  /**
   * Instruction fetch granularity. 'ziccif' (default): a naturally aligned 32-bit instruction is fetched with one
   * single-copy-atomic load, so a concurrent aligned rewrite is seen wholly old or wholly new (RISC-V Ziccif); only a
   * 32-bit instruction at an address = 2 mod 4 is two parcels. 'parcels': every 32-bit instruction is fetched as two
   * 16-bit parcels that a concurrent writer may tear (the ARMv7 Thumb-2 model the safety checker needs).
   */
  fetch?: FetchGranularity;
  /**
   * 'jit' (default): hot blocks are compiled to Wasm functions (src/machine/jit/, assembly/README.md "Compiled
   * blocks"); same registers, memory, output and instruction counts as the interpreter. 'interp': the interpreter
   * only. Parallel machines interpret in their workers either way (compiled blocks run in the calling thread).
   */
  engine?: EngineKind;
}

export type FetchGranularity = 'ziccif' | 'parcels';
export type EngineKind = 'interp' | 'jit';

export interface RunOptions {
  /** Stop after this many instructions in total (all harts); default 1e10. */
  maxInsns?: number;
  /** Instructions per engine call (V8 tiers up between calls); default DEFAULT_SLICE. */
  slice?: number;
  /** Deterministic mode: checked after every scheduling decision; when it returns true the run stops ('until'). */
  until?: () => boolean;
  /**
   * Deterministic mode: checked after every host agent step only; when it returns true the run stops ('until').
   * Unlike `until`, it lets the scheduler run hart decisions in batches (one engine call for many decisions).
   */
  untilAfterAgentStep?: () => boolean;
}

export type MachineMode = 'deterministic' | 'parallel';

export type StopReason = 'halted' | 'budget' | 'wfi' | 'breakpoint' | 'fault' | 'pause' | 'schedule-end' | 'until';

/** What one hart is doing (hartState): 'idle' = no run in progress (parallel) or never run. */
export type HartRunState = 'idle' | 'running' | 'wfi' | 'paused' | 'done';

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
/** Engine of Machine.create without an `engine` option. */
export const DEFAULT_ENGINE: EngineKind = 'jit';
/** Default quantum of the deterministic scheduler with several harts. */
export const DEFAULT_QUANTUM = 1_000;
/** Instructions per engine call in parallel mode: bounds pause latency to about one slice. */
export const PARALLEL_SLICE = 100_000;
/** CLINT timebase in deterministic mode: one mtime tick per MTIME_DIVISOR instructions retired per hart. */
export const MTIME_DIVISOR = 100;
/** Deterministic mode: the UART ring is drained after every stop and every UART_POLL_STEPS decisions. */
const UART_POLL_STEPS = 1024;
const MAX_RAM = 0x80000000;

export class Machine {
  readonly memory: GuestMemory;
  readonly harts: Hart[];
  readonly clint: Clint;
  /** Debugger breakpoints, checked by every hart before it executes an address (runs stop with 'breakpoint'). */
  readonly breakpoints: BreakpointList;
  private readonly engine: EngineExports;
  private readonly decoder = new TextDecoder();
  private uartText = '';
  private readonly onUart: ((text: string) => void) | undefined;
  private mtimeRemainder = 0;
  /** The engine's batch of decisions (SCHED_BATCH_BASE, layout.ts): header and entries as words, per-hart counts. */
  private readonly batch: Uint32Array;
  private readonly batchInsns: Float64Array;
  private readonly waiting: boolean[];
  /** Harts the host holds parked (pauseHart) while the others run. */
  private readonly held: boolean[];
  readonly mode: MachineMode;
  /** Instruction fetch granularity (see MachineOptions.fetch). */
  readonly fetch: FetchGranularity;
  /** Execution engine (see MachineOptions.engine). */
  readonly engineKind: EngineKind;
  private readonly jit: Jit | undefined;
  /** The deterministic scheduler (deterministic mode only). */
  readonly scheduler: DeterministicScheduler | undefined;
  private parallel: ParallelRunner | undefined;
  private readonly hostActions: { step: number; action: HostAction }[] = [];
  private agent: HostAgent | null = null;
  private inRun = false;
  private readonly haltedListeners = new Set<(r: RunResult) => void>();

  private constructor(
    readonly wasm: WebAssembly.Memory,
    ram: number,
    nharts: number,
    onUart: ((text: string) => void) | undefined,
    opts: MachineOptions,
  ) {
    this.mode = opts.mode ?? 'deterministic';
    if (this.mode === 'deterministic') {
      this.scheduler = new DeterministicScheduler({
        seed: opts.seed ?? 0,
        quantum: opts.quantum ?? (nharts === 1 ? DEFAULT_SLICE : DEFAULT_QUANTUM),
        replay: opts.replay,
        record: opts.recordSchedule ?? nharts > 1,
        ...(opts.strategy ? { strategy: opts.strategy } : {}),
      });
    }
    const table = newEngineTable();
    this.engineKind = opts.engine ?? DEFAULT_ENGINE;
    this.jit = this.engineKind === 'jit' && this.mode === 'deterministic' ? new Jit(wasm, table) : undefined;
    this.engine = instantiateEngine(wasm, table, this.jit?.hook);
    this.engine.init(nharts, BigInt(ram));
    const coherent = opts.coherent ?? false;
    this.fetch = opts.fetch ?? 'ziccif';
    const flags =
      (coherent ? CTRL_FLAG_COHERENT : 0) |
      (this.fetch === 'parcels' ? CTRL_FLAG_FETCH_PARCELS : 0) |
      (this.mode === 'parallel' ? CTRL_FLAG_WALL_CLOCK : 0) |
      (this.jit ? CTRL_FLAG_JIT : 0);
    new DataView(wasm.buffer).setUint32(CTRL_BASE + CTRL_FLAGS, flags, true);
    this.memory = new GuestMemory(wasm, ram, coherent ? () => this.flushAll() : undefined);
    this.clint = new Clint(wasm);
    this.breakpoints = new BreakpointList(wasm);
    this.harts = Array.from({ length: nharts }, (_, i) => new Hart(i, wasm, this.engine));
    this.waiting = new Array<boolean>(nharts).fill(false);
    this.batch = new Uint32Array(wasm.buffer, SCHED_BATCH_BASE, (SB_ENTRIES >> 2) + 4 * SCHED_BATCH_MAX);
    this.batchInsns = new Float64Array(wasm.buffer, SCHED_BATCH_BASE + SB_HART_INSNS, MAX_HARTS);
    this.held = new Array<boolean>(nharts).fill(false);
    this.onUart = onUart;
    installBootInfo(wasm, nharts, ram);
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
    if (opts.fetch !== undefined && opts.fetch !== 'ziccif' && opts.fetch !== 'parcels') {
      throw new MachineError('MACHINE_BAD_OPTION', `fetch must be 'ziccif' or 'parcels', got '${String(opts.fetch)}'`);
    }
    if (opts.engine !== undefined && opts.engine !== 'interp' && opts.engine !== 'jit') {
      throw new MachineError('MACHINE_BAD_OPTION', `engine must be 'interp' or 'jit', got '${String(opts.engine)}'`);
    }
    if (opts.mode !== undefined && opts.mode !== 'deterministic' && opts.mode !== 'parallel') {
      throw new MachineError('MACHINE_BAD_OPTION', `mode must be 'deterministic' or 'parallel', got '${String(opts.mode)}'`);
    }
    const pages = Math.ceil((RAM_WASM_BASE + ram + PAGE_SIZE) / PAGE_SIZE);
    const wasm = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    return new Machine(wasm, ram, harts, opts.onUart, opts);
  }

  hart(i = 0): Hart {
    const h = this.harts[i];
    if (!h) throw new MachineError('MACHINE_BAD_HART', `no hart ${i} (machine has ${this.harts.length})`);
    return h;
  }

  private ctrlView: DataView | undefined;
  /** The control block (the memory never grows, so one view serves for the machine's life). */
  private get ctrl(): DataView {
    return (this.ctrlView ??= new DataView(this.wasm.buffer, CTRL_BASE));
  }

  /** Parses and loads an ELF file; every hart restarts at its entry in M-mode. */
  loadElf(bytes: Uint8Array): ElfImage {
    const image = parseElf(bytes, { ram: { base: RAM_GUEST_BASE, size: this.memory.size } });
    this.loadImage(image);
    return image;
  }

  loadImage(image: ElfImage): void {
    this.boot(loadElfImage(this.memory, image));
  }

  /** Loads an assembled program (tohost/fromhost from its symbols); harts restart at its entry. */
  loadProgram(prog: AssembledProgram): void {
    this.boot(loadAssembled(this.memory, prog));
  }

  private boot(p: LoadedProgram): void {
    this.setTohost(p.tohost, p.fromhost);
    for (const h of this.harts) {
      this.engine.resetHart(h.index, BigInt(p.entry));
      setBootRegisters(h);
    }
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

  private flushAll(): void {
    for (const h of this.harts ?? []) h.flushIcache();
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
      if (this.held[h.index] || (h.csr(0x304) & 0x80n) === 0n) continue;
      const cmp = this.clint.mtimecmp(h.index);
      if (next === undefined || cmp < next) next = cmp;
    }
    if (next === undefined || next === 0xffffffffffffffffn) return false;
    if (next > this.clint.mtime) this.clint.mtime = next;
    return true;
  }

  /** Deterministic time: mtime advances one tick per MTIME_DIVISOR instructions retired per hart on average. */
  private advanceTime(insns: number): void {
    const div = MTIME_DIVISOR * this.harts.length;
    const t = this.mtimeRemainder + insns;
    if (t < div) {
      this.mtimeRemainder = t;
      return;
    }
    this.mtimeRemainder = t % div;
    this.clint.mtime += BigInt(Math.floor(t / div));
  }

  /**
   * Deterministic mode: runs the harts in the calling thread until halt, fault, breakpoint, pause, every hart
   * idle for good, the end of a replayed schedule, or maxInsns instructions (all harts together).
   */
  run(opts: RunOptions = {}): RunResult {
    const sched = this.scheduler;
    if (!sched) {
      throw new MachineError('MACHINE_BAD_OPTION', 'a parallel machine runs in workers: use `await machine.start()`');
    }
    if (this.parallel?.running || this.inRun) throw new MachineError('MACHINE_BUSY', 'the machine is already running');
    const maxInsns = opts.maxInsns ?? DEFAULT_MAX_INSNS;
    if (!(maxInsns >= 0) || !Number.isFinite(maxInsns)) {
      throw new MachineError('MACHINE_BAD_OPTION', `maxInsns must be a finite number >= 0, got ${maxInsns}`);
    }
    if (opts.slice !== undefined && (!Number.isInteger(opts.slice) || opts.slice < 1 || opts.slice > 0x7fffffff)) {
      throw new MachineError('MACHINE_BAD_OPTION', `slice must be an integer from 1 to 2^31-1, got ${opts.slice}`);
    }
    this.inRun = true;
    this.memory.written = true; // harts store to RAM directly
    try {
      return this.runDeterministic(sched, maxInsns, opts);
    } finally {
      this.inRun = false;
    }
  }

  private runDeterministic(sched: DeterministicScheduler, maxInsns: number, opts: RunOptions): RunResult {
    const per = this.harts.map(() => ({ instructions: 0 }));
    let total = 0;
    const result = (reason: StopReason, extra: Partial<RunResult> = {}): RunResult => {
      this.pollUart();
      return { reason, instructions: total, harts: per, ...extra };
    };
    const runnable: number[] = [];
    const woken: number[] = [];
    const cap = Math.min(sched.quantum, opts.slice ?? sched.quantum);
    // the engine may draw and run many decisions in one call when nothing the host does can change them meanwhile
    const batchable = sched.drawsInEngine && opts.until === undefined;
    for (;;) {
      if (total >= maxInsns) return result('budget');
      this.runDueHostActions(sched.step);
      runnable.length = 0;
      woken.length = 0;
      let asleep = false;
      for (const h of this.harts) {
        if (this.held[h.index]) continue;
        if (this.waiting[h.index]) {
          if (!this.canWake(h)) {
            asleep = true;
            continue;
          }
          this.waiting[h.index] = false;
          woken.push(h.index);
        }
        runnable.push(h.index);
      }
      const agent = this.agent;
      const agentState = agent === null ? 'none' : agent.exclusive() ? 'exclusive' : agent.ready() ? 'ready' : 'waiting';
      if (runnable.length === 0 && agentState !== 'ready' && agentState !== 'exclusive') {
        if (!this.skipIdleTime()) return result(this.held.includes(true) ? 'pause' : 'wfi');
        continue;
      }
      let hart: number;
      let stop: number;
      const k = batchable && agentState === 'none' && !asleep && woken.length === 0 ? this.batchSize(sched, cap, maxInsns - total) : 0;
      if (k > 1) {
        // a sleeping hart (an IPI may wake it), a woken one, an agent or a due host action would change the draws
        const ran = this.runBatch(sched, runnable, k, cap, per);
        total += ran.instructions;
        hart = ran.hart;
        stop = ran.stop;
      } else {
        const d = sched.next(interruptedFirst(runnable, woken), agentState);
        if (!d) return result('schedule-end');
        if (d.hart === AGENT) {
          agent!.step();
          sched.done({ hart: AGENT, budget: 1, retired: 0, stop: STOP_BUDGET });
          if (opts.until?.() || opts.untilAfterAgentStep?.()) return result('until');
          continue;
        }
        const budget = Math.min(d.budget, opts.slice ?? d.budget, maxInsns - total);
        stop = this.engine.run(d.hart, budget);
        hart = d.hart;
        const n = this.harts[d.hart]!.lastRun;
        total += n;
        per[d.hart]!.instructions += n;
        sched.done({ hart: d.hart, budget, retired: n, stop });
        this.advanceTime(n);
      }
      if (stop !== STOP_BUDGET || sched.step % UART_POLL_STEPS === 0) this.pollUart();
      switch (stop) {
        case STOP_BUDGET:
        case STOP_UART_FULL:
          break;
        case STOP_WFI:
          this.waiting[hart] = true;
          break;
        case STOP_HALTED: {
          const v = this.exitValue;
          return result('halted', { exitValue: v, exitCode: Number(v >> 1n), hart });
        }
        case STOP_FAULT_LOOP:
          return result('fault', { fault: this.harts[hart]!.faultReport(), hart });
        case STOP_BREAKPOINT:
          return result('breakpoint', { hart });
        case STOP_PAUSE:
          return result('pause', { hart });
        case STOP_ERROR:
        default:
          throw new MachineError('MACHINE_ENGINE_ERROR', `engine stopped hart ${hart} with reason ${stop}`);
      }
      if (opts.until?.()) return result('until');
    }
  }

  /**
   * How many decisions the next batch may hold: it ends at the next UART poll (every 1,024 decisions), before the
   * next host action's step, and while the whole batch cannot overrun maxInsns (each decision grants at most cap).
   */
  private batchSize(sched: DeterministicScheduler, cap: number, left: number): number {
    let k = Math.min(SCHED_BATCH_MAX, UART_POLL_STEPS - (sched.step % UART_POLL_STEPS));
    if (this.hostActions.length > 0) k = Math.min(k, this.hostActions[0]!.step - sched.step);
    return Math.min(k, Math.floor(left / cap));
  }

  /**
   * Lets the engine draw and run up to k decisions among `runnable` in one call (it stops after the first that does
   * not use its whole budget) and records those that ran, exactly as one decision at a time would. Returns the last
   * one's hart and stop, and the instructions of the batch.
   */
  private runBatch(sched: DeterministicScheduler, runnable: readonly number[], k: number, cap: number, per: { instructions: number }[]): { hart: number; stop: number; instructions: number } {
    const b = this.batch;
    const prng = sched.prngState();
    for (let i = 0; i < 4; i++) b[(SB_PRNG >> 2) + i] = prng[i]!;
    b[SB_MTIME_REM >> 2] = this.mtimeRemainder;
    b[SB_MTIME_DIV >> 2] = MTIME_DIVISOR * this.harts.length;
    b[SB_QUANTUM >> 2] = sched.quantum;
    b[SB_CAP >> 2] = cap;
    b[SB_PARTIES >> 2] = runnable.length;
    for (let i = 0; i < runnable.length; i++) b[(SB_RUNNABLE >> 2) + i] = runnable[i]!;
    const j = this.engine.runBatch(k);
    this.mtimeRemainder = b[SB_MTIME_REM >> 2]!;
    const at = SB_ENTRIES >> 2;
    sched.ranInEngine([b[SB_PRNG >> 2]!, b[(SB_PRNG >> 2) + 1]!, b[(SB_PRNG >> 2) + 2]!, b[(SB_PRNG >> 2) + 3]!], j, (i) => {
      const e = at + 4 * i;
      return { hart: b[e]!, budget: b[e + 1]!, retired: b[e + 2]!, stop: b[e + 3]! };
    });
    let instructions = 0;
    for (const h of runnable) {
      const n = this.batchInsns[h]!;
      per[h]!.instructions += n;
      instructions += n;
    }
    const last = at + 4 * (j - 1);
    return { hart: b[last]!, stop: b[last + 3]!, instructions };
  }

  /**
   * Deterministic mode: let `agent` take steps between hart instructions in every later run() (null detaches it).
   * The scheduler draws among the runnable harts and the ready agent, so a seed places every agent step.
   */
  setAgent(agent: HostAgent | null): void {
    if (!this.scheduler) throw new MachineError('MACHINE_BAD_OPTION', 'a host agent needs deterministic mode');
    this.agent = agent;
  }

  /** Is run() executing right now (deterministic mode)? */
  get running(): boolean {
    return this.inRun || (this.parallel?.running ?? false);
  }

  /**
   * Runs the machine in its mode and resolves with the result: deterministic machines run in the calling thread,
   * parallel machines in one worker per hart. Listeners registered with on('halted') hear about the end.
   */
  async start(opts: RunOptions = {}): Promise<RunResult> {
    this.memory.written = true;
    const r = this.mode === 'parallel' ? await this.runParallel(opts) : this.run(opts);
    if (r.reason === 'halted') for (const l of this.haltedListeners) l(r);
    return r;
  }

  /** Calls `listener` when a run ends because the guest halted (tohost). Returns an unsubscribe function. */
  on(event: 'halted', listener: (r: RunResult) => void): () => void {
    if (event !== 'halted') throw new MachineError('MACHINE_BAD_OPTION', `unknown event '${String(event)}'`);
    this.haltedListeners.add(listener);
    return () => this.haltedListeners.delete(listener);
  }

  private async runParallel(opts: RunOptions): Promise<RunResult> {
    const maxInsns = opts.maxInsns ?? DEFAULT_MAX_INSNS;
    if (!(maxInsns >= 0) || !Number.isFinite(maxInsns)) {
      throw new MachineError('MACHINE_BAD_OPTION', `maxInsns must be a finite number >= 0, got ${maxInsns}`);
    }
    const results = await this.runner.run({ maxInsns, slice: opts.slice ?? PARALLEL_SLICE });
    const per = results.map((r) => ({ instructions: r.instructions }));
    const instructions = per.reduce((a, p) => a + p.instructions, 0);
    const base = { instructions, harts: per };
    this.pollUart();
    const by = (end: string) => results.find((r) => r.end === end);
    const halted = by('halted');
    if (halted || this.exitValue !== 0n) {
      const v = this.exitValue;
      return { reason: 'halted', exitValue: v, exitCode: Number(v >> 1n), hart: halted?.hart, ...base };
    }
    const fault = by('fault');
    if (fault) return { reason: 'fault', fault: this.harts[fault.hart]!.faultReport(), hart: fault.hart, ...base };
    const bp = by('breakpoint');
    if (bp) return { reason: 'breakpoint', hart: bp.hart, ...base };
    const err = by('error');
    if (err) throw new MachineError('MACHINE_ENGINE_ERROR', `engine stopped hart ${err.hart} with reason ${err.stop}`);
    return { reason: 'budget', ...base };
  }

  /**
   * Parallel mode: stops every hart at its next instruction boundary; resolves with the pause latency (ms) once
   * all are parked. While paused, registers, CSRs and memory may be read and changed, and step() runs one hart.
   */
  async pause(): Promise<number> {
    if (!this.parallel?.running) return 0;
    return this.parallel.pause();
  }

  /** Parallel mode: lets paused harts continue. */
  resume(): void {
    this.parallel?.resume();
  }

  /** The parallel driver (created on first use, with the installed platform's engine and worker spawner). */
  private get runner(): ParallelRunner {
    this.parallel ??= new ParallelRunner(this.wasm, engineModule(), this.harts.length, machinePlatform().spawnHartWorker, () =>
      this.pollUart(),
    );
    return this.parallel;
  }

  /**
   * Holds one hart at an instruction boundary while the others go on (both modes; the hold outlives pause/resume).
   * Parallel: the hart parks at its next slice boundary and this resolves once it has; deterministic: the scheduler
   * skips it (a run with every runnable hart held returns 'pause').
   */
  async pauseHart(hart: number): Promise<void> {
    const h = this.hart(hart).index;
    this.held[h] = true;
    if (this.mode !== 'parallel') return;
    this.runner.hold(h, true);
    await this.runner.waitParked(h);
  }

  /** Releases a hart held by pauseHart. */
  resumeHart(hart: number): void {
    const h = this.hart(hart).index;
    this.held[h] = false;
    if (this.mode === 'parallel') this.runner.hold(h, false);
  }

  /** Is the hart held by pauseHart? */
  isHartPaused(hart: number): boolean {
    return this.held[this.hart(hart).index]!;
  }

  /**
   * What a hart is doing. Parallel: its worker's state ('idle' when no run is in progress). Deterministic: 'paused'
   * when held, 'wfi' when it waits for an interrupt, else 'running' (it runs whenever run() is called).
   */
  hartState(hart: number): HartRunState {
    const h = this.hart(hart).index;
    if (this.mode === 'parallel') {
      if (!this.parallel?.running) return 'idle';
      const ws = this.parallel.workerState(h);
      return ws === WS_RUNNING ? 'running' : ws === WS_WFI ? 'wfi' : ws === WS_PAUSED ? 'paused' : ws === WS_DONE ? 'done' : 'idle';
    }
    return this.held[h] ? 'paused' : this.waiting[h] ? 'wfi' : 'running';
  }

  /** Parallel mode: ends the current run at every hart's next slice boundary (start() resolves with 'budget'). */
  stop(): void {
    this.parallel?.stop();
  }

  /**
   * Executes exactly one instruction (or one trap entry) of `hart` in the calling thread. Allowed when the
   * machine is not running or is paused. Returns the engine stop reason name.
   */
  step(hart = 0): StopReason {
    if (this.parallel?.running && !this.parallel.paused) {
      throw new MachineError('MACHINE_BUSY', 'pause the machine before single-stepping a hart');
    }
    this.memory.written = true;
    const stop = this.engine.run(this.hart(hart).index, 1);
    this.pollUart();
    return STOP_NAMES[stop] ?? 'budget';
  }

  /** Deterministic mode: performs `action` just before scheduling decision number `step` (0 = before the first). */
  at(step: number, action: HostAction): void {
    if (!this.scheduler) throw new MachineError('MACHINE_BAD_OPTION', 'host actions at a step need deterministic mode');
    if (!Number.isInteger(step) || step < 0) throw new MachineError('MACHINE_BAD_OPTION', `step must be an integer >= 0, got ${step}`);
    let i = this.hostActions.length;
    while (i > 0 && this.hostActions[i - 1]!.step > step) i--;
    this.hostActions.splice(i, 0, { step, action });
  }

  private runDueHostActions(step: number): void {
    while (this.hostActions.length > 0 && this.hostActions[0]!.step <= step) {
      runHostAction(this, this.hostActions.shift()!.action);
    }
  }

  /** The deterministic schedule so far, one line per decision: `step hart budget retired stop`. */
  scheduleLog(): string {
    return this.scheduler?.formatLog() ?? '';
  }

  /** Block-compiler figures (undefined with engine 'interp' or in parallel mode): blocks, code bytes, compile time. */
  jitStats(): (JitStats & { blocks: Jit['blocks'] }) | undefined {
    return this.jit ? { ...this.jit.stats, blocks: this.jit.blocks } : undefined;
  }

  /** Raises a machine software interrupt on `hart` (CLINT msip = 1), waking it if it sleeps in wfi. */
  sendIpi(hart: number): void {
    this.clint.setMsip(this.hart(hart).index, 1);
  }
}

/**
 * The harts the next decision chooses among: those an interrupt just woke from wfi, if any, else every runnable hart.
 * A hart the firmware or kernel woke with an IPI (or a timer) then runs before the hart that sent it spins on, so a
 * spin-wait on a sleeping hart ends after one decision instead of after many random ones.
 */
function interruptedFirst(runnable: readonly number[], woken: readonly number[]): readonly number[] {
  return woken.length > 0 ? woken : runnable;
}

const STOP_NAMES: Record<number, StopReason> = {
  [STOP_BUDGET]: 'budget',
  [STOP_HALTED]: 'halted',
  [STOP_WFI]: 'wfi',
  [STOP_BREAKPOINT]: 'breakpoint',
  [STOP_FAULT_LOOP]: 'fault',
  [STOP_PAUSE]: 'pause',
  [STOP_UART_FULL]: 'budget',
};
