// tracefs over the Lab: the kernel's tracing files (filters, current_tracer, tracing_on, trace, enabled_functions, ...) as text.
import { RB_EVENT_SIZE } from '../guest/ring-buffer-layout.js';
import { FtraceError } from '../ftrace/errors.js';
import type { Lab } from '../lab/lab.js';
import type { OpsHandle } from '../lab/ops-handle.js';
import type { LabTraceEvent } from '../lab/trace-events.js';
import { formatEnabledFunctions } from './enabled-functions.js';
import { TracefsError } from './errors.js';
import { formatTrace } from './trace-format.js';
import { formatFunctionGraph } from './graph-format.js';
import { TRACE_CLOCKS, type TraceClockName } from '../lab/trace-clock.js';

export const TRACERS = ['function_graph', 'function', 'count', 'nop'] as const;
export type TracefsTracer = (typeof TRACERS)[number];

export const TRACEFS_FILES = [
  'available_filter_functions',
  'available_tracers',
  'set_ftrace_filter',
  'set_ftrace_notrace',
  'current_tracer',
  'tracing_on',
  'trace',
  'enabled_functions',
  'buffer_size_kb',
  'max_graph_depth',
  'set_graph_function',
  'set_graph_notrace',
  'trace_clock',
] as const;
export type TracefsFile = (typeof TRACEFS_FILES)[number];

export interface TracefsWriteOptions {
  /** `>>` instead of `>` (filters append; other files ignore it). */
  readonly append?: boolean;
}

/** The tracing directory of one Lab. Writes that change tracing go through the Lab's patch protocol (async). */
export class Tracefs {
  private tracer: TracefsTracer = 'nop';
  private on = true;
  private readonly buffer: LabTraceEvent[][];
  private written = 0;
  /** The global_ops of each tracer, created on first use; they share one filter/notrace (set_ftrace_*). */
  private readonly globalOps = new Map<TracefsTracer, OpsHandle>();
  private filterOwner: OpsHandle | null = null;
  private clock: TraceClockName = 'local';

  constructor(private readonly lab: Lab) {
    this.buffer = Array.from({ length: lab.options.harts }, () => []);
    lab.trace.drainer.onEvents((batch) => this.record(batch));
  }

  /** Per-hart entries the `trace` file keeps (the ring buffer's capacity; older entries are overwritten). */
  get capacity(): number {
    return Math.max(1, Math.floor((this.lab.options.bufferSizeKb * 1024) / RB_EVENT_SIZE));
  }

  read(path: string): string {
    const file = this.file(path);
    const core = this.lab.core;
    switch (file) {
      case 'available_filter_functions':
        return core.records.records.map((r) => r.symbol + '\n').join('');
      case 'available_tracers':
        return TRACERS.join(' ') + '\n';
      case 'set_ftrace_filter': {
        const ips = this.filterOps()?.ops.filterHash.ips() ?? [];
        return ips.length === 0 ? '#### all functions enabled ####\n' : this.names(ips);
      }
      case 'set_ftrace_notrace':
        return this.names(this.filterOps()?.ops.notraceHash.ips() ?? []);
      case 'current_tracer':
        return this.tracer + '\n';
      case 'tracing_on':
        return (this.on ? '1' : '0') + '\n';
      case 'trace': {
        this.lab.trace.drainer.collect();
        const events = this.buffer.flat().sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.hart - b.hart));
        if (this.tracer === 'function_graph') return formatFunctionGraph(events, { cpus: this.lab.options.harts });
        return formatTrace(events, { tracer: this.tracer, entries: events.length, written: this.written, cpus: this.lab.options.harts }, this.clock);
      }
      case 'max_graph_depth':
        return `${this.lab.ftrace.graph.maxGraphDepth}\n`;
      case 'set_graph_function': {
        const ips = this.lab.ftrace.graph.graphFunction;
        return ips.length === 0 ? '#### all functions enabled ####\n' : this.names(ips);
      }
      case 'set_graph_notrace': {
        const ips = this.lab.ftrace.graph.graphNotrace;
        return ips.length === 0 ? '#### no functions disabled ####\n' : this.names(ips);
      }
      case 'trace_clock':
        return TRACE_CLOCKS.map((c) => (c === this.clock ? `[${c}]` : c)).join(' ') + '\n';
      case 'enabled_functions':
        return formatEnabledFunctions(core, this.lab.guest.symbolizer);
      case 'buffer_size_kb':
        return `${this.lab.options.bufferSizeKb}\n`;
    }
  }

  async write(path: string, text: string, opts: TracefsWriteOptions = {}): Promise<void> {
    const file = this.file(path);
    if (typeof text !== 'string') throw new TracefsError('TRACEFS_EINVAL', `${file}: write a string`);
    switch (file) {
      case 'set_ftrace_filter':
      case 'set_ftrace_notrace':
        return this.writeFilter(file, text, opts.append ?? false);
      case 'current_tracer':
        return this.setTracer(text.trim());
      case 'tracing_on':
        return this.setTracingOn(text.trim());
      case 'trace':
        this.lab.trace.drainer.collect();
        for (const b of this.buffer) b.length = 0;
        this.written = 0;
        return;
      case 'max_graph_depth': {
        const v = text.trim();
        if (!/^\d+$/.test(v)) throw new TracefsError('TRACEFS_EINVAL', `max_graph_depth: write a number, got '${v}' (-EINVAL)`);
        this.lab.ftrace.graph.setMaxGraphDepth(Number(v));
        return;
      }
      case 'set_graph_function':
      case 'set_graph_notrace':
        return this.writeGraphFilter(file, text, opts.append ?? false);
      case 'trace_clock': {
        const v = text.trim();
        if (!(TRACE_CLOCKS as readonly string[]).includes(v)) throw new TracefsError('TRACEFS_EINVAL', `trace_clock: no clock '${v}' (available: ${TRACE_CLOCKS.join(' ')}) (-EINVAL)`);
        this.clock = v as TraceClockName;
        return;
      }
      case 'buffer_size_kb':
        if (text.trim() === String(this.lab.options.bufferSizeKb)) return;
        throw new TracefsError('TRACEFS_EINVAL', `buffer_size_kb: the guest's ring buffers are fixed at boot; create the Lab with bufferSizeKb: ${text.trim()}`);
      default:
        throw new TracefsError('TRACEFS_EACCES', `${file} is read-only`);
    }
  }

  private file(path: string): TracefsFile {
    const name = typeof path === 'string' ? path.replace(/^\/?(sys\/kernel\/tracing\/|sys\/kernel\/debug\/tracing\/)?/, '') : '';
    if (!(TRACEFS_FILES as readonly string[]).includes(name)) {
      throw new TracefsError('TRACEFS_ENOENT', `no tracefs file '${String(path)}' (files: ${TRACEFS_FILES.join(', ')})`);
    }
    return name as TracefsFile;
  }

  private names(ips: readonly number[]): string {
    return ips.map((ip) => (this.lab.core.records.lookupIp(ip)?.symbol ?? `0x${ip.toString(16)}`) + '\n').join('');
  }

  private record(batch: readonly LabTraceEvent[]): void {
    if (!this.on) return;
    const cap = this.capacity;
    for (const e of batch) {
      const b = this.buffer[e.hart];
      if (!b) continue;
      b.push(e);
      this.written++;
    }
    // Overwrite the oldest entries once per batch (trimming per event moved the whole buffer for every event).
    for (const b of this.buffer) if (b.length > cap) b.splice(0, b.length - cap);
  }

  /** The ops whose hashes hold the global filter (the function tracer's by default). */
  private filterOps(): OpsHandle | null {
    return this.filterOwner;
  }

  private opsFor(tracer: Exclude<TracefsTracer, 'nop'>): OpsHandle {
    let h = this.globalOps.get(tracer);
    if (!h) {
      h = this.lab.ftrace.create({ name: `global_ops:${tracer}`, tracer });
      this.globalOps.set(tracer, h);
    }
    return h;
  }

  private async writeFilter(file: 'set_ftrace_filter' | 'set_ftrace_notrace', text: string, append: boolean): Promise<void> {
    const owner = this.filterOwner ?? (this.filterOwner = this.opsFor('function'));
    try {
      if (file === 'set_ftrace_filter') await this.lab.ftrace.setFilter(owner, text, append);
      else await this.lab.ftrace.setNotrace(owner, text, append);
    } catch (err) {
      if (err instanceof FtraceError && (err.code === 'FTRACE_NO_MATCH' || err.code === 'FTRACE_BAD_GLOB' || err.code === 'FTRACE_UNSUPPORTED')) {
        throw new TracefsError('TRACEFS_EINVAL', `${file}: ${err.message} (-EINVAL)`, { cause: err });
      }
      throw err;
    }
  }

  private writeGraphFilter(file: 'set_graph_function' | 'set_graph_notrace', text: string, append: boolean): void {
    const g = this.lab.ftrace.graph;
    try {
      if (file === 'set_graph_function') g.setGraphFunction(text, append);
      else g.setGraphNotrace(text, append);
    } catch (err) {
      if (err instanceof FtraceError && (err.code === 'FTRACE_NO_MATCH' || err.code === 'FTRACE_BAD_GLOB')) {
        throw new TracefsError('TRACEFS_EINVAL', `${file}: ${err.message} (-EINVAL)`, { cause: err });
      }
      throw err;
    }
  }

  private async setTracer(name: string): Promise<void> {
    if (!(TRACERS as readonly string[]).includes(name)) {
      throw new TracefsError('TRACEFS_EINVAL', `current_tracer: no tracer '${name}' (available: ${TRACERS.join(' ')}) (-EINVAL)`);
    }
    const next = name as TracefsTracer;
    if (next === this.tracer) return;
    const prev = this.tracer === 'nop' ? null : this.opsFor(this.tracer);
    if (prev && this.lab.ftrace.isRegistered(prev)) await this.lab.ftrace.unregister(prev);
    this.lab.trace.drainer.collect();
    this.tracer = next;
    if (next === 'nop') return;
    const h = this.opsFor(next);
    const owner = this.filterOwner;
    if (owner && owner !== h) {
      h.ops.filterHash = owner.ops.filterHash;
      h.ops.notraceHash = owner.ops.notraceHash;
    }
    this.filterOwner = h;
    await this.lab.ftrace.register(h);
  }

  private async setTracingOn(v: string): Promise<void> {
    if (v !== '0' && v !== '1') throw new TracefsError('TRACEFS_EINVAL', `tracing_on: write 0 or 1, got '${v}' (-EINVAL)`);
    this.lab.trace.drainer.collect(); // what was recorded so far belongs to the old state
    this.on = v === '1';
  }
}
