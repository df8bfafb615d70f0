// `ftrace-lab start` (npm start): the overhead sweep on the synthetic kernel, sized to finish well within a minute.
import { PUBLISHED_ROWS } from '../lab/overhead-sweep.js';
import { defaultSweepSchemes, runBench, type BenchArgs } from './bench.js';
import { ArgCursor, parseIntArg, VerbUsageError } from './verb-args.js';
import { setDebug, verbMain, writeOutputFile } from './verb-main.js';
import { join } from 'node:path';
import { formatStaticKeyTable, runStaticKeyBench } from '../lab/static-key-bench.js';

/** Calls per row for npm start (the bench verb's default stays 100,000). */
export const START_CALLS = 10_000;
/** Interleaved host-time repeats per row for npm start. */
export const START_REPEATS = 5;

export const START_USAGE = `usage: ftrace-lab start [--out DIR] [--no-files] [--calls N] [--repeats N]

The main job (what 'npm start' runs): the ftrace-ops overhead sweep of 'ftrace-lab bench' over the published rows,
every call-site scheme, ${START_CALLS.toLocaleString('en-US')} calls per row. Prints the table (what each scheme is and what baseline and
overhead mean come first), then the static-key table (per-call cost with the key off and on, one enable/disable
with each patch protocol), and writes results.json, overhead.svg and static-keys.json.

  --out DIR         where results.json and overhead.svg go (default bench-out/)
  --no-files        write nothing
  --calls N         calls per row, 1 to 1e9 (default ${START_CALLS})
  --repeats N       interleaved host-time measurements per row, 1 to 1000 (default ${START_REPEATS})

For other rows, schemes or JSON output use 'ftrace-lab bench' (see 'ftrace-lab bench --help').`;

export function parseStartArgs(argv: readonly string[]): BenchArgs | 'help' {
  const a: BenchArgs = { calls: START_CALLS, rows: [...PUBLISHED_ROWS], saveRegs: false, schemes: defaultSweepSchemes(false), repeats: START_REPEATS, out: 'bench-out', json: false };
  const c = new ArgCursor(argv);
  for (let w = c.next(); w !== undefined; w = c.next()) {
    if (w === '-h' || w === '--help') return 'help';
    else if (w === '--debug') setDebug(true);
    else if (w === '--out') a.out = c.value(w);
    else if (w === '--no-files') a.out = null;
    else if (w === '--calls') a.calls = parseIntArg(c.value(w), w, 1, 1e9);
    else if (w === '--repeats') a.repeats = parseIntArg(c.value(w), w, 1, 1000);
    else throw new VerbUsageError(`unknown argument '${w}'`);
  }
  return a;
}

export const main = verbMain('start', START_USAGE, parseStartArgs, async (a) => {
  await runBench(a);
  // the static-key table (jump labels are patched by the same plans and protocols, but have no tracer to sweep)
  const t = await runStaticKeyBench({ functions: 1000, repeats: 3 });
  process.stdout.write('\n' + formatStaticKeyTable(t));
  if (a.out !== null) {
    writeOutputFile(join(a.out, 'static-keys.json'), JSON.stringify(t, null, 2) + '\n');
    process.stderr.write(`wrote ${join(a.out, 'static-keys.json')}\n`);
  }
  return 0;
});
