// `--format perfetto`: Chrome Trace Event JSON (what Perfetto UI and chrome://tracing open) — one process per run, one thread track per hart, a track for the patch protocol.
//
// function_graph calls become complete ('X') slices, function-tracer calls instant ('i') events, patch-protocol steps
// instants on their own track; a step that reaches harts (an IPI, a host icache flush) is a short slice there with a
// flow arrow to a short slice on each target hart's track, at that hart's own clock. Times are the trace clock's ns
// written as µs with the exact encoding (ns + 0.5) / 1000 (Perfetto truncates µs × 1000 to integer ns).
import type { LabTraceEvent } from '../lab/trace-events.js';
import type { TraceRecording } from './recording.js';

/** pid of the one process; the patch track's tid (harts use tid = hart id). */
export const PERFETTO_PID = 1;
export const PATCH_TID = 1000;
/** Length of the marker slices that carry flow arrows (ns): flows must start and end strictly inside a slice. */
export const MARKER_NS = 2;

/** One graph call as a slice on its hart's track. */
export interface GraphSlice {
  readonly hart: number;
  readonly name: string;
  readonly startNs: number;
  readonly endNs: number;
  readonly depth: number;
  /** The return was seen but not the entry (entry lost), or the entry but not the return (the run ended first). */
  readonly partial: 'no-entry' | 'no-return' | null;
}

/** Pairs graph entries and returns per hart (a stack per hart), like the text printer's matching. */
export function graphSlices(events: readonly LabTraceEvent[]): GraphSlice[] {
  const stacks = new Map<number, LabTraceEvent[]>();
  const lastNs = new Map<number, number>();
  const out: GraphSlice[] = [];
  for (const e of events) {
    lastNs.set(e.hart, Math.max(lastNs.get(e.hart) ?? 0, e.ns));
    if (e.kind === 'graph_entry') {
      let s = stacks.get(e.hart);
      if (!s) stacks.set(e.hart, (s = []));
      s.push(e);
    } else if (e.kind === 'graph_return') {
      const s = stacks.get(e.hart);
      const top = s?.[s.length - 1];
      if (top && top.ip === e.ip && (top.depth ?? 0) === (e.depth ?? 0)) {
        s!.pop();
        out.push({ hart: e.hart, name: e.symbol, startNs: top.ns, endNs: e.ns, depth: e.depth ?? 0, partial: null });
      } else {
        out.push({ hart: e.hart, name: e.symbol, startNs: e.callNs ?? e.ns, endNs: e.ns, depth: e.depth ?? 0, partial: 'no-entry' });
      }
    }
  }
  for (const [hart, s] of stacks) {
    for (const e of s) out.push({ hart, name: e.symbol, startNs: e.ns, endNs: lastNs.get(hart) ?? e.ns, depth: e.depth ?? 0, partial: 'no-return' });
  }
  return out;
}

/** ns as the µs text Perfetto reads back to exactly ns: `<µs>.<3 digits>5`. */
export function usText(ns: number): string {
  const n = Math.max(0, Math.round(ns));
  return `${Math.floor(n / 1000)}.${String(n % 1000).padStart(3, '0')}5`;
}

interface TrackEvent {
  readonly ns: number;
  /** Longer first at equal start (a parent before its child). */
  readonly dur: number;
  readonly json: string;
}

/** The whole Chrome Trace Event document (object form, `traceEvents` plus metadata). */
export function formatChromeTrace(r: TraceRecording): string {
  const tracks = new Map<number, TrackEvent[]>();
  const put = (tid: number, ev: TrackEvent) => {
    let t = tracks.get(tid);
    if (!t) tracks.set(tid, (t = []));
    t.push(ev);
  };
  const str = JSON.stringify;
  for (const s of graphSlices(r.events)) {
    const dur = s.endNs - s.startNs;
    const args = s.partial ? `{"depth":${s.depth},"partial":${str(s.partial)}}` : `{"depth":${s.depth}}`;
    put(s.hart, { ns: s.startNs, dur, json: `{"ph":"X","pid":${PERFETTO_PID},"tid":${s.hart},"ts":${usText(s.startNs)},"dur":${usText(dur)},"name":${str(s.name)},"cat":"function_graph","args":${args}}` });
  }
  for (const e of r.events) {
    if ((e.kind ?? 'function') !== 'function') continue;
    put(e.hart, { ns: e.ns, dur: -1, json: `{"ph":"i","s":"t","pid":${PERFETTO_PID},"tid":${e.hart},"ts":${usText(e.ns)},"name":${str(e.symbol)},"cat":"function","args":{"parent":${str(e.parentSymbol)}}}` });
  }
  let flow = 0;
  for (const st of r.patchSteps) {
    const args = `{"step":${str(st.text)},"update":${str(st.update)},"live":${st.live}}`;
    if (st.targets.length === 0) {
      put(PATCH_TID, { ns: st.ns, dur: -1, json: `{"ph":"i","s":"t","pid":${PERFETTO_PID},"tid":${PATCH_TID},"ts":${usText(st.ns)},"name":${str(st.op)},"cat":"patch","args":${args}}` });
      continue;
    }
    put(PATCH_TID, { ns: st.ns, dur: MARKER_NS, json: `{"ph":"X","pid":${PERFETTO_PID},"tid":${PATCH_TID},"ts":${usText(st.ns)},"dur":${usText(MARKER_NS)},"name":${str(st.op)},"cat":"patch","args":${args}}` });
    for (const t of st.targets) {
      const id = ++flow;
      const name = str(st.op);
      put(PATCH_TID, { ns: st.ns + 1, dur: -2, json: `{"ph":"s","pid":${PERFETTO_PID},"tid":${PATCH_TID},"ts":${usText(st.ns + 1)},"name":${name},"cat":"patch","id":${id}}` });
      put(t.hart, { ns: t.ns, dur: MARKER_NS, json: `{"ph":"X","pid":${PERFETTO_PID},"tid":${t.hart},"ts":${usText(t.ns)},"dur":${usText(MARKER_NS)},"name":${str(`${st.op} (step ${st.index})`)},"cat":"patch","args":${args}}` });
      put(t.hart, { ns: t.ns + 1, dur: -2, json: `{"ph":"f","bp":"e","pid":${PERFETTO_PID},"tid":${t.hart},"ts":${usText(t.ns + 1)},"name":${name},"cat":"patch","id":${id}}` });
    }
  }
  const lines: string[] = [];
  const m = r.meta;
  lines.push(`{"ph":"M","pid":${PERFETTO_PID},"name":"process_name","args":{"name":${str(`ftrace-lab: ${m.program}`)}}}`);
  for (let h = 0; h < m.harts; h++) {
    lines.push(`{"ph":"M","pid":${PERFETTO_PID},"tid":${h},"name":"thread_name","args":{"name":"hart ${h}"}}`);
    lines.push(`{"ph":"M","pid":${PERFETTO_PID},"tid":${h},"name":"thread_sort_index","args":{"sort_index":${h}}}`);
  }
  if (r.patchSteps.length > 0) {
    lines.push(`{"ph":"M","pid":${PERFETTO_PID},"tid":${PATCH_TID},"name":"thread_name","args":{"name":"patch protocol (${m.protocol})"}}`);
    lines.push(`{"ph":"M","pid":${PERFETTO_PID},"tid":${PATCH_TID},"name":"thread_sort_index","args":{"sort_index":-1}}`);
  }
  for (const tid of [...tracks.keys()].sort((a, b) => a - b)) {
    const evs = tracks.get(tid)!;
    evs.sort((a, b) => a.ns - b.ns || b.dur - a.dur);
    for (const e of evs) lines.push(e.json);
  }
  const meta = str({ tool: 'ftrace-lab', ...m, clock: `per-hart retired instructions at ${m.clockHz} Hz` });
  return `{"displayTimeUnit":"ns","otherData":${meta},"traceEvents":[\n${lines.join(',\n')}\n]}\n`;
}
