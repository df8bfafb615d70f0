// The function_graph tracer's `trace` file format (Linux v6.6 trace_functions_graph.c): CPU, duration with overhead marks, nested `foo() {` ... `}` and leaf `foo();` lines.
import type { LabTraceEvent } from '../lab/trace-events.js';

/** funcgraph-* options (trace_options) that change the text; the others are fixed at the kernel's defaults. */
export interface GraphFormatOptions {
  /** Number of CPUs (harts): the CPU column is as wide as the largest id, like nr_cpu_ids - 1. */
  readonly cpus: number;
  /** funcgraph-abstime: each line starts with the event time, seconds.microseconds (default off). */
  readonly abstime?: boolean;
  /** funcgraph-tail: every closing brace says which function it closes (default off). */
  readonly tail?: boolean;
  /** funcgraph-overrun: ` (Overruns: N)` after every return (default off). */
  readonly overrun?: boolean;
  /** funcgraph-duration (default on). */
  readonly duration?: boolean;
  /** funcgraph-overhead: the `+ ! # * @ $` marks (default on). */
  readonly overhead?: boolean;
}

/** TRACE_GRAPH_INDENT. */
const INDENT = 2;
/** Depths the printer remembers entries for (FTRACE_RETFUNC_DEPTH). */
const ENTER_FUNCS_DEPTH = 50;

/** trace_find_mark (trace_output.c): the first threshold the duration (ns) strictly exceeds. */
const MARKS: readonly [number, string][] = [
  [1_000_000_000, '$'],
  [100_000_000, '@'],
  [10_000_000, '*'],
  [1_000_000, '#'],
  [100_000, '!'],
  [10_000, '+'],
];

export function traceFindMark(ns: number): string {
  for (const [v, c] of MARKS) if (ns > v) return c;
  return ' ';
}

/** trace_print_graph_duration: µs, then '.' and ns digits so that the number fills at most 7 columns, ' us ', padding to 8. */
export function formatGraphDuration(ns: number): string {
  const usecs = String(Math.floor(ns / 1000));
  const rem = ns % 1000;
  let s = usecs;
  let len = usecs.length;
  if (len < 7) {
    // snprintf(nsecs_str, min(sizeof nsecs_str (5), 8 - len), "%03lu", rem): at most size - 1 characters
    const size = Math.min(5, 8 - len);
    const nsecs = String(rem).padStart(3, '0').slice(0, size - 1);
    s += '.' + nsecs;
    len += nsecs.length + 1;
  }
  s += ' us ';
  for (let i = len; i < 8; i++) s += ' ';
  return s;
}

/** The header lines (__print_graph_headers_flags) under `# tracer: function_graph`. */
export function formatGraphHeader(o: GraphFormatOptions): string {
  const dur = o.duration ?? true;
  let a = '#';
  let b = '#';
  if (o.abstime) {
    a += '     TIME       ';
    b += '      |         ';
  }
  a += ' CPU';
  b += ' |  ';
  if (dur) {
    a += '  DURATION   ';
    b += '   |   |      ';
  }
  a += '               FUNCTION CALLS';
  b += '               |   |   |   |';
  return `# tracer: function_graph\n#\n${a}\n${b}\n`;
}

function absTime(ns: number): string {
  const secs = Math.floor(ns / 1e9);
  const us = Math.floor((ns % 1e9) / 1000);
  return `${String(secs).padStart(5)}.${String(us).padStart(6, '0')} |  `;
}

/** Formats function_graph events (graph_entry / graph_return, in trace order) as the kernel's `trace` file body. */
export class GraphPrinter {
  private readonly cpuWidth: number;
  /** Per hart: the depth of the innermost open function (cpu_data->depth) and enter_funcs[]. */
  private readonly enterFuncs = new Map<number, number[]>();

  constructor(private readonly o: GraphFormatOptions) {
    this.cpuWidth = String(Math.max(0, o.cpus - 1)).length;
  }

  /** All lines for `events`; entries whose next event on the same hart is their return print as leaves. */
  format(events: readonly LabTraceEvent[]): string {
    const graph = events.filter((e) => e.kind === 'graph_entry' || e.kind === 'graph_return');
    // the next graph event of the same hart, for each index (the kernel peeks at the same CPU buffer)
    const next = new Array<number>(graph.length).fill(-1);
    const last = new Map<number, number>();
    for (let i = graph.length - 1; i >= 0; i--) {
      const h = graph[i]!.hart;
      next[i] = last.get(h) ?? -1;
      last.set(h, i);
    }
    const consumed = new Uint8Array(graph.length);
    let out = '';
    for (let i = 0; i < graph.length; i++) {
      if (consumed[i]) continue;
      const e = graph[i]!;
      if (e.kind === 'graph_entry') {
        const j = next[i]!;
        const r = j >= 0 ? graph[j]! : undefined;
        if (r && r.kind === 'graph_return' && r.ip === e.ip) {
          consumed[j] = 1;
          out += this.leaf(e, r);
        } else out += this.nested(e);
      } else out += this.ret(e);
    }
    return out;
  }

  private prologue(e: LabTraceEvent): string {
    return (this.o.abstime ? absTime(e.ns) : '') + ` ${String(e.hart).padStart(this.cpuWidth)}) `;
  }

  private durationColumn(ns: number | null): string {
    if (!(this.o.duration ?? true)) return '';
    if (ns === null) return '              |  ';
    const mark = (this.o.overhead ?? true) ? traceFindMark(ns) : ' ';
    return `${mark} ${formatGraphDuration(ns)}|  `;
  }

  private funcs(hart: number): number[] {
    let f = this.enterFuncs.get(hart);
    if (!f) this.enterFuncs.set(hart, (f = new Array<number>(ENTER_FUNCS_DEPTH).fill(0)));
    return f;
  }

  private leaf(e: LabTraceEvent, r: LabTraceEvent): string {
    const depth = e.depth ?? 0;
    if (depth < ENTER_FUNCS_DEPTH) this.funcs(e.hart)[depth] = 0;
    const ns = r.ns - (r.callNs ?? r.ns);
    return `${this.prologue(e)}${this.durationColumn(ns)}${' '.repeat(depth * INDENT)}${e.symbol}();\n`;
  }

  private nested(e: LabTraceEvent): string {
    const depth = e.depth ?? 0;
    if (depth < ENTER_FUNCS_DEPTH) this.funcs(e.hart)[depth] = e.ip;
    return `${this.prologue(e)}${this.durationColumn(null)}${' '.repeat(depth * INDENT)}${e.symbol}() {\n`;
  }

  private ret(r: LabTraceEvent): string {
    const depth = r.depth ?? 0;
    let match = true;
    if (depth < ENTER_FUNCS_DEPTH) {
      const f = this.funcs(r.hart);
      if (f[depth] !== r.ip) match = false;
      f[depth] = 0;
    }
    const ns = r.ns - (r.callNs ?? r.ns);
    const brace = match && !this.o.tail ? '}' : `} /* ${r.symbol} */`;
    let line = `${this.prologue(r)}${this.durationColumn(ns)}${' '.repeat(depth * INDENT)}${brace}\n`;
    if (this.o.overrun) line += ` (Overruns: ${r.overrun ?? 0})\n`;
    return line;
  }
}

/** Header + body, as reading tracefs `trace` shows it with current_tracer = function_graph. */
export function formatFunctionGraph(events: readonly LabTraceEvent[], o: GraphFormatOptions): string {
  return formatGraphHeader(o) + new GraphPrinter(o).format(events);
}
