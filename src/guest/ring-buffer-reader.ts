// Host side of the per-hart trace ring buffers: find a hart's buffer, drain its events (advancing tail), read lost counts.
import { GuestRuntimeError } from './errors.js';
import { PERCPU_RECURSION_MISSED, PERCPU_RING_BUFFER, PERCPU_SIZE } from './percpu-layout.js';
import * as rb from './ring-buffer-layout.js';

/** Guest memory as the reader needs it (Machine.memory and MemoryPatchTarget both fit). */
export interface GuestMemoryAccess {
  read(addr: number, len: number): Uint8Array;
  write(addr: number, bytes: Uint8Array): void;
}

export interface TraceEvent {
  readonly ip: number;
  readonly parentIp: number;
  readonly timestamp: bigint;
  /** Guest address of the ftrace_ops the callback received. */
  readonly op: number;
  /** The hart's rcu_tasks_qs count when it wrote the event (the workload pass that made the call). */
  readonly qs: number;
  readonly hart: number;
  readonly type: number;
  /** function_graph events: call depth (0 = outermost). */
  readonly depth: number;
  /** function_graph return: the hart's trace_overrun count. */
  readonly overrun: number;
  /** function_graph return: minstret at the entry (`timestamp` is the return's). */
  readonly calltime: bigint;
  /** RB_EVENT_CALLBACK: a0..a7 of the traced call (from the slot after the header). */
  readonly args?: readonly bigint[];
}

function u64(mem: GuestMemoryAccess, addr: number): bigint {
  return new DataView(mem.read(addr, 8).slice().buffer).getBigUint64(0, true);
}

/** Address of hart `hart`'s per-CPU block, given &ftrace_percpu. */
export function percpuAddr(percpuBase: number, hart: number): number {
  return percpuBase + hart * PERCPU_SIZE;
}

/** Address of the ring buffer header of `hart` (0 before that hart booted). */
export function ringBufferAddr(mem: GuestMemoryAccess, percpuBase: number, hart: number): number {
  return Number(u64(mem, percpuAddr(percpuBase, hart) + PERCPU_RING_BUFFER));
}

/** Calls the hart's recursion guard dropped. */
export function recursionMissed(mem: GuestMemoryAccess, percpuBase: number, hart: number): number {
  return Number(u64(mem, percpuAddr(percpuBase, hart) + PERCPU_RECURSION_MISSED));
}

/** Events the producer dropped because the buffer was full. */
export function ringBufferLost(mem: GuestMemoryAccess, header: number): number {
  return Number(u64(mem, header + rb.RB_LOST));
}

/** A u64 field that holds a guest address or a count (below 2^53) as a number, without a BigInt. */
function num64(dv: DataView, at: number): number {
  return dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 0x100000000;
}

/** Read every committed, unconsumed event and advance `tail` past them (the consumer side). */
export function drainRingBuffer(mem: GuestMemoryAccess, header: number): TraceEvent[] {
  if (header === 0) return [];
  const head = u64(mem, header + rb.RB_HEAD);
  const tail = u64(mem, header + rb.RB_TAIL);
  const size = u64(mem, header + rb.RB_SIZE);
  const data = Number(u64(mem, header + rb.RB_DATA));
  if (size === 0n || (size & (size - 1n)) !== 0n || head < tail || head - tail > size) {
    throw new GuestRuntimeError('GUEST_BAD_BUFFER', `ring buffer at 0x${header.toString(16)}: head ${head}, tail ${tail}, size ${size} are inconsistent`);
  }
  const out: TraceEvent[] = [];
  const n = Number(size);
  const first = Number(tail & (size - 1n));
  const count = Number(head - tail);
  // the committed slots as one byte run (at most two reads: before and after the wrap), so a two-slot callback
  // event that wraps reads like any other
  const run1 = Math.min(count, n - first);
  let bytes = mem.read(data + first * rb.RB_EVENT_SIZE, run1 * rb.RB_EVENT_SIZE);
  if (count > run1) {
    const rest = mem.read(data, (count - run1) * rb.RB_EVENT_SIZE);
    const joined = new Uint8Array(count * rb.RB_EVENT_SIZE);
    joined.set(bytes, 0);
    joined.set(rest, bytes.length);
    bytes = joined;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < count; k++) {
    const at = k * rb.RB_EVENT_SIZE;
    const type = dv.getUint32(at + rb.RB_EVENT_TYPE, true);
    let args: bigint[] | undefined;
    if (type === rb.RB_EVENT_CALLBACK && k + 1 < count) {
      const a = (k + 1) * rb.RB_EVENT_SIZE;
      args = Array.from({ length: 8 }, (_, i) => dv.getBigUint64(a + 8 * i, true));
    }
    out.push({
      ip: num64(dv, at + rb.RB_EVENT_IP),
      parentIp: num64(dv, at + rb.RB_EVENT_PARENT_IP),
      timestamp: dv.getBigUint64(at + rb.RB_EVENT_TIMESTAMP, true),
      op: num64(dv, at + rb.RB_EVENT_OP),
      qs: num64(dv, at + rb.RB_EVENT_QS),
      hart: dv.getUint32(at + rb.RB_EVENT_HART, true),
      type,
      depth: dv.getUint32(at + rb.RB_EVENT_DEPTH, true),
      overrun: dv.getUint32(at + rb.RB_EVENT_OVERRUN, true),
      calltime: dv.getBigUint64(at + rb.RB_EVENT_CALLTIME, true),
      ...(args ? { args } : {}),
    });
    if (args) k++; // the args slot is part of this event
  }
  const t = new Uint8Array(8);
  new DataView(t.buffer).setBigUint64(0, head, true);
  mem.write(header + rb.RB_TAIL, t);
  return out;
}
