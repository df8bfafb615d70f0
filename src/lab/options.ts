// Options of Lab.create and their validation (defaults, typed LAB_BAD_OPTION errors).
import type { SiteLayoutKind } from '../ftrace/site-layout.js';
import { isProtocolName, PROTOCOL_NAMES, type PatchProtocol, type ProtocolName } from '../patch/protocols/index.js';
import type { WorkloadMode } from '../workload/guest-image.js';
import type { GuestImage } from '../workload/guest-image.js';
import type { SyntheticKernelOptions } from '../workload/synthetic-kernel.js';
import { MAX_HARTS } from '../machine/layout.js';
import type { ScheduleStrategy } from '../machine/sched/deterministic.js';
import { LabError } from './errors.js';
import { DEFAULT_TRACE_CLOCK_HZ } from './trace-clock.js';
import { isSchemeName, SCHEME_NAMES, type SchemeName } from '../ftrace/schemes/registry.js';

/** A call-site scheme of the registry (src/ftrace/schemes/registry.ts). */
export type LabScheme = SchemeName;
export type LabMode = 'deterministic' | 'parallel';

/** The synthetic kernel and the ftrace-ops sample that main runs. */
export interface LabKernelOptions extends SyntheticKernelOptions {
  /** Does main run the ftrace-ops sample driver after the kernel (default false)? */
  readonly runSample?: boolean;
  /** The sample's nr_function_calls (default 100,000). */
  readonly nrCalls?: number;
  /** Input of synthetic_kernel_run (default 1). */
  readonly input?: number;
  readonly layout?: SiteLayoutKind;
  /**
   * What main runs: 'once' (default: synthetic_kernel_run once per hart, then the sample if asked) or 'loop' (the
   * live-patching workload: every hart repeats synthetic_kernel_run, with a quiescent point per pass, until
   * `lab.stopWorkload()` or `iterations` passes).
   */
  readonly workload?: WorkloadMode;
  /** 'loop' workload: passes per hart before it stops on its own (default 0 = until lab.stopWorkload()). */
  readonly iterations?: number;
}

export interface LabOptions {
  /** Harts (default 1). */
  readonly harts?: number;
  /** Call-site scheme (default 'callops'). */
  readonly scheme?: LabScheme;
  /** The synthetic kernel (the default guest when no `elf` is given). */
  readonly kernel?: LabKernelOptions;
  /** A RISC-V ELF with __patchable_function_entries; the guest runtime is placed above its highest segment. */
  readonly elf?: Uint8Array;
  readonly mode?: LabMode;
  readonly seed?: number;
  readonly quantum?: number;
  /** Per-hart trace buffer (tracefs buffer_size_kb; default 256). */
  readonly bufferSizeKb?: number;
  /** Guest RAM bytes (default 64 MiB). */
  readonly ram?: number;
  /**
   * How plans reach the text while harts run: a protocol name ('atomic', 'stop-machine', 'breakpoint', 'stop-all';
   * default: the scheme's own, e.g. 'atomic' for the 6.16 sites, 'stop-machine' for riscv-legacy) or a PatchProtocol object. An ELF guest installs its own trap vector, so there 'atomic' flushes the
   * harts' icaches from the host instead of by IPI.
   */
  readonly protocol?: ProtocolName | PatchProtocol;
  /** 'rcu-tasks' (default): frees wait for a grace period. 'immediate': UNSAFE, frees at once (tests, the checker). */
  readonly teardown?: 'rcu-tasks' | 'immediate';
  /** Instruction fetch granularity of the harts (Machine option `fetch`, default 'ziccif'). */
  readonly fetch?: 'ziccif' | 'parcels';
  /** Deterministic mode: draw the schedule with this strategy (the checker's PCT / exhaustive searches). */
  readonly strategy?: ScheduleStrategy;
  /** Record the deterministic schedule (default: when harts > 1). */
  readonly recordSchedule?: boolean;
  /** Trace-clock frequency in Hz: event times in ns = the hart's retired instructions × 1e9 / clockHz (default 1 GHz). */
  readonly clockHz?: number;
  /** A guest image built earlier with the same harts/scheme/bufferSizeKb (skips assembling; benchmarks reuse it). */
  readonly image?: GuestImage;
}

export interface ResolvedLabOptions {
  readonly harts: number;
  readonly scheme: LabScheme;
  readonly mode: LabMode;
  readonly bufferSizeKb: number;
  readonly ram: number;
  readonly teardown: 'rcu-tasks' | 'immediate';
  readonly clockHz: number;
}

function bad(message: string): never {
  throw new LabError('LAB_BAD_OPTION', message);
}

export function resolveLabOptions(opts: LabOptions): ResolvedLabOptions {
  if (typeof opts !== 'object' || opts === null) bad('Lab options must be an object');
  const harts = opts.harts ?? 1;
  if (!Number.isInteger(harts) || harts < 1 || harts > MAX_HARTS) bad(`harts must be an integer from 1 to ${MAX_HARTS}, got ${String(harts)}`);
  const scheme = opts.scheme ?? 'callops';
  if (!isSchemeName(scheme)) bad(`scheme must be one of ${SCHEME_NAMES.join(', ')}, got '${String(scheme)}'`);
  const mode = opts.mode ?? 'deterministic';
  if (mode !== 'deterministic' && mode !== 'parallel') bad(`mode must be 'deterministic' or 'parallel', got '${String(mode)}'`);
  const bufferSizeKb = opts.bufferSizeKb ?? 256;
  if (!Number.isInteger(bufferSizeKb) || bufferSizeKb < 1 || bufferSizeKb > 65536) bad(`bufferSizeKb must be an integer from 1 to 65536, got ${String(bufferSizeKb)}`);
  const ram = opts.ram ?? 64 << 20;
  if (opts.elf !== undefined && !(opts.elf instanceof Uint8Array)) bad('elf must be a Uint8Array');
  if (opts.elf !== undefined && opts.kernel !== undefined) bad('give either kernel or elf, not both');
  const p = opts.protocol;
  if (p !== undefined && typeof p !== 'object' && !isProtocolName(p)) bad(`protocol must be one of ${PROTOCOL_NAMES.join(', ')}, got '${String(p)}'`);
  if (p !== undefined && typeof p === 'object' && (p === null || typeof p.steps !== 'function')) bad('protocol must be a name or a PatchProtocol');
  const teardown = opts.teardown ?? 'rcu-tasks';
  if (teardown !== 'rcu-tasks' && teardown !== 'immediate') bad(`teardown must be 'rcu-tasks' or 'immediate', got '${String(teardown)}'`);
  const w = opts.kernel?.workload;
  if (w !== undefined && w !== 'once' && w !== 'loop') bad(`kernel.workload must be 'once' or 'loop', got '${String(w)}'`);
  const it = opts.kernel?.iterations;
  if (it !== undefined && (!Number.isSafeInteger(it) || it < 0)) bad(`kernel.iterations must be an integer >= 0, got ${String(it)}`);
  const clockHz = opts.clockHz ?? DEFAULT_TRACE_CLOCK_HZ;
  if (!Number.isSafeInteger(clockHz) || clockHz < 1 || clockHz > 1e12) bad(`clockHz must be an integer from 1 to 1e12, got ${String(clockHz)}`);
  return { harts, scheme, mode, bufferSizeKb, ram, teardown, clockHz };
}
