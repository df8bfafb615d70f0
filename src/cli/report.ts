// `ftrace-lab report FILE`: per-function calls, total/self/average time and hits per hart from a `trace --format json` (or perfetto) export.
import { formatReport, parseReportInput, REPORT_SORT_KEYS, type ReportSortKey } from '../export/report.js';
import { ArgCursor, parseChoice, VerbUsageError } from './verb-args.js';
import { readInputFile, setDebug, verbMain } from './verb-main.js';

export const REPORT_USAGE = `usage: ftrace-lab report [-s total|self|avg|calls|name] FILE

Summarises a trace exported by 'ftrace-lab trace --format json --output FILE' (or --format perfetto), like
'uftrace report': one row per function with its total time, self time (total minus the time in the traced
functions it called), average time and completed calls, then the calls on each hart. Times are the harts' own
instruction clocks, so a trace needs --tracer function_graph for them; a function-tracer trace gives hit counts.

  -s KEY   sort by total (default), self, avg, calls or name`;

export interface ReportArgs {
  file: string;
  sort: ReportSortKey;
}

export function parseReportArgs(argv: readonly string[]): ReportArgs | 'help' {
  const c = new ArgCursor(argv);
  let file: string | undefined;
  let sort: ReportSortKey = 'total';
  for (let w = c.next(); w !== undefined; w = c.next()) {
    if (w === '-h' || w === '--help') return 'help';
    else if (w === '--debug') setDebug(true);
    else if (w === '-s' || w === '--sort') sort = parseChoice(c.value(w), w, REPORT_SORT_KEYS);
    else if (w.startsWith('-') && w !== '-') throw new VerbUsageError(`unknown option '${w}'`);
    else if (file === undefined) file = w;
    else throw new VerbUsageError(`unexpected argument '${w}'`);
  }
  if (file === undefined) throw new VerbUsageError('give the trace file (ftrace-lab trace ... --format json --output FILE)');
  return { file, sort };
}

export async function reportMain(a: ReportArgs): Promise<number> {
  const text = readInputFile(a.file).toString('utf8');
  process.stdout.write(formatReport(parseReportInput(text, a.file), a.sort));
  return 0;
}

export const main = verbMain('report', REPORT_USAGE, parseReportArgs, reportMain);
