// Where `ftrace-lab trace` puts its trace: text (function or function_graph format), the JSON export or Perfetto JSON, on stdout or in --output FILE.
import { openSync, closeSync, writeSync } from 'node:fs';
import { formatChromeTrace } from '../export/chrome-trace.js';
import { formatJsonTrace } from '../export/json-export.js';
import type { TraceRecording } from '../export/recording.js';
import type { TraceClockName } from '../lab/trace-clock.js';
import { formatFunctionGraph, type GraphFormatOptions } from '../tracefs/graph-format.js';
import { formatTraceHeader, formatTraceLine } from '../tracefs/trace-format.js';
import { outputFileError } from './verb-main.js';

export const TRACE_FORMATS = ['text', 'json', 'perfetto'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** -O options (trace_options names) that change the function_graph text. */
export const GRAPH_TEXT_OPTIONS = ['funcgraph-tail', 'funcgraph-abstime', 'funcgraph-overrun', 'nofuncgraph-duration', 'nofuncgraph-overhead'] as const;
export type GraphTextOption = (typeof GRAPH_TEXT_OPTIONS)[number];

/** A text sink: stdout, or a file opened (created, truncated) before the run so that a bad path fails early. */
export class TraceSink {
  private readonly fd: number | null;

  constructor(readonly file: string | undefined) {
    this.fd = file === undefined ? null : TraceSink.open(file);
  }

  private static open(file: string): number {
    try {
      return openSync(file, 'w');
    } catch (e) {
      throw outputFileError(file, e);
    }
  }

  write(text: string): void {
    if (this.fd === null) {
      process.stdout.write(text);
      return;
    }
    try {
      writeSync(this.fd, text);
    } catch (e) {
      throw outputFileError(this.file!, e);
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
  }
}

export function graphOptionsFrom(opts: readonly GraphTextOption[], cpus: number): GraphFormatOptions {
  const has = (o: GraphTextOption) => opts.includes(o);
  return {
    cpus,
    tail: has('funcgraph-tail'),
    abstime: has('funcgraph-abstime'),
    overrun: has('funcgraph-overrun'),
    duration: !has('nofuncgraph-duration'),
    overhead: !has('nofuncgraph-overhead'),
  };
}

/** Writes a finished recording in `format` (text: the tracer's own trace file format). */
export function writeRecording(sink: TraceSink, r: TraceRecording, format: TraceFormat, clock: TraceClockName, graphOpts: readonly GraphTextOption[]): void {
  if (format === 'json') return sink.write(formatJsonTrace(r));
  if (format === 'perfetto') return sink.write(formatChromeTrace(r));
  if (r.meta.tracer === 'function_graph') return sink.write(formatFunctionGraph(r.events, graphOptionsFrom(graphOpts, r.meta.harts)));
  const fn = r.events.filter((e) => (e.kind ?? 'function') === 'function');
  const lost = r.meta.lost.reduce((s, n) => s + n, 0);
  sink.write(formatTraceHeader({ tracer: 'function', entries: fn.length, written: fn.length + lost, cpus: r.meta.harts }));
  for (let i = 0; i < fn.length; i += 4096) sink.write(fn.slice(i, i + 4096).map((e) => formatTraceLine(e, clock) + '\n').join(''));
}
