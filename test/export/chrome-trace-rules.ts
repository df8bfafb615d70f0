// A checker for the Chrome Trace Event rules Perfetto relies on (well-formed JSON, known phases, balanced B/E, X slices
// that nest, non-decreasing ts per track in file order, flows that start and end inside slices, named tracks).
export interface ChromeEvent {
  ph: string;
  pid?: number;
  tid?: number;
  ts?: number;
  dur?: number;
  name?: string;
  cat?: string;
  id?: number;
  bp?: string;
  s?: string;
  args?: Record<string, unknown>;
}

const PHASES = new Set(['X', 'B', 'E', 'i', 'I', 's', 't', 'f', 'M', 'C']);

/** Perfetto's reading of a µs value: (int64)(µs × 1000). */
const ns = (us: number) => Math.trunc(us * 1000);

/** Every rule broken, as messages (empty = valid). */
export function chromeTraceProblems(text: string): { problems: string[]; events: ChromeEvent[] } {
  const problems: string[] = [];
  let doc: { traceEvents?: ChromeEvent[] };
  try {
    doc = JSON.parse(text) as { traceEvents?: ChromeEvent[] };
  } catch (e) {
    return { problems: [`not JSON: ${(e as Error).message}`], events: [] };
  }
  const events = Array.isArray(doc) ? (doc as ChromeEvent[]) : doc.traceEvents;
  if (!Array.isArray(events)) return { problems: ['no traceEvents array'], events: [] };
  const named = new Set<string>();
  const tracks = new Map<string, ChromeEvent[]>();
  for (const [i, e] of events.entries()) {
    if (!PHASES.has(e.ph)) problems.push(`event ${i}: unknown ph '${e.ph}'`);
    if (typeof e.pid !== 'number') problems.push(`event ${i}: no numeric pid`);
    if (e.ph === 'M') {
      if (e.name === 'thread_name') named.add(`${e.pid}/${e.tid}`);
      if ((e.name === 'thread_name' || e.name === 'process_name') && typeof e.args?.name !== 'string') problems.push(`event ${i}: ${e.name} without args.name`);
      continue;
    }
    if (typeof e.ts !== 'number' || !(e.ts >= 0)) problems.push(`event ${i}: ts missing or negative`);
    if (typeof e.tid !== 'number') problems.push(`event ${i}: no numeric tid`);
    if (e.ph === 'X' && !(typeof e.dur === 'number' && e.dur >= 0)) problems.push(`event ${i}: X without dur >= 0`);
    if ((e.ph === 'i' || e.ph === 'I') && e.s !== undefined && !['t', 'p', 'g'].includes(e.s)) problems.push(`event ${i}: bad instant scope`);
    const key = `${e.pid}/${e.tid}`;
    let t = tracks.get(key);
    if (!t) tracks.set(key, (t = []));
    t.push(e);
  }
  const flows = new Map<string, { s: number; f: number }>();
  for (const [key, evs] of tracks) {
    if (!named.has(key)) problems.push(`track ${key} has no thread_name`);
    for (let i = 1; i < evs.length; i++) if (evs[i]!.ts! < evs[i - 1]!.ts!) problems.push(`track ${key}: ts goes back at its event ${i}`);
    // B/E balance
    let open = 0;
    for (const e of evs) {
      if (e.ph === 'B') open++;
      if (e.ph === 'E' && --open < 0) problems.push(`track ${key}: E without B`);
    }
    if (open !== 0) problems.push(`track ${key}: ${open} B without E`);
    // X nesting, in Perfetto's order (ts, then longest first)
    const xs = evs.filter((e) => e.ph === 'X').map((e) => ({ start: ns(e.ts!), end: ns(e.ts!) + ns(e.dur!), name: e.name }));
    xs.sort((a, b) => a.start - b.start || b.end - a.end);
    const stack: { start: number; end: number; name?: string }[] = [];
    for (const x of xs) {
      while (stack.length && stack[stack.length - 1]!.end <= x.start) stack.pop();
      const top = stack[stack.length - 1];
      if (top && x.end > top.end) problems.push(`track ${key}: ${x.name} [${x.start},${x.end}] crosses ${top.name} [${top.start},${top.end}]`);
      stack.push(x);
    }
    // flow ends strictly inside a slice of their track
    for (const e of evs) {
      if (e.ph !== 's' && e.ph !== 'f') continue;
      const t = ns(e.ts!);
      if (!xs.some((x) => x.start < t && t < x.end)) problems.push(`track ${key}: flow ${e.ph} ${e.id} at ${t} is not inside a slice`);
      const id = `${e.cat}/${e.name}/${e.id}`;
      const f = flows.get(id) ?? { s: 0, f: 0 };
      if (e.ph === 's') f.s++;
      else f.f++;
      flows.set(id, f);
    }
  }
  for (const [id, f] of flows) if (f.s !== 1 || f.f !== 1) problems.push(`flow ${id}: ${f.s} starts, ${f.f} ends`);
  return { problems, events };
}
