// The host side of the trace: drains every hart's ring buffer into symbolized events, for iterators and tracefs.
import { drainRingBuffer, ringBufferAddr, ringBufferLost, type TraceEvent } from '../guest/ring-buffer-reader.js';
import type { GuestMemory } from '../machine/memory.js';
import type { RecordTable } from '../ftrace/records.js';
import { RB_EVENT_CALLBACK, RB_EVENT_GRAPH_ENT, RB_EVENT_GRAPH_RET } from '../guest/ring-buffer-layout.js';
import type { Symbolizer } from './symbolizer.js';
import { TraceClock } from './trace-clock.js';

/** What wrote the event: the function tracer (one per call), or a function_graph entry or return. */
export type LabTraceEventKind = 'function' | 'graph_entry' | 'graph_return' | 'callback';

/** One trace event: a traced call (function tracer) or a function_graph entry / return. */
export interface LabTraceEvent {
  /** rec->ip of the traced function's site. */
  readonly ip: number;
  /** Return address into the caller. */
  readonly parentIp: number;
  readonly symbol: string;
  readonly parentSymbol: string;
  readonly hart: number;
  /** The writing hart's trace clock: its retired instructions (minstret) when the event was written (trace-clock.ts). */
  readonly timestamp: bigint;
  /** `timestamp` in ns at the lab's trace-clock frequency (default 1 GHz: ns = instructions). */
  readonly ns: number;
  /** Absent on events from before this field existed (treated as 'function'). */
  readonly kind?: LabTraceEventKind;
  /** function_graph: call depth, 0 = outermost. */
  readonly depth?: number;
  /** function_graph return: the entry's trace clock (`timestamp` is the return's) and its ns. */
  readonly callTimestamp?: bigint;
  readonly callNs?: number;
  /** function_graph return: the hart's shadow-stack overrun count (calls left unhooked because the stack was full). */
  readonly overrun?: number;
  /** 'callback' (a call for a JavaScript callback): the traced function's a0..a7. */
  readonly args?: readonly bigint[];
  /** Guest address of the ftrace_ops the callback was called with. */
  readonly op: number;
  /** The hart's rcu_tasks_qs when it wrote the event: the pass of the workload loop that made the call (0 outside it). */
  readonly qs: number;
}

/** The guest's mtime timebase (10 MHz, as QEMU's virt machine). Trace timestamps use the instruction clock instead. */
export const TIMEBASE_HZ = 10_000_000;

/** Host-side events not yet consumed are capped here; more are counted as dropped. */
export const MAX_PENDING_EVENTS = 4_000_000;

export type TraceListener = (events: readonly LabTraceEvent[]) => void;

/** Drains the per-hart buffers; consumers read `take()` (or the Lab's async iterator); listeners see every batch. */
export class TraceEvents {
  private pending: LabTraceEvent[] = [];
  private readonly listeners = new Set<TraceListener>();
  /** Events dropped on the host because nobody consumed them. */
  hostDropped = 0;

  constructor(
    private readonly memory: GuestMemory,
    private readonly percpu: number,
    private readonly harts: number,
    private readonly records: RecordTable,
    private readonly symbolizer: Symbolizer,
    readonly clock: TraceClock = new TraceClock(),
  ) {}

  /** Move every committed guest event to the host (sorted by timestamp, then hart). Returns how many. */
  collect(): number {
    const batch: LabTraceEvent[] = [];
    for (let h = 0; h < this.harts; h++) {
      const header = ringBufferAddr(this.memory, this.percpu, h);
      for (const e of drainRingBuffer(this.memory, header)) batch.push(this.symbolize(e));
    }
    if (batch.length === 0) return 0;
    batch.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.hart - b.hart));
    for (const l of this.listeners) l(batch);
    const room = Math.max(0, MAX_PENDING_EVENTS - this.pending.length);
    if (batch.length > room) this.hostDropped += batch.length - room;
    for (let i = 0; i < Math.min(room, batch.length); i++) this.pending.push(batch[i]!);
    return batch.length;
  }

  /** Collect, then hand over (and forget) every pending event. */
  take(): LabTraceEvent[] {
    this.collect();
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Forget pending events (guest buffers are drained first). */
  clear(): void {
    this.collect();
    this.pending = [];
  }

  onEvents(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events each hart's buffer dropped because it was full. */
  lost(): number[] {
    return Array.from({ length: this.harts }, (_, h) => {
      const header = ringBufferAddr(this.memory, this.percpu, h);
      return header === 0 ? 0 : ringBufferLost(this.memory, header);
    });
  }

  private readonly names = new Map<number, string>();
  private readonly callers = new Map<number, string>();

  private symbolize(e: TraceEvent): LabTraceEvent {
    let symbol = this.names.get(e.ip);
    if (symbol === undefined) {
      symbol = this.records.lookupIp(e.ip)?.symbol ?? this.symbolizer.nameOf(e.ip);
      this.names.set(e.ip, symbol);
    }
    let parentSymbol = this.callers.get(e.parentIp);
    if (parentSymbol === undefined) {
      parentSymbol = this.symbolizer.callerOf(e.parentIp);
      this.callers.set(e.parentIp, parentSymbol);
    }
    return labTraceEvent(e, symbol, parentSymbol, this.clock);
  }
}

/** The host form of a raw ring-buffer event, given its symbols. */
export function labTraceEvent(e: TraceEvent, symbol: string, parentSymbol: string, clock: TraceClock): LabTraceEvent {
  const ns = clock.ns(e.timestamp);
  const { ip, parentIp, hart, timestamp, op, qs } = e;
  if (e.type === RB_EVENT_GRAPH_ENT) return { ip, parentIp, symbol, parentSymbol, hart, timestamp, ns, op, qs, kind: 'graph_entry', depth: e.depth };
  if (e.type === RB_EVENT_GRAPH_RET) {
    return { ip, parentIp, symbol, parentSymbol, hart, timestamp, ns, op, qs, kind: 'graph_return', depth: e.depth, overrun: e.overrun, callTimestamp: e.calltime, callNs: clock.ns(e.calltime) };
  }
  if (e.type === RB_EVENT_CALLBACK) return { ip, parentIp, symbol, parentSymbol, hart, timestamp, ns, op, qs, kind: 'callback', args: e.args ?? [] };
  return { ip, parentIp, symbol, parentSymbol, hart, timestamp, ns, op, qs, kind: 'function' };
}
