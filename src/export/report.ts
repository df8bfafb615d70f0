// `ftrace-lab report`: per-function calls, total / self / average time and hits per hart from an exported trace, like `uftrace report`.
import type { LabTraceEvent } from '../lab/trace-events.js';
import { graphSlices, PATCH_TID } from './chrome-trace.js';
import { parseJsonTrace, TraceFileError, JSON_TRACE_FORMAT } from './json-export.js';

/** A completed call: its hart, function and [start, end) on that hart's clock (ns). */
export interface ReportCall {
  readonly hart: number;
  readonly name: string;
  readonly startNs: number;
  readonly endNs: number;
}

/** What a report is computed from. */
export interface ReportInput {
  readonly title: string;
  readonly harts: number;
  readonly calls: readonly ReportCall[];
  /** Function-tracer hits (traces without function_graph have only these). */
  readonly hits: readonly { readonly hart: number; readonly name: string }[];
}

export interface ReportRow {
  readonly name: string;
  /** Completed calls (function_graph) or hits (function tracer only). */
  readonly calls: number;
  readonly totalNs: number;
  readonly selfNs: number;
  readonly perHart: readonly number[];
}

export const REPORT_SORT_KEYS = ['total', 'self', 'avg', 'calls', 'name'] as const;
export type ReportSortKey = (typeof REPORT_SORT_KEYS)[number];

/** Reads a `--format json` export or a `--format perfetto` (Chrome Trace Event) export. */
export function parseReportInput(text: string, name: string): ReportInput {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new TraceFileError(`${name} is not a trace export: not JSON (${(e as Error).message})`);
  }
  if (typeof doc === 'object' && doc !== null && (doc as { format?: unknown }).format === JSON_TRACE_FORMAT) {
    const r = parseJsonTrace(text, name);
    return fromEvents(`${r.meta.program}, ${r.meta.harts} hart${r.meta.harts === 1 ? '' : 's'}, tracer ${r.meta.tracer}, clock ${r.meta.clockHz} Hz`, r.meta.harts, r.events);
  }
  const events = Array.isArray(doc) ? doc : (doc as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events)) throw new TraceFileError(`${name} is not a trace export (neither an ftrace-lab JSON trace nor Chrome Trace Event JSON)`);
  return fromChrome(name, events);
}

function fromEvents(title: string, harts: number, events: readonly LabTraceEvent[]): ReportInput {
  const calls = graphSlices(events).filter((s) => s.partial !== 'no-return');
  const hits = events.filter((e) => (e.kind ?? 'function') === 'function').map((e) => ({ hart: e.hart, name: e.symbol }));
  return { title, harts, calls, hits };
}

function fromChrome(name: string, events: readonly unknown[]): ReportInput {
  const calls: ReportCall[] = [];
  const hits: { hart: number; name: string }[] = [];
  let harts = 0;
  let title = name;
  for (const raw of events) {
    const e = raw as { ph?: unknown; tid?: unknown; ts?: unknown; dur?: unknown; name?: unknown; cat?: unknown; args?: { name?: unknown } };
    if (typeof e !== 'object' || e === null || typeof e.ph !== 'string') throw new TraceFileError(`${name}: an event without "ph"`);
    if (e.ph === 'M' && e.name === 'process_name' && typeof e.args?.name === 'string') title = e.args.name;
    const tid = typeof e.tid === 'number' ? e.tid : -1;
    if (tid < 0 || tid === PATCH_TID || typeof e.name !== 'string') continue;
    if (e.ph === 'X' && e.cat === 'function_graph') {
      if (typeof e.ts !== 'number' || typeof e.dur !== 'number') throw new TraceFileError(`${name}: an X event without ts/dur`);
      const start = Math.trunc(e.ts * 1000);
      calls.push({ hart: tid, name: e.name, startNs: start, endNs: start + Math.trunc(e.dur * 1000) });
      harts = Math.max(harts, tid + 1);
    } else if ((e.ph === 'i' || e.ph === 'I') && e.cat === 'function') {
      hits.push({ hart: tid, name: e.name });
      harts = Math.max(harts, tid + 1);
    }
  }
  if (calls.length === 0 && hits.length === 0) throw new TraceFileError(`${name}: no function_graph slices or function events (not an ftrace-lab export?)`);
  return { title, harts, calls, hits };
}

/** Totals per function: with graph calls, time and self time (total minus direct children); else hits only. */
export function summarize(input: ReportInput): { rows: ReportRow[]; timed: boolean } {
  const rows = new Map<string, { calls: number; totalNs: number; selfNs: number; perHart: number[] }>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (!r) rows.set(name, (r = { calls: 0, totalNs: 0, selfNs: 0, perHart: new Array<number>(input.harts).fill(0) }));
    return r;
  };
  const timed = input.calls.length > 0;
  if (timed) {
    const byHart = new Map<number, ReportCall[]>();
    for (const c of input.calls) {
      let l = byHart.get(c.hart);
      if (!l) byHart.set(c.hart, (l = []));
      l.push(c);
    }
    for (const list of byHart.values()) {
      list.sort((a, b) => a.startNs - b.startNs || b.endNs - a.endNs);
      const stack: { c: ReportCall; children: number }[] = [];
      const close = (f: { c: ReportCall; children: number }) => {
        const d = f.c.endNs - f.c.startNs;
        const r = row(f.c.name);
        r.calls++;
        r.totalNs += d;
        r.selfNs += d - f.children;
        r.perHart[f.c.hart] = (r.perHart[f.c.hart] ?? 0) + 1;
        const parent = stack[stack.length - 1];
        if (parent) parent.children += d;
      };
      for (const c of list) {
        while (stack.length > 0 && stack[stack.length - 1]!.c.endNs <= c.startNs) close(stack.pop()!);
        stack.push({ c, children: 0 });
      }
      while (stack.length > 0) close(stack.pop()!);
    }
  } else {
    for (const h of input.hits) {
      const r = row(h.name);
      r.calls++;
      r.perHart[h.hart] = (r.perHart[h.hart] ?? 0) + 1;
    }
  }
  return { rows: [...rows].map(([name, r]) => ({ name, ...r })), timed };
}

/** A duration the way uftrace prints one: 3 decimals in us, ms or s, right-aligned in 10 columns. */
export function formatReportTime(ns: number): string {
  const [v, unit] = ns < 1e6 ? [ns / 1e3, 'us'] : ns < 1e9 ? [ns / 1e6, 'ms'] : [ns / 1e9, ' s'];
  return `${v.toFixed(3)} ${unit}`.padStart(10);
}

function sortRows(rows: ReportRow[], key: ReportSortKey): ReportRow[] {
  const avg = (r: ReportRow) => (r.calls ? r.totalNs / r.calls : 0);
  const by: Record<ReportSortKey, (a: ReportRow, b: ReportRow) => number> = {
    total: (a, b) => b.totalNs - a.totalNs,
    self: (a, b) => b.selfNs - a.selfNs,
    avg: (a, b) => avg(b) - avg(a),
    calls: (a, b) => b.calls - a.calls,
    name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  };
  return [...rows].sort((a, b) => by[key](a, b) || b.calls - a.calls || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The report text: a Total/Self/Avg/Calls table with one hit column per hart (hits only without function_graph). */
export function formatReport(input: ReportInput, key: ReportSortKey = 'total'): string {
  const { rows, timed } = summarize(input);
  const sorted = sortRows(rows, timed || key === 'name' ? key : 'calls');
  const harts = Array.from({ length: input.harts }, (_, h) => `hart${h}`.padStart(10));
  const cols = [...(timed ? ['Total time', 'Self time', 'Avg time'] : []), 'Calls', ...harts.map((h) => h.trim())].map((c) => c.padStart(10));
  let out = `# ${input.title}\n# ${timed ? 'function_graph calls: time on each hart\'s instruction clock' : 'function tracer hits (no times: trace with --tracer function_graph for them)'}\n`;
  out += `  ${cols.join('  ')}  Function\n`;
  out += `  ${cols.map(() => '=========='.padStart(10)).join('  ')}  ====================\n`;
  for (const r of sorted) {
    const time = timed ? [formatReportTime(r.totalNs), formatReportTime(r.selfNs), formatReportTime(r.calls ? r.totalNs / r.calls : 0)] : [];
    const cells = [...time, String(r.calls).padStart(10), ...r.perHart.map((n) => String(n).padStart(10))];
    out += `  ${cells.join('  ')}  ${r.name}\n`;
  }
  return out;
}
