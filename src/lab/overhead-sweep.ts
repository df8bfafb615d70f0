// The ftrace-ops sample as a measurement (samples/ftrace/ftrace-ops.c): per-call overhead of N relevant + M irrelevant ops.
import { FTRACE_OPS_FL_SAVE_REGS } from '../ftrace/flags.js';
import type { GuestImage } from '../workload/guest-image.js';
import { buildGuestImage } from '../workload/guest-image.js';
import { FTRACE_OPS_SAMPLE } from '../workload/ftrace-ops-sample.js';
import { LabError } from './errors.js';
import { isSchemeName, SCHEME_NAMES, schemeDescriptor, schemeDescriptors } from '../ftrace/schemes/registry.js';
import { kernelOptionsFor, LAB_HEAP_SIZE } from './guest-boot.js';
import { Lab } from './lab.js';
import type { LabScheme } from './options.js';

/** The published tables' rows (relevant, irrelevant). */
export const PUBLISHED_ROWS: readonly (readonly [number, number])[] = [
  [1, 0], [1, 1], [1, 2], [1, 10], [1, 100], [1, 200], [2, 0], [10, 0], [100, 0], [200, 0],
];

export interface SweepOptions {
  readonly schemes?: readonly LabScheme[];
  readonly rows?: readonly (readonly [number, number])[];
  /** nr_function_calls (default 100,000). */
  readonly calls?: number;
  readonly saveRegs?: boolean;
  /** Interleaved (traced, baseline) host-time samples per row (median and spread reported; default 5). */
  readonly repeats?: number;
  /**
   * Host-time budget per row in ms (default 150): after `repeats` samples, more are taken (up to 6 x repeats) until
   * the row has spent this long, so quick rows get enough samples for a stable median on a busy machine.
   */
  readonly minRowMs?: number;
  /** Called after each measured row (progress bars). */
  readonly onRow?: (done: number, total: number, row: SweepRow) => void;
}

export interface SweepRow {
  readonly scheme: LabScheme;
  readonly relevant: number;
  readonly irrelevant: number;
  readonly saveRegs: boolean;
  readonly calls: number;
  /** Guest instructions per call of the driver loop with the ops registered (minstret delta / calls). */
  readonly tracedInsns: number;
  /** The same with no ops (sites disabled: auipc + nop). */
  readonly baselineInsns: number;
  /** tracedInsns - baselineInsns. */
  readonly overheadInsns: number;
  /** Raw minstret deltas around the loop (deterministic; what tests compare). */
  readonly tracedInstret: bigint;
  readonly baselineInstret: bigint;
  /** Host ns per call of the loop (median over the interleaved samples; boot time subtracted). */
  readonly tracedNs: number;
  readonly baselineNs: number;
  /** Median over the samples of (traced - baseline) of the same pair; may be <= 0 when the difference is noise. */
  readonly overheadNs: number;
  /** Spreads: half the interquartile range of the per-sample values (ns per call). */
  readonly tracedNsSpread: number;
  readonly baselineNsSpread: number;
  readonly overheadNsSpread: number;
  /** Interleaved (traced, baseline) sample pairs behind the ns figures. */
  readonly samples: number;
  /** The host-ns overhead is not told apart from noise: it is <= 0, or its spread exceeds it. */
  readonly noisy: boolean;
}

interface Measurement {
  readonly instret: bigint;
  readonly ns: number;
}

const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/** Linear-interpolated quantile q of xs (q in [0, 1]). */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Median and spread (half the interquartile range) of samples. */
export function medianSpread(xs: readonly number[]): { median: number; spread: number } {
  return { median: median(xs), spread: (quantile(xs, 0.75) - quantile(xs, 0.25)) / 2 };
}

/** A one-hart guest image with a tiny kernel whose main runs the sample driver. */
export function sampleImage(scheme: LabScheme): GuestImage {
  return buildGuestImage({
    runtime: { harts: 1, scheme, bufferSizeKb: 4, heapSize: LAB_HEAP_SIZE },
    kernel: kernelOptionsFor(scheme, { functions: 4, seed: 1 }),
    sample: { nrCalls: 1 },
    runSample: true,
  });
}

/** One whole guest run (boot, tiny kernel, driver loop of `calls`) on the same Lab, restarting hart 0: instret + host ns. */
async function runOnce(lab: Lab, calls: number): Promise<Measurement> {
  const m = lab.machine;
  m.memory.writeU64(lab.symbol(FTRACE_OPS_SAMPLE.nrCalls), calls);
  m.setTohost(lab.symbol('tohost'));
  m.resetHart(0, lab.symbol('_start'));
  const t0 = performance.now(); // portable clock (Node and browsers); runs last milliseconds, so its resolution suffices
  const r = await lab.run({ maxInsns: 1e11 });
  const ns = (performance.now() - t0) * 1e6;
  if (r.reason !== 'halted' || r.exitCode !== 0) {
    throw new LabError('LAB_BAD_OPTION', `the sample run stopped with ${r.reason}${r.exitCode !== undefined ? ` (exit ${r.exitCode})` : ''}`);
  }
  return { instret: m.memory.readU64(lab.symbol(FTRACE_OPS_SAMPLE.instret)), ns };
}

/** Host ns of the driver loop alone: a run with `calls` minus a run with 0 calls, so boot and kernel time cancel out. */
async function loopSample(lab: Lab, calls: number): Promise<Measurement> {
  const full = await runOnce(lab, calls);
  const empty = await runOnce(lab, 0);
  return { instret: full.instret, ns: full.ns - empty.ns };
}

/**
 * At least `repeats` interleaved samples of the traced and the baseline Lab (order alternating, ABBA, so drift of the
 * host hits both alike; an even count past `repeats`), more while the row is under `minRowMs`, after one warm-up run
 * of each. Instruction counts are deterministic: checked equal across samples.
 */
async function measurePair(traced: Lab, baseline: Lab, calls: number, repeats: number, minRowMs: number): Promise<{ traced: bigint; baseline: bigint; tracedNs: number[]; baselineNs: number[] }> {
  await runOnce(traced, calls); // warm-up: V8 tiers up the engine on both
  await runOnce(baseline, calls);
  const tracedNs: number[] = [];
  const baselineNs: number[] = [];
  let ti: bigint | null = null;
  let bi: bigint | null = null;
  const same = (prev: bigint | null, now: bigint): bigint => {
    if (prev !== null && prev !== now) throw new LabError('LAB_BAD_OPTION', `instruction count changed between repeats (${prev} vs ${now})`);
    return now;
  };
  const t0 = performance.now();
  for (let i = 0; i < repeats || (performance.now() - t0 < minRowMs && i < 6 * repeats) || i % 2 === 1; i++) {
    const order = i % 2 === 0 ? [traced, baseline] : [baseline, traced];
    for (const lab of order) {
      const m = await loopSample(lab, calls);
      if (lab === traced) {
        ti = same(ti, m.instret);
        tracedNs.push(m.ns / calls);
      } else {
        bi = same(bi, m.instret);
        baselineNs.push(m.ns / calls);
      }
    }
  }
  return { traced: ti!, baseline: bi!, tracedNs, baselineNs };
}

/** A fresh Lab on the scheme's image with `relevant` + `irrelevant` empty-callback ops registered. */
async function labWithOps(image: GuestImage, scheme: LabScheme, relevant: number, irrelevant: number, saveRegs: boolean): Promise<Lab> {
  const lab = await Lab.create({ harts: 1, scheme, image, bufferSizeKb: 4 });
  const flags = saveRegs ? FTRACE_OPS_FL_SAVE_REGS : 0;
  for (let i = 0; i < irrelevant; i++) {
    await lab.ftrace.register({ name: `irrelevant${i}`, func: 'ops_func_nop', filter: FTRACE_OPS_SAMPLE.irrelevant, flags });
  }
  const direct = schemeDescriptor(scheme).sampleDirect;
  for (let i = 0; i < relevant; i++) {
    if (i === 0 && direct) {
      // register_ftrace_direct with an empty trampoline: one direct trampoline per function, the other ops are ordinary
      await lab.ftrace.register({ name: `relevant${i}`, direct, filter: FTRACE_OPS_SAMPLE.relevant });
      continue;
    }
    await lab.ftrace.register({ name: `relevant${i}`, func: 'ops_func_nop', filter: FTRACE_OPS_SAMPLE.relevant, flags });
  }
  return lab;
}

function checkCount(v: number, what: string, lo: number, hi: number): number {
  if (!Number.isSafeInteger(v) || v < lo || v > hi) throw new LabError('LAB_BAD_OPTION', `${what} must be an integer from ${lo} to ${hi}, got ${String(v)}`);
  return v;
}

/** Measure every (scheme, row): deterministic instruction overheads, and host ns from interleaved traced/baseline pairs. */
export async function runOverheadSweep(opts: SweepOptions = {}): Promise<SweepRow[]> {
  const saveRegsOpt = opts.saveRegs ?? false;
  const schemes = opts.schemes ?? schemeDescriptors().filter((d) => !saveRegsOpt || d.regsCaller).map((d) => d.name);
  const rows = opts.rows ?? PUBLISHED_ROWS;
  const calls = checkCount(opts.calls ?? 100_000, 'calls', 1, 1e9);
  const repeats = checkCount(opts.repeats ?? 5, 'repeats', 1, 1000);
  for (const [r, i] of rows) {
    checkCount(r, 'relevant', 0, 10_000);
    checkCount(i, 'irrelevant', 0, 10_000);
  }
  const saveRegs = saveRegsOpt;
  const minRowMs = opts.minRowMs ?? 150;
  if (!(minRowMs >= 0) || !Number.isFinite(minRowMs)) throw new LabError('LAB_BAD_OPTION', `minRowMs must be a finite number >= 0, got ${String(minRowMs)}`);
  const out: SweepRow[] = [];
  const total = schemes.length * rows.length;
  for (const scheme of schemes) {
    if (!isSchemeName(scheme)) throw new LabError('LAB_BAD_OPTION', `unknown scheme '${String(scheme)}' (known: ${SCHEME_NAMES.join(', ')})`);
    if (saveRegs && !schemeDescriptor(scheme).regsCaller) {
      throw new LabError('LAB_BAD_OPTION', `scheme '${scheme}' has no ftrace_regs_caller (riscv 6.16 has DYNAMIC_FTRACE_WITH_ARGS only): save_regs needs ${schemeDescriptors().filter((d) => d.regsCaller).map((d) => d.name).join(' or ')}`);
    }
    const image = sampleImage(scheme);
    const baseline = await labWithOps(image, scheme, 0, 0, false);
    for (const [relevant, irrelevant] of rows) {
      const traced = await labWithOps(image, scheme, relevant, irrelevant, saveRegs);
      const m = await measurePair(traced, baseline, calls, repeats, minRowMs);
      const tracedInsns = Number(m.traced) / calls;
      const baselineInsns = Number(m.baseline) / calls;
      const t = medianSpread(m.tracedNs);
      const b = medianSpread(m.baselineNs);
      const o = medianSpread(m.tracedNs.map((x, i) => x - m.baselineNs[i]!));
      const row: SweepRow = {
        scheme, relevant, irrelevant, saveRegs, calls,
        tracedInsns, baselineInsns, overheadInsns: tracedInsns - baselineInsns,
        tracedInstret: m.traced, baselineInstret: m.baseline,
        tracedNs: t.median, baselineNs: b.median, overheadNs: o.median,
        tracedNsSpread: t.spread, baselineNsSpread: b.spread, overheadNsSpread: o.spread,
        samples: m.tracedNs.length,
        noisy: o.median <= 0 || o.spread >= o.median,
      };
      out.push(row);
      opts.onRow?.(out.length, total, row);
    }
  }
  return out;
}
