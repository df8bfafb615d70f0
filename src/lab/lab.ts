// The Lab: one machine + guest runtime + ftrace core, with plans applied by a patch protocol while the harts run and trace events drained.
import { FtraceCore } from '../ftrace/core.js';
import { GuestHeap, POISON_BYTE } from '../ftrace/guest-alloc.js';
import { planFtraceInit, type RejectedSite } from '../ftrace/init.js';
import { emptyPlan, type PatchPlan } from '../ftrace/patch-plan.js';
import { RuntimeSymbols } from '../ftrace/runtime-symbols.js';
import { createScheme, schemeDescriptor } from '../ftrace/schemes/index.js';
import { ringBufferEvents } from '../guest/ring-buffer-layout.js';
import type { Machine, RunOptions, RunResult } from '../machine/machine.js';
import type { HostAgent } from '../machine/sched/host-agent.js';
import { CodePatcher, type PatchHost } from '../patch/code-patcher.js';
import { GuestPort, type HartPatchCounters } from '../patch/guest-port.js';
import { AtomicProtocol, createProtocol, type PatchProtocol } from '../patch/protocols/index.js';
import type { PatchStep } from '../patch/steps.js';
import { TextPoker } from '../patch/text-poker.js';
import { Tracefs } from '../tracefs/tracefs.js';
import { WORKLOAD_SYMBOLS } from '../workload/guest-image.js';
import { bootElfGuest } from './elf-guest.js';
import { LabError } from './errors.js';
import { bootSyntheticGuest, type BootedGuest } from './guest-boot.js';
import { LabFtrace } from './lab-ftrace.js';
import { FgraphControl } from './fgraph-control.js';
import { HostCallbacks } from './host-callbacks.js';
import { resolveLabOptions, type LabOptions, type ResolvedLabOptions } from './options.js';
import { LabTrace } from './lab-trace.js';
import { TraceEvents } from './trace-events.js';
import { TraceClock } from './trace-clock.js';
import { unexpectedTrap, type LabTrapReport } from './trap-report.js';
import { UpdateLog } from './update-log.js';
import { LabStaticKeys } from './lab-static-keys.js';

/** Largest deterministic run chunk; trace buffers are drained between chunks. */
export const RUN_CHUNK = 2_000_000;

/** A chunk short enough that no hart can fill its ring buffer (every traced call costs well over 16 instructions). */
function chunkFor(ringEvents: number): number {
  return Math.max(10_000, Math.min(RUN_CHUNK, ringEvents * 16));
}

export interface LabRunOptions {
  /** Instruction budget for all harts together (default 1e9). */
  readonly maxInsns?: number;
  /**
   * Parallel mode: drain the guest trace buffers every `drainMs` ms while the harts run (default 5); 0 drains only at
   * the end (events that do not fit the buffers are dropped and counted, and the host thread stays free).
   */
  readonly drainMs?: number;
}

/** A host callback due when the machine has retired a number of instructions (deterministic mode). */
interface AtAction {
  readonly insns: number;
  readonly fn: (lab: Lab) => unknown;
}

/**
 * Let pending promise continuations run (they may submit the next update) before the harts go on: a macrotask runs
 * only after every queued microtask, so one setImmediate (Node) or timer (browsers) is enough, and deterministic.
 */
const nextMacrotask: (fn: () => void) => unknown =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (fn) => (globalThis as unknown as { setImmediate: (f: () => void) => unknown }).setImmediate(fn)
    : (fn) => setTimeout(fn, 0);
const settleContinuations = (): Promise<void> => new Promise((r) => nextMacrotask(r));

/** The machine, guest heap and mailboxes as the patcher drives them. */
class LabPatchHost implements PatchHost {
  readonly text: TextPoker;
  readonly harts: number;
  readonly mode: 'deterministic' | 'parallel';
  driving = false;

  constructor(
    private readonly lab: Lab,
    readonly heap: GuestHeap,
    readonly port: GuestPort | null,
  ) {
    this.text = new TextPoker(lab.machine.memory);
    this.harts = lab.machine.harts.length;
    this.mode = lab.machine.mode;
  }

  flushIcache(hart: number): void {
    this.lab.machine.flushIcache(hart);
  }

  live(): boolean {
    return this.lab.guestLive;
  }

  driven(): boolean {
    return this.driving;
  }

  runMachine(opts: RunOptions): RunResult {
    return this.lab.runSlice(opts);
  }

  setAgent(agent: HostAgent | null): void {
    this.lab.machine.setAgent(agent);
  }

  async pauseAll(): Promise<void> {
    await this.lab.machine.pause();
  }

  resumeAll(): void {
    this.lab.machine.resume();
  }
}

export class Lab {
  readonly ftrace: LabFtrace;
  readonly trace: LabTrace;
  readonly tracefs: Tracefs;
  /** Sites ftrace_init left untraced (misaligned entry, missing NOPs, ...). */
  readonly rejected: readonly RejectedSite[];
  /** Every update with the ftrace state after it and when it landed (for attribution checks). */
  readonly updates: UpdateLog;
  /** Static keys of the guest's __jump_table (null when it has none): enable/disable/slowInc/slowDec through the protocol. */
  readonly staticKeys: LabStaticKeys | null;
  /** The patch protocol every update goes through. */
  readonly protocol: PatchProtocol;
  private readonly patcher: CodePatcher;
  /** JavaScript callbacks of callback ops (async dispatch, synchronous stops). */
  readonly hostCalls: HostCallbacks;
  private readonly host: LabPatchHost;
  private readonly ats: AtAction[] = [];
  private readonly atErrors: unknown[] = [];
  private running = false;
  private booted = false;
  private ended = false;
  private retiredTotal = 0;

  private constructor(
    readonly options: ResolvedLabOptions,
    readonly guest: BootedGuest,
    readonly core: FtraceCore,
    protocol: PatchProtocol,
    readonly heap: GuestHeap,
    readonly port: GuestPort | null,
    events: TraceEvents,
    rejected: RejectedSite[],
  ) {
    this.rejected = rejected;
    this.protocol = protocol;
    this.host = new LabPatchHost(this, heap, port);
    this.patcher = new CodePatcher(this.host, protocol, { teardown: options.teardown });
    this.updates = new UpdateLog(core, port);
    const graph = new FgraphControl(guest.machine.memory, this.symbol('ftrace_graph_control'), this.symbol('ftrace_graph_stacks'), options.harts, heap, core.records);
    this.hostCalls = new HostCallbacks(guest.machine, this.symbol('ftrace_host_call_func'), events.clock, guest.symbolizer, (ip) => core.records.lookupIp(ip)?.symbol ?? guest.symbolizer.nameOf(ip), (sym) => this.symbol(sym));
    events.onEvents((batch) => this.hostCalls.dispatch(batch));
    this.ftrace = new LabFtrace(core, heap, this.patcher, this.host.text, this.updates, (sym) => this.code(sym), graph, this.hostCalls);
    this.staticKeys = LabStaticKeys.present(guest.symbols)
      ? new LabStaticKeys((a, n) => this.host.text.read(a, n), guest.symbols, this.patcher, this.updates)
      : null;
    this.trace = new LabTrace(events, () => this.running);
    this.tracefs = new Tracefs(this);
  }

  /** Build the guest, load it, convert every site to the disabled state (before any hart runs) and start the core. */
  static async create(opts: LabOptions = {}): Promise<Lab> {
    const o = resolveLabOptions(opts);
    const guest = opts.elf ? bootElfGuest(o, opts.elf, opts) : bootSyntheticGuest(o, opts);
    const symbols = new RuntimeSymbols(guest.runtimeSymbols);
    const scheme = createScheme(o.scheme, symbols);
    const memory = guest.machine.memory;
    const heap = new GuestHeap(symbols.get('ftrace_heap_start'), symbols.get('ftrace_heap_end'), (a, n) => memory.fill(a, n, POISON_BYTE));
    if (symbols.has('ftrace_tramp_window')) heap.addRegion(symbols.get('ftrace_tramp_window'), symbols.get('ftrace_tramp_window_end'));
    const port = symbols.has('stop_machine_data')
      ? new GuestPort(memory, {
          ftrace_percpu: symbols.get('ftrace_percpu'),
          stop_machine_data: symbols.get('stop_machine_data'),
          text_poke_array: symbols.get('text_poke_array'),
        }, o.harts, (h) => guest.machine.sendIpi(h))
      : null;
    const protocol = Lab.protocolFor(opts.protocol ?? schemeDescriptor(o.scheme).protocol, guest);
    const init = planFtraceInit(guest.entries, guest.layout, memory, scheme);
    const core = new FtraceCore({ records: init.records, scheme, symbols, allocator: heap });
    const events = new TraceEvents(memory, symbols.get('ftrace_percpu'), o.harts, init.records, guest.symbolizer, new TraceClock(o.clockHz));
    const lab = new Lab(o, guest, core, protocol, heap, port, events, init.rejected);
    await lab.patcher.apply(init.plan); // nothing runs yet: the init plan lands at once
    return lab;
  }

  /** The protocol object for an option: names go through the registry; 'atomic' on an ELF guest flushes from the host. */
  private static protocolFor(p: LabOptions['protocol'], guest: BootedGuest): PatchProtocol {
    if (p !== undefined && typeof p === 'object') return p;
    const name = p ?? 'atomic';
    if (name === 'atomic' && !guest.runtimeTrapVector) return new AtomicProtocol({ flush: 'host' });
    return createProtocol(name);
  }

  get machine(): Machine {
    return this.guest.machine;
  }

  /** Address of a guest symbol (LAB_BAD_OPTION if unknown). */
  symbol(name: string): number {
    const v = this.guest.symbols.get(name);
    if (v === undefined) throw new LabError('LAB_BAD_OPTION', `no guest symbol '${name}'`);
    return v;
  }

  /** A runtime function's address and size (LAB_BAD_OPTION if unknown). */
  code(symbol: string): { addr: number; size: number } {
    const addr = this.symbol(symbol);
    const size = this.guest.runtimeSizes.get(symbol) ?? 0;
    if (size <= 0) throw new LabError('LAB_BAD_OPTION', `guest runtime symbol '${symbol}' has no size`);
    return { addr, size };
  }

  /** Will a hart execute again: it booted (a run started) and the guest has not halted or faulted. */
  get guestLive(): boolean {
    if (this.machine.mode === 'parallel') return this.machine.running && this.machine.exitValue === 0n;
    return this.booted && !this.ended;
  }

  /** Instructions all harts retired since the lab was created. */
  get retired(): number {
    return this.retiredTotal;
  }

  /** Updates submitted and not yet complete. */
  get pendingUpdates(): number {
    return this.patcher.pending;
  }

  /** The steps the lab's protocol would take for `plan` (nothing is allocated, written or run). */
  previewSteps(plan: PatchPlan): PatchStep[] {
    return this.patcher.preview(plan);
  }

  /** Observe every patch step as it runs (after it ran; `live` = harts were running). */
  onPatchStep(fn: ((step: PatchStep, index: number, live: boolean) => void) | null): void {
    this.patcher.onStep = fn;
  }

  /**
   * Deterministic mode: call `fn` when the machine has retired `insns` instructions in all (see `retired`), between
   * two scheduling decisions of a run. It may start updates (`lab.ftrace.register(...)`): their protocol steps are
   * then interleaved with the harts by the seeded scheduler. An async `fn` continues after each update completes,
   * before the harts go on. Errors it throws or rejects with end the run (rethrown by run()).
   */
  at(insns: number, fn: (lab: Lab) => unknown): void {
    if (this.machine.mode !== 'deterministic') throw new LabError('LAB_BAD_OPTION', 'lab.at() needs deterministic mode (in parallel mode, just call the API while run() is pending)');
    if (!Number.isSafeInteger(insns) || insns < 0) throw new LabError('LAB_BAD_OPTION', `at(): insns must be an integer >= 0, got ${String(insns)}`);
    if (typeof fn !== 'function') throw new LabError('LAB_BAD_OPTION', 'at(): fn must be a function');
    let i = this.ats.length;
    while (i > 0 && this.ats[i - 1]!.insns > insns) i--;
    this.ats.splice(i, 0, { insns, fn });
  }

  /**
   * text_poke: replace the 2- or 4-byte instruction at `addr` (or an 8-byte pair of 4-byte instructions, like the
   * pre-6.16 RISC-V auipc + jalr site) through the lab's protocol, while the harts run like any ftrace update (jump
   * labels, the checker's raw pokes). Resolves when the protocol's last step has run.
   */
  async textPoke(addr: number, bytes: Uint8Array, what = `text_poke@0x${addr.toString(16)}`): Promise<void> {
    if (!Number.isSafeInteger(addr) || addr % 2 !== 0) throw new LabError('LAB_BAD_OPTION', `textPoke: addr must be a 2-byte-aligned address, got ${String(addr)}`);
    if (!(bytes instanceof Uint8Array) || ![2, 4, 8].includes(bytes.length)) throw new LabError('LAB_BAD_OPTION', 'textPoke: bytes must be one 2- or 4-byte instruction, or an 8-byte pair (auipc + jalr)');
    if (bytes.length === 8 && addr % 4 !== 0) throw new LabError('LAB_BAD_OPTION', 'textPoke: an 8-byte pair must be 4-byte aligned');
    const old = this.machine.memory.read(addr, bytes.length);
    const plan = emptyPlan();
    plan.sites.push({ ip: addr, symbol: what, kind: 'insn', addr, old, new: bytes.slice() });
    await this.ftrace.applyPlan(plan, what);
  }

  /** 'loop' workload: ask every hart to leave its loop after its current pass (then the guest exits). */
  stopWorkload(): void {
    this.machine.memory.writeU64(this.symbol(WORKLOAD_SYMBOLS.stop), 1n);
  }

  /**
   * After a run that ended with the runtime's unexpected-trap exit (GUEST_TRAP_EXIT_CODE): which hart trapped, where,
   * and whether it used memory an update had freed (execution of a freed module callback, a poisoned pointer).
   */
  trapReport(): LabTrapReport | null {
    return unexpectedTrap(this.machine, this.symbol('ftrace_percpu'), this.options.harts, this.heap);
  }

  /** The guest's per-hart patching counters (quiescent count, IPIs, breakpoint hits, time in handlers). */
  patchCounters(): HartPatchCounters[] {
    if (!this.port) throw new LabError('LAB_BAD_OPTION', 'this guest runtime has no IPI/breakpoint handlers');
    return Array.from({ length: this.options.harts }, (_, h) => this.port!.counters(h));
  }

  /**
   * Run the guest until it halts, faults or spends maxInsns. Deterministic: in chunks, draining the trace buffers
   * between them, taking `at` actions and update steps where the seeded scheduler puts them; parallel: in workers,
   * draining every few milliseconds while updates made meanwhile are applied by their protocol.
   */
  async run(opts: LabRunOptions = {}): Promise<RunResult> {
    if (this.running) throw new LabError('LAB_BUSY', 'the lab is already running');
    const maxInsns = opts.maxInsns ?? 1e9;
    if (!Number.isFinite(maxInsns) || maxInsns < 0) throw new LabError('LAB_BAD_OPTION', `maxInsns must be a finite number >= 0, got ${maxInsns}`);
    if (opts.drainMs !== undefined && !(Number.isFinite(opts.drainMs) && opts.drainMs >= 0)) {
      throw new LabError('LAB_BAD_OPTION', `drainMs must be a number >= 0, got ${String(opts.drainMs)}`);
    }
    this.running = true;
    this.ended = false; // a new run: the host may have restarted a halted guest (the sweep does)
    try {
      return this.machine.mode === 'parallel' ? await this.runParallel(maxInsns, opts.drainMs ?? 5) : await this.runDeterministic(maxInsns);
    } finally {
      this.running = false;
      this.trace.drainer.collect();
    }
  }

  /** One machine.run (deterministic): counts instructions, drains the trace, notes a halt or fault. */
  runSlice(opts: RunOptions): RunResult {
    this.booted = true;
    let r = this.machine.run(opts);
    while (this.hostCalls.isHostStop(r)) {
      // a synchronous callback: serve it, then let the harts go on with what is left of the slice
      this.hostCalls.service(r.hart!);
      const left = opts.maxInsns === undefined ? undefined : opts.maxInsns - r.instructions;
      if (left !== undefined && left <= 0) {
        r = { ...r, reason: 'budget' };
        break;
      }
      const more = this.machine.run({ ...opts, ...(left !== undefined ? { maxInsns: left } : {}) });
      r = { ...more, instructions: r.instructions + more.instructions, harts: more.harts.map((h, i) => ({ instructions: h.instructions + (r.harts[i]?.instructions ?? 0) })) };
    }
    this.retiredTotal += r.instructions;
    this.trace.drainer.collect();
    if (r.reason === 'halted' || r.reason === 'fault') this.ended = true;
    return r;
  }

  private async runDeterministic(maxInsns: number): Promise<RunResult> {
    this.host.driving = true; // updates submitted from now on progress inside this loop
    try {
      return await this.driveDeterministic(maxInsns);
    } finally {
      this.host.driving = false;
    }
  }

  private async driveDeterministic(maxInsns: number): Promise<RunResult> {
    let total = 0;
    const chunk = chunkFor(ringBufferEvents(this.options.bufferSizeKb));
    const per = this.machine.harts.map(() => ({ instructions: 0 }));
    let last: RunResult | null = null;
    for (;;) {
      await this.fireDueActions();
      if (last && last.reason !== 'budget' && last.reason !== 'until') break;
      if (total >= maxInsns || this.ended) break;
      const nextAt = this.ats[0]?.insns ?? Infinity;
      const limit = Math.min(chunk, maxInsns - total, nextAt - this.retiredTotal);
      last = this.runSlice({ maxInsns: limit, untilAfterAgentStep: () => this.patcher.takeCompleted() });
      total += last.instructions;
      last.harts.forEach((h, i) => (per[i]!.instructions += h.instructions));
      if (last.reason === 'until') await settleContinuations();
    }
    if (this.ended) {
      this.patcher.settle();
      await settleContinuations();
    }
    this.rethrowAtErrors();
    const r = last ?? { reason: 'budget' as const, instructions: 0, harts: per };
    return { ...r, reason: r.reason === 'until' ? 'budget' : r.reason, instructions: total, harts: per };
  }

  private async fireDueActions(): Promise<void> {
    let fired = false;
    while (this.ats.length > 0 && this.ats[0]!.insns <= this.retiredTotal) {
      const a = this.ats.shift()!;
      fired = true;
      try {
        const v = a.fn(this);
        if (v instanceof Promise) v.catch((e: unknown) => this.atErrors.push(e));
      } catch (e) {
        this.atErrors.push(e);
      }
    }
    if (fired) await settleContinuations();
    this.rethrowAtErrors();
  }

  private rethrowAtErrors(): void {
    if (this.atErrors.length > 0) {
      const e = this.atErrors.shift();
      this.atErrors.length = 0;
      throw e;
    }
  }

  private async runParallel(maxInsns: number, drainMs: number): Promise<RunResult> {
    const timer = drainMs > 0 ? setInterval(() => this.trace.drainer.collect(), drainMs) : undefined;
    try {
      const r = await this.machine.start({ maxInsns });
      this.retiredTotal += r.instructions;
      if (r.reason === 'halted' || r.reason === 'fault') this.ended = true;
      return r;
    } finally {
      clearInterval(timer); // updates still in flight see the workers gone and finish with nothing running
    }
  }
}
