// The ftrace-ops sample as a measurement (samples/ftrace/ftrace-ops.c): per-call overhead of N relevant + M irrelevant ops.
import { FTRACE_OPS_FL_SAVE_REGS } from '../ftrace/flags.js';
import type { GuestImage } from '../workload/guest-image.js';
import { buildGuestImage } from '../workload/guest-image.js';
import { FTRACE_OPS_SAMPLE } from '../workload/ftrace-ops-sample.js';
import { LabError } from './errors.js';
import { LAB_HEAP_SIZE } from './guest-boot.js';
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
  /** Host-time repeats per row (median reported; default 3). Instruction counts are deterministic. */
  readonly repeats?: number;
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
  /** Host ns per call (median of repeats of the whole guest run / calls). */
  readonly tracedNs: number;
  readonly baselineNs: number;
  readonly overheadNs: number;
}

interface Measurement {
  readonly instret: bigint;
  readonly ns: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** A one-hart guest image with a tiny kernel whose main runs the sample driver. */
export function sampleImage(scheme: LabScheme): GuestImage {
  return buildGuestImage({
    runtime: { harts: 1, scheme, bufferSizeKb: 4, heapSize: LAB_HEAP_SIZE },
    kernel: { functions: 4, seed: 1 },
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

/**
 * Instructions of the driver loop (deterministic: checked equal across repeats) and host ns of the loop alone:
 * after one warm-up run, median(run with `calls`) - median(run with 0 calls), so boot and kernel time cancel out.
 */
async function measure(lab: Lab, calls: number, repeats: number): Promise<Measurement> {
  await runOnce(lab, Math.min(calls, 1000)); // warm-up: V8 tiers up the engine
  const full: number[] = [];
  const empty: number[] = [];
  let instret: bigint | null = null;
  for (let i = 0; i < repeats; i++) {
    const r = await runOnce(lab, calls);
    if (instret !== null && r.instret !== instret) {
      throw new LabError('LAB_BAD_OPTION', `instruction count changed between repeats (${instret} vs ${r.instret})`);
    }
    instret = r.instret;
    full.push(r.ns);
    empty.push((await runOnce(lab, 0)).ns);
  }
  return { instret: instret!, ns: Math.max(0, median(full) - median(empty)) };
}

/** A fresh Lab on the scheme's image with `relevant` + `irrelevant` empty-callback ops registered. */
async function labWithOps(image: GuestImage, scheme: LabScheme, relevant: number, irrelevant: number, saveRegs: boolean): Promise<Lab> {
  const lab = await Lab.create({ harts: 1, scheme, image, bufferSizeKb: 4 });
  const flags = saveRegs ? FTRACE_OPS_FL_SAVE_REGS : 0;
  for (let i = 0; i < irrelevant; i++) {
    await lab.ftrace.register({ name: `irrelevant${i}`, func: 'ftrace_ops_nop_func', filter: FTRACE_OPS_SAMPLE.irrelevant, flags });
  }
  for (let i = 0; i < relevant; i++) {
    await lab.ftrace.register({ name: `relevant${i}`, func: 'ftrace_ops_nop_func', filter: FTRACE_OPS_SAMPLE.relevant, flags });
  }
  return lab;
}

function checkCount(v: number, what: string, lo: number, hi: number): number {
  if (!Number.isSafeInteger(v) || v < lo || v > hi) throw new LabError('LAB_BAD_OPTION', `${what} must be an integer from ${lo} to ${hi}, got ${String(v)}`);
  return v;
}

/** Measure every (scheme, row): deterministic instruction overheads and median host ns. */
export async function runOverheadSweep(opts: SweepOptions = {}): Promise<SweepRow[]> {
  const schemes = opts.schemes ?? ['list', 'callops'];
  const rows = opts.rows ?? PUBLISHED_ROWS;
  const calls = checkCount(opts.calls ?? 100_000, 'calls', 1, 1e9);
  const repeats = checkCount(opts.repeats ?? 3, 'repeats', 1, 1000);
  for (const [r, i] of rows) {
    checkCount(r, 'relevant', 0, 10_000);
    checkCount(i, 'irrelevant', 0, 10_000);
  }
  const saveRegs = opts.saveRegs ?? false;
  const out: SweepRow[] = [];
  const total = schemes.length * rows.length;
  for (const scheme of schemes) {
    if (scheme !== 'list' && scheme !== 'callops') throw new LabError('LAB_BAD_OPTION', `unknown scheme '${String(scheme)}'`);
    const image = sampleImage(scheme);
    const base = await measure(await labWithOps(image, scheme, 0, 0, false), calls, repeats);
    for (const [relevant, irrelevant] of rows) {
      const traced = await measure(await labWithOps(image, scheme, relevant, irrelevant, saveRegs), calls, repeats);
      const tracedInsns = Number(traced.instret) / calls;
      const baselineInsns = Number(base.instret) / calls;
      const row: SweepRow = {
        scheme, relevant, irrelevant, saveRegs, calls,
        tracedInsns, baselineInsns, overheadInsns: tracedInsns - baselineInsns,
        tracedInstret: traced.instret, baselineInstret: base.instret,
        tracedNs: traced.ns / calls, baselineNs: base.ns / calls, overheadNs: (traced.ns - base.ns) / calls,
      };
      out.push(row);
      opts.onRow?.(out.length, total, row);
    }
  }
  return out;
}
