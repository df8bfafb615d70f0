// `ftrace-lab bench`: the ftrace-ops sample sweep (overhead per traced call vs relevant/irrelevant ops, every call-site scheme).
import { join } from 'node:path';
import { runOverheadSweep, PUBLISHED_ROWS, type SweepRow } from '../lab/overhead-sweep.js';
import { sweepChartSvg } from '../lab/sweep-chart.js';
import { formatSweepTable, sweepJson, sweepLegend } from '../lab/sweep-report.js';
import type { LabScheme } from '../lab/options.js';
import { SCHEME_NAMES, schemeDescriptors } from '../ftrace/schemes/registry.js';
import { ArgCursor, parseChoice, parseIntArg, VerbUsageError } from './verb-args.js';
import { ensureOutputDir, setDebug, verbMain, writeOutputFile } from './verb-main.js';

export const BENCH_USAGE = `usage: ftrace-lab bench [--calls N] [--relevant N] [--irrelevant N] [--save-regs] [--scheme NAME|both|all]
                       [--repeats N] [--out DIR] [--no-files] [--json]

Mirrors samples/ftrace/ftrace-ops.c on the emulated machine: registers N empty-callback ops filtered on
tracee_relevant and M on tracee_irrelevant, calls tracee_relevant --calls times, and reports per call the
overhead in guest instructions (minstret delta around the driver loop minus the untraced baseline; deterministic)
and in host ns (median and spread of --repeats interleaved traced/baseline samples; never printed below zero:
such a row says "within noise", and a row whose spread exceeds its overhead is flagged "noisy").

  --calls N         nr_function_calls, 1 to 1e9 (default 100000)
  --relevant N      only this row (with --irrelevant; 0 to 10000; default: the published sweep)
  --irrelevant N    0 to 10000
  --save-regs       FTRACE_OPS_FL_SAVE_REGS on every ops (ftrace_regs_caller; only schemes that have one: ${schemeDescriptors().filter((d) => d.regsCaller).map((d) => d.name).join(', ')})
  --scheme S        ${SCHEME_NAMES.join(', ')}, both (list and callops) or all (default: all; with --save-regs all that have ftrace_regs_caller)
  --repeats N       interleaved host-time samples per row, 1 to 1000 (default 5)
  --out DIR         where results.json and overhead.svg go (default bench-out/)
  --no-files        write nothing
  --json            print {"rows": [...]} to stdout instead of the table`;

export interface BenchArgs {
  calls: number;
  rows: (readonly [number, number])[];
  saveRegs: boolean;
  schemes: LabScheme[];
  repeats: number;
  out: string | null;
  json: boolean;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs | 'help' {
  const a: BenchArgs = { calls: 100_000, rows: [...PUBLISHED_ROWS], saveRegs: false, schemes: [], repeats: 5, out: 'bench-out', json: false };
  let rel: number | undefined;
  let irrel: number | undefined;
  const c = new ArgCursor(argv);
  for (let w = c.next(); w !== undefined; w = c.next()) {
    if (w === '-h' || w === '--help') return 'help';
    else if (w === '--debug') setDebug(true);
    else if (w === '--calls') a.calls = parseIntArg(c.value(w), w, 1, 1e9);
    else if (w === '--relevant') rel = parseIntArg(c.value(w), w, 0, 10_000);
    else if (w === '--irrelevant') irrel = parseIntArg(c.value(w), w, 0, 10_000);
    else if (w === '--save-regs') a.saveRegs = true;
    else if (w === '--scheme') {
      const s = parseChoice(c.value(w), w, [...SCHEME_NAMES, 'both', 'all'] as const);
      a.schemes = s === 'both' ? ['list', 'callops'] : s === 'all' ? [...SCHEME_NAMES] : [s];
    } else if (w === '--repeats') a.repeats = parseIntArg(c.value(w), w, 1, 1000);
    else if (w === '--out') a.out = c.value(w);
    else if (w === '--no-files') a.out = null;
    else if (w === '--json') a.json = true;
    else throw new VerbUsageError(`unknown argument '${w}'`);
  }
  if (rel !== undefined || irrel !== undefined) a.rows = [[rel ?? 1, irrel ?? 0]];
  if (a.schemes.length === 0) a.schemes = defaultSweepSchemes(a.saveRegs);
  return a;
}

/** The schemes a sweep covers when --scheme is not given: every registered one (with --save-regs, those with a regs caller). */
export function defaultSweepSchemes(saveRegs: boolean): LabScheme[] {
  return schemeDescriptors().filter((d) => !saveRegs || d.regsCaller).map((d) => d.name);
}

/** The progress line of a sweep: a bar, rows done, the row just measured, and the time so far. */
export function progressLine(done: number, total: number, row: Pick<SweepRow, 'scheme' | 'relevant' | 'irrelevant'>, seconds: number): string {
  const width = 24;
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} rows  ${row.scheme} (${row.relevant},${row.irrelevant})  ${seconds.toFixed(1)} s`;
}

/** Run the sweep and report; shared with `start` (npm start). Progress goes to stderr only when it is a terminal. */
export async function runBench(a: BenchArgs, stderrIsTty = process.stderr.isTTY === true): Promise<SweepRow[]> {
  if (a.out !== null) ensureOutputDir(a.out); // an unwritable --out fails before the sweep, not after it
  const t0 = performance.now();
  const total = a.schemes.length * a.rows.length;
  if (stderrIsTty) process.stderr.write(`measuring ${total} rows (${a.calls} calls each, ${a.repeats} interleaved samples)...\n`);
  const onRow = (done: number, all: number, row: SweepRow): void => {
    if (!stderrIsTty) return;
    process.stderr.write(`\r\x1b[K${progressLine(done, all, row, (performance.now() - t0) / 1000)}${done === all ? '\n' : ''}`);
  };
  const rows = await runOverheadSweep({ schemes: a.schemes, rows: a.rows, calls: a.calls, saveRegs: a.saveRegs, repeats: a.repeats, onRow });
  const seconds = (performance.now() - t0) / 1000;
  const meta = { calls: a.calls, repeats: a.repeats, saveRegs: a.saveRegs, seconds };
  if (a.json) process.stdout.write(sweepJson(rows, meta) + '\n');
  else {
    process.stdout.write(
      `ftrace-ops sample (the kernel's samples/ftrace/ftrace-ops.c on the emulated machine): ${a.calls} calls per row${a.saveRegs ? ', SAVE_REGS ops' : ''}, ${seconds.toFixed(1)} s\n`,
    );
    process.stdout.write(sweepLegend(rows));
    process.stdout.write(formatSweepTable(rows));
  }
  if (a.out !== null) {
    writeOutputFile(join(a.out, 'results.json'), sweepJson(rows, meta) + '\n');
    writeOutputFile(join(a.out, 'overhead.svg'), sweepChartSvg(rows));
    process.stderr.write(`wrote ${join(a.out, 'results.json')} and ${join(a.out, 'overhead.svg')}\n`);
  }
  return rows;
}

export const main = verbMain('bench', BENCH_USAGE, parseBenchArgs, async (a) => {
  await runBench(a);
  return 0;
});
