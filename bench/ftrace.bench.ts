// ftrace-ops sample sweep as a benchmark: guest instructions and host ns per traced call, both schemes, the published rows.
// Run: npx tsx bench/ftrace.bench.ts   (FTRACE_BENCH_CALLS, FTRACE_BENCH_REPEATS override 100,000 calls / 5 samples)
import '../src/machine/platform-node.js';
import { formatSweepTable, runOverheadSweep, sweepLegend } from '../src/lab/index.js';

const calls = Number(process.env['FTRACE_BENCH_CALLS'] ?? 100_000);
const repeats = Number(process.env['FTRACE_BENCH_REPEATS'] ?? 5);
const t0 = performance.now();
const rows = await runOverheadSweep({
  calls,
  repeats,
  onRow: (done, total, r) => process.stderr.write(`\r${done}/${total} ${r.scheme} (${r.relevant},${r.irrelevant})      `),
});
process.stderr.write('\n');
console.log(`## ftrace-ops sample on ftrace-lab (${calls} calls/row, at least ${repeats} interleaved samples, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
console.log(sweepLegend(rows));
console.log(formatSweepTable(rows));
for (const r of rows) {
  console.log(`FIGURE ftrace.${r.scheme}.r${r.relevant}.i${r.irrelevant} overheadInsns=${r.overheadInsns} overheadNs=${r.overheadNs.toFixed(1)} spreadNs=${r.overheadNsSpread.toFixed(1)} noisy=${r.noisy}`);
}
