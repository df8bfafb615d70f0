// The Lab: one machine + guest runtime + ftrace core, with plans applied through a patch protocol and trace events drained.
import { FtraceCore } from '../ftrace/core.js';
import { BumpAllocator } from '../ftrace/guest-alloc.js';
import { planFtraceInit, type RejectedSite } from '../ftrace/init.js';
import { RuntimeSymbols } from '../ftrace/runtime-symbols.js';
import { createScheme } from '../ftrace/schemes/index.js';
import type { Machine, RunResult } from '../machine/machine.js';
import type { PatchableMachine, PatchProtocol } from '../patch/protocol.js';
import { StopAllApply } from '../patch/stop-all-apply.js';
import { TextPoker } from '../patch/text-poker.js';
import { Tracefs } from '../tracefs/tracefs.js';
import { bootElfGuest } from './elf-guest.js';
import { LabError } from './errors.js';
import { bootSyntheticGuest, type BootedGuest } from './guest-boot.js';
import { LabFtrace } from './lab-ftrace.js';
import { resolveLabOptions, type LabOptions, type ResolvedLabOptions } from './options.js';
import { LabTrace } from './lab-trace.js';
import { TraceEvents } from './trace-events.js';

/** Largest deterministic run chunk; trace buffers are drained between chunks. */
export const RUN_CHUNK = 2_000_000;

/** A chunk short enough that no hart can fill its ring buffer (every traced call costs well over 16 instructions). */
function chunkFor(ringEvents: number): number {
  return Math.max(10_000, Math.min(RUN_CHUNK, ringEvents * 16));
}

export interface LabRunOptions {
  /** Instruction budget for all harts together (default 1e9). */
  readonly maxInsns?: number;
}

/** The machine as the patch protocol drives it. */
class MachinePatchAdapter implements PatchableMachine {
  readonly text: TextPoker;
  private paused = false;
  constructor(private readonly machine: Machine) {
    this.text = new TextPoker(machine.memory);
  }
  get hartCount(): number {
    return this.machine.harts.length;
  }
  flushIcache(hart: number): void {
    this.machine.flushIcache(hart);
  }
  async stopAll(): Promise<void> {
    if (this.machine.mode !== 'parallel') return; // deterministic harts only run inside run(), never during a patch
    await this.machine.pause();
    this.paused = true;
  }
  resumeAll(): void {
    if (!this.paused) return;
    this.paused = false;
    this.machine.resume();
  }
}

export class Lab {
  readonly ftrace: LabFtrace;
  readonly trace: LabTrace;
  readonly tracefs: Tracefs;
  /** Sites ftrace_init left untraced (misaligned entry, missing NOPs, ...). */
  readonly rejected: readonly RejectedSite[];
  private running = false;

  private constructor(
    readonly options: ResolvedLabOptions,
    readonly guest: BootedGuest,
    readonly core: FtraceCore,
    readonly protocol: PatchProtocol,
    private readonly patchable: PatchableMachine,
    events: TraceEvents,
    rejected: RejectedSite[],
    allocator: BumpAllocator,
  ) {
    this.rejected = rejected;
    this.ftrace = new LabFtrace(core, allocator, protocol, patchable);
    this.trace = new LabTrace(events, () => this.running);
    this.tracefs = new Tracefs(this);
  }

  /** Build the guest, load it, convert every site to the disabled state (before any hart runs) and start the core. */
  static async create(opts: LabOptions = {}): Promise<Lab> {
    const o = resolveLabOptions(opts);
    const guest = opts.elf ? bootElfGuest(o, opts.elf, opts) : bootSyntheticGuest(o, opts);
    const symbols = new RuntimeSymbols(guest.runtimeSymbols);
    const scheme = createScheme(o.scheme, symbols);
    const patchable = new MachinePatchAdapter(guest.machine);
    const protocol = opts.protocol ?? new StopAllApply();
    const init = planFtraceInit(guest.entries, guest.layout, guest.machine.memory, scheme);
    await protocol.apply(init.plan, patchable);
    const allocator = new BumpAllocator(symbols.get('ftrace_heap_start'), symbols.get('ftrace_heap_end'));
    const core = new FtraceCore({ records: init.records, scheme, symbols, allocator });
    const events = new TraceEvents(guest.machine.memory, symbols.get('ftrace_percpu'), o.harts, init.records, guest.symbolizer);
    return new Lab(o, guest, core, protocol, patchable, events, init.rejected, allocator);
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

  /**
   * Run the guest until it halts, faults or spends maxInsns. Deterministic: in chunks, draining the trace buffers
   * between them; parallel: in workers, draining every few milliseconds.
   */
  async run(opts: LabRunOptions = {}): Promise<RunResult> {
    if (this.running) throw new LabError('LAB_BUSY', 'the lab is already running');
    const maxInsns = opts.maxInsns ?? 1e9;
    if (!Number.isFinite(maxInsns) || maxInsns < 0) throw new LabError('LAB_BAD_OPTION', `maxInsns must be a finite number >= 0, got ${maxInsns}`);
    this.running = true;
    try {
      return this.machine.mode === 'parallel' ? await this.runParallel(maxInsns) : this.runDeterministic(maxInsns);
    } finally {
      this.running = false;
      this.trace.drainer.collect();
    }
  }

  private runDeterministic(maxInsns: number): RunResult {
    let total = 0;
    const chunk = chunkFor(Math.floor((this.options.bufferSizeKb * 1024) / 32));
    const per = this.machine.harts.map(() => ({ instructions: 0 }));
    for (;;) {
      const r = this.machine.run({ maxInsns: Math.min(chunk, maxInsns - total) });
      total += r.instructions;
      r.harts.forEach((h, i) => (per[i]!.instructions += h.instructions));
      this.trace.drainer.collect();
      if (r.reason !== 'budget' || total >= maxInsns) return { ...r, instructions: total, harts: per };
    }
  }

  private async runParallel(maxInsns: number): Promise<RunResult> {
    const timer = setInterval(() => this.trace.drainer.collect(), 5);
    try {
      return await this.machine.start({ maxInsns });
    } finally {
      clearInterval(timer);
    }
  }

  /** The patchable view of the machine (what protocols drive). */
  get patchTarget(): PatchableMachine {
    return this.patchable;
  }
}
