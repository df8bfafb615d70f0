// `ftrace-lab check-merge a.json b.json ...`: add up the JSON results of `check --shard i/n` runs of one exploration.
import { CheckError } from '../check/errors.js';
import { mergeResults, type CheckResult } from '../check/explore.js';
import { formatResult, resultJson } from './check.js';
import { ArgCursor, parseIntArg, VerbUsageError } from './verb-args.js';
import { readInputFile, verbMain } from './verb-main.js';

export const CHECK_MERGE_USAGE = `usage: ftrace-lab check-merge [--json] [--keep N] FILE...

Reads the --json output of \`ftrace-lab check --shard i/n\` runs of one exploration (same version, scenario,
protocol, profile, strategy, parameters, seed and n), adds their schedule and violation counts, and keeps the first
counterexamples by (invariant, schedule index), so the result does not depend on the order of the files. Exit 1 when
any shard found a violation.

  --json     one JSON object on stdout, in the format of check --json (shard "all/n" when every shard is there)
  --keep N   counterexamples to keep (default 3)`;

export function parseMergeArgs(argv: readonly string[]): { files: string[]; json: boolean; keep: number } | 'help' {
  const files: string[] = [];
  let json = false;
  let keep = 3;
  const c = new ArgCursor(argv);
  for (let w = c.next(); w !== undefined; w = c.next()) {
    if (w === '-h' || w === '--help') return 'help';
    else if (w === '--json') json = true;
    else if (w === '--keep') keep = parseIntArg(c.value(w), w, 0, 1000);
    else if (w.startsWith('-')) throw new VerbUsageError(`unknown option '${w}'`);
    else files.push(w);
  }
  if (files.length === 0) throw new VerbUsageError('give the JSON files of the shards');
  return { files, json, keep };
}

export const main = verbMain('check-merge', CHECK_MERGE_USAGE, parseMergeArgs, async (a) => {
  const parts = a.files.map((f) => {
    try {
      return JSON.parse(readInputFile(f).toString('utf8')) as CheckResult;
    } catch (e) {
      if (e instanceof SyntaxError) throw new CheckError('CHECK_BAD_MERGE', `${f}: not JSON (${e.message})`);
      throw e;
    }
  });
  const r = mergeResults(parts, a.keep);
  process.stdout.write((a.json ? JSON.stringify(resultJson(r)) : formatResult(r)) + '\n');
  return r.violations > 0 ? 1 : 0;
});
