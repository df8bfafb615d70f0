// One lab in the page: boots a Lab from the page's settings, runs it (hart workers or deterministic slices), holds harts, keeps the trace tail.
import { Lab } from '../../src/lab/lab.js';
import type { LabMode, LabOptions, LabScheme } from '../../src/lab/options.js';
import type { RegisterOptions } from '../../src/lab/lab-ftrace.js';
import type { OpsHandle } from '../../src/lab/ops-handle.js';
import type { FaultReport } from '../../src/machine/hart.js';
import type { HartRunState, RunResult } from '../../src/machine/machine.js';
import { createProtocol } from './protocols.js';
import { EventDigest, TraceTail } from './trace-tail.js';

export type GuestSpec =
  | { readonly kind: 'kernel'; readonly functions: number; readonly prefix: string; readonly seed: number }
  | { readonly kind: 'elf'; readonly name: string; readonly bytes: Uint8Array };

export interface SessionConfig {
  readonly mode: LabMode;
  readonly harts: number;
  /** Seed of the deterministic scheduler. */
  readonly seed: number;
  readonly scheme: string;
  readonly protocol: string;
  readonly guest: GuestSpec;
}

/** An ops the user registered from the page (what a reboot re-registers). */
export interface OpsSpec {
  readonly filter: string;
  readonly notrace: string;
  /** A tracer from tracefs `available_tracers` (the library rejects one it cannot register as an ops). */
  readonly tracer: string;
}

/** What the tracefs controls were set to (re-applied after a reboot). */
export interface TracefsState {
  readonly tracer: string;
  readonly filter: string;
  readonly notrace: string;
}

export type SessionState = 'stopped' | 'running' | 'halted' | 'fault' | 'error';

/** What the page shows per hart. */
export interface HartInfo {
  readonly retired: bigint;
  readonly state: HartRunState | 'stopped';
}

/**
 * Per-hart guest trace buffer the page boots with (tracefs buffer_size_kb). Parallel: small, because the main thread
 * symbolizes what the workers write every few ms and nobody reads a million lines a second (the rest is counted as
 * overwritten); deterministic: larger, since the Lab's run chunks are sized by it.
 */
export const PAGE_BUFFER_KB = { parallel: 16, deterministic: 64 } as const;
/** Instructions per lab.run call while a deterministic machine runs freely (the slices are counted, never timed). */
export const DET_SLICE = 250_000;
/** Milliseconds of deterministic slices between two yields to the browser. */
const DET_FRAME_MS = 12;
/** Budget of a free parallel run (the page stops it); large enough never to run out. */
const PARALLEL_BUDGET = 1e17;
/** Characters of UART output the page keeps. */
export const CONSOLE_CHARS = 100_000;
/** Trace events the page keeps for the view. */
export const TAIL_EVENTS = 50_000;

/** The Lab options a page configuration boots (shared with the Node test that checks determinism). */
export function labOptionsFor(cfg: SessionConfig): LabOptions {
  const common = {
    harts: cfg.harts,
    mode: cfg.mode,
    seed: cfg.seed,
    scheme: cfg.scheme as LabScheme,
    bufferSizeKb: PAGE_BUFFER_KB[cfg.mode],
    protocol: createProtocol(cfg.protocol),
  };
  if (cfg.guest.kind === 'elf') return { ...common, elf: cfg.guest.bytes, ram: 128 << 20 };
  const g = cfg.guest;
  return { ...common, ram: 64 << 20, kernel: { functions: g.functions, prefix: g.prefix, seed: g.seed, workload: 'loop' } };
}

const yieldToBrowser = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export class LabSession {
  state: SessionState = 'stopped';
  /** How the last run ended (halted: exit code; fault: report; error: message). */
  exitCode: number | undefined;
  fault: FaultReport | undefined;
  error: string | undefined;
  readonly tail = new TraceTail(TAIL_EVENTS);
  readonly digest = new EventDigest();
  /** The ops the user registered here, in registration order. */
  readonly userOps = new Map<OpsHandle, OpsSpec>();
  tracefsState: TracefsState = { tracer: 'nop', filter: '', notrace: '' };
  private runDone: Promise<void> | null = null;
  private stopRequested = false;
  private opsSerial = 0;

  private constructor(
    readonly config: SessionConfig,
    readonly lab: Lab,
  ) {}

  /** Boots a fresh lab (the machine is stopped; `start()` runs it). */
  static async boot(cfg: SessionConfig): Promise<LabSession> {
    return new LabSession(cfg, await Lab.create(labOptionsFor(cfg)));
  }

  get running(): boolean {
    return this.state === 'running';
  }

  get harts(): number {
    return this.lab.options.harts;
  }

  /** Runs freely until stop(), a halt or a fault. */
  start(): void {
    if (this.state !== 'stopped') return;
    this.state = 'running';
    this.stopRequested = false;
    this.runDone = this.config.mode === 'parallel' ? this.runParallel() : this.runDeterministic();
  }

  /** Ends a free run (workers end at their next slice; the deterministic loop after its current slice). */
  async stop(): Promise<void> {
    if (!this.runDone) return;
    this.stopRequested = true;
    if (this.config.mode === 'parallel') this.lab.machine.stop();
    await this.runDone;
  }

  /** Deterministic mode, while stopped: runs exactly `insns` instructions (all harts together), then pumps the trace. */
  async runFor(insns: number): Promise<RunResult> {
    if (this.config.mode !== 'deterministic') throw new Error('exact runs need deterministic mode');
    if (this.state !== 'stopped') throw new Error(`the machine is ${this.state}`);
    const r = await this.lab.run({ maxInsns: insns });
    this.pump();
    this.settle(r);
    return r;
  }

  private async runParallel(): Promise<void> {
    try {
      this.settle(await this.lab.run({ maxInsns: PARALLEL_BUDGET }));
    } catch (err) {
      this.fail(err);
    } finally {
      this.runDone = null;
      this.pump();
    }
  }

  private async runDeterministic(): Promise<void> {
    try {
      while (!this.stopRequested) {
        const t0 = performance.now();
        let idle = false;
        while (!this.stopRequested && performance.now() - t0 < DET_FRAME_MS) {
          const r = await this.lab.run({ maxInsns: DET_SLICE });
          if (r.reason === 'pause') {
            idle = true; // every hart is held: look again a little later
            break;
          }
          if (r.reason !== 'budget') {
            this.settle(r);
            return;
          }
        }
        this.pump();
        await (idle ? new Promise<void>((r) => setTimeout(r, 50)) : yieldToBrowser());
      }
      this.state = 'stopped';
    } catch (err) {
      this.fail(err);
    } finally {
      this.runDone = null;
      this.pump();
    }
  }

  private settle(r: RunResult): void {
    if (r.reason === 'halted') {
      this.state = 'halted';
      this.exitCode = r.exitCode;
    } else if (r.reason === 'fault') {
      this.state = 'fault';
      this.fault = r.fault;
    } else if (r.reason === 'wfi') {
      this.state = 'halted'; // every hart sleeps with no interrupt that could wake it
      this.error = 'every hart is in wfi with no interrupt enabled';
    } else {
      this.state = 'stopped';
    }
  }

  private fail(err: unknown): void {
    this.state = 'error';
    this.error = (err as Error)?.message ?? String(err);
  }

  /** tracefs tracing_on: while off, drained events are dropped (not shown, not in the digest). */
  tracingOn = true;

  async setTracingOn(on: boolean): Promise<void> {
    this.pump();
    await this.lab.tracefs.write('tracing_on', on ? '1' : '0');
    this.tracingOn = on;
  }

  /** What the guest wrote to its UART (the newest CONSOLE_CHARS characters). */
  console = '';

  /** Moves the events drained from the guest into the tail and the digest (returns how many), and the UART output. */
  pump(): number {
    const text = this.lab.machine.takeUartOutput();
    if (text) this.console = (this.console + text).slice(-CONSOLE_CHARS);
    const events = this.lab.trace.drain();
    if (!this.tracingOn) return 0;
    if (events.length) {
      this.tail.push(events);
      if (this.config.mode === 'deterministic') this.digest.add(events); // the digest is for exact, replayable runs
    }
    return events.length;
  }

  hartInfo(): HartInfo[] {
    const m = this.lab.machine;
    return m.harts.map((h) => ({
      retired: h.retired,
      state: this.running ? m.hartState(h.index) : this.state === 'stopped' && m.isHartPaused(h.index) ? 'paused' : 'stopped',
    }));
  }

  pauseHart(hart: number): Promise<void> {
    return this.lab.machine.pauseHart(hart);
  }

  resumeHart(hart: number): void {
    this.lab.machine.resumeHart(hart);
  }

  /** Registers an ops with the page's filter/notrace text (whitespace-separated globs; empty = every function). */
  async register(spec: OpsSpec): Promise<OpsHandle> {
    const handle = await this.lab.ftrace.register({
      name: `ops${++this.opsSerial}`,
      tracer: spec.tracer as RegisterOptions['tracer'],
      ...(spec.filter.trim() ? { filter: spec.filter } : {}),
      ...(spec.notrace.trim() ? { notrace: spec.notrace } : {}),
    });
    this.userOps.set(handle, spec);
    return handle;
  }

  async unregister(handle: OpsHandle): Promise<void> {
    await this.lab.ftrace.unregister(handle);
    this.userOps.delete(handle);
  }

  async setTracer(name: string): Promise<void> {
    await this.lab.tracefs.write('current_tracer', name);
    this.tracefsState = { ...this.tracefsState, tracer: name };
  }

  async setTracefsFilter(file: 'set_ftrace_filter' | 'set_ftrace_notrace', text: string): Promise<void> {
    await this.lab.tracefs.write(file, text);
    this.tracefsState = { ...this.tracefsState, [file === 'set_ftrace_filter' ? 'filter' : 'notrace']: text };
  }

  /**
   * Re-creates another session's ops and tracefs settings here (after a reboot with another scheme, protocol or
   * guest). Returns one message per setting that could not be restored (e.g. a filter matching nothing in a new ELF).
   */
  async restoreFrom(ops: readonly OpsSpec[], tracefs: TracefsState): Promise<string[]> {
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${(err as Error).message}`);
      }
    };
    if (tracefs.filter.trim()) await attempt('set_ftrace_filter', () => this.setTracefsFilter('set_ftrace_filter', tracefs.filter));
    if (tracefs.notrace.trim()) await attempt('set_ftrace_notrace', () => this.setTracefsFilter('set_ftrace_notrace', tracefs.notrace));
    if (tracefs.tracer !== 'nop') await attempt('current_tracer', () => this.setTracer(tracefs.tracer));
    for (const spec of ops) await attempt(`ops (filter '${spec.filter}')`, () => this.register(spec));
    return problems;
  }

  /** Stops any run; the session is not used afterwards. */
  async dispose(): Promise<void> {
    await this.stop();
  }
}
