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
  for (let i = tail; i < head; i++) {
    const at = data + Number(i & (size - 1n)) * rb.RB_EVENT_SIZE;
    const dv = new DataView(mem.read(at, rb.RB_EVENT_SIZE).slice().buffer);
    out.push({
      ip: Number(dv.getBigUint64(rb.RB_EVENT_IP, true)),
      parentIp: Number(dv.getBigUint64(rb.RB_EVENT_PARENT_IP, true)),
      timestamp: dv.getBigUint64(rb.RB_EVENT_TIMESTAMP, true),
      op: Number(dv.getBigUint64(rb.RB_EVENT_OP, true)),
      qs: Number(dv.getBigUint64(rb.RB_EVENT_QS, true)),
      hart: dv.getUint32(rb.RB_EVENT_HART, true),
      type: dv.getUint32(rb.RB_EVENT_TYPE, true),
    });
  }
  const t = new Uint8Array(8);
  new DataView(t.buffer).setBigUint64(0, head, true);
  mem.write(header + rb.RB_TAIL, t);
  return out;
}
