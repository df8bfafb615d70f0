// Layout of the per-hart trace ring buffer the guest function tracer fills and the host drains (the tracefs per_cpu buffer).
//
// Header (RB_HEADER_SIZE bytes, u64 fields), followed by `size` events of RB_EVENT_SIZE bytes:
//   +0  head      producer index: events ever committed (written only by the owning hart, after the event, fence w,w)
//   +8  tail      consumer index: events the host consumed (written only by the host)
//   +16 size      capacity in events (a power of two); slot = index & (size - 1)
//   +24 lost      events dropped because the buffer was full (head - tail == size): newest are dropped, like a
//                 non-overwriting ftrace buffer, and counted here ("entries lost")
//   +32 data      address of event slot 0
//   +40 hart      owning hart id
// Event (RB_EVENT_SIZE bytes):
//   +0 ip (u64, rec->ip = the jalr of the site)  +8 parent_ip (u64)  +16 timestamp (u64, the writing hart's minstret:
//   the trace clock, lab/trace-clock.ts)  +24 op (u64, the ftrace_ops the callback was called with; 0 on a graph
//   return)  +32 qs (u64, the hart's rcu_tasks_qs when the event was written: which pass of the workload's outer loop
//   made the call)  +40 hart (u32)  +44 type (u32, RB_EVENT_*)
//   function_graph events (TRACE_GRAPH_ENT / TRACE_GRAPH_RET) also use: +48 depth (u32)  +52 overrun (u32, the
//   hart's trace_overrun at the return)  +56 calltime (u64, return only; `timestamp` is then the rettime). For them
//   parent_ip is the original return address the shadow stack saved (graph return) or the caller's ra (graph entry).
//   The function tracer leaves +48..+63 zero.
export const RB_HEAD = 0;
export const RB_TAIL = 8;
export const RB_SIZE = 16;
export const RB_LOST = 24;
export const RB_DATA = 32;
export const RB_HART = 40;
export const RB_HEADER_SIZE = 64;

export const RB_EVENT_IP = 0;
export const RB_EVENT_PARENT_IP = 8;
export const RB_EVENT_TIMESTAMP = 16;
export const RB_EVENT_OP = 24;
export const RB_EVENT_QS = 32;
export const RB_EVENT_HART = 40;
export const RB_EVENT_TYPE = 44;
export const RB_EVENT_SIZE = 64;
export const RB_EVENT_SHIFT = 6;

export const RB_EVENT_DEPTH = 48;
export const RB_EVENT_OVERRUN = 52;
export const RB_EVENT_CALLTIME = 56;

/** Event type of a function-tracer entry. */
export const RB_EVENT_FUNCTION = 1;
/** function_graph entry (the kernel's TRACE_GRAPH_ENT). */
export const RB_EVENT_GRAPH_ENT = 2;
/** function_graph return (TRACE_GRAPH_RET), with calltime and rettime. */
export const RB_EVENT_GRAPH_RET = 3;
/** A call for a JavaScript callback: this slot is the header, the NEXT slot holds a0..a7 (u64 each). */
export const RB_EVENT_CALLBACK = 4;

/** Bytes one hart's buffer occupies (header + events) for a capacity of `events`. */
export function ringBufferBytes(events: number): number {
  return RB_HEADER_SIZE + events * RB_EVENT_SIZE;
}

/** Capacity in events for a tracefs-style buffer_size_kb: the largest power of two that fits. */
export function ringBufferEvents(bufferSizeKb: number): number {
  const fit = Math.floor((bufferSizeKb * 1024) / RB_EVENT_SIZE);
  return fit < 1 ? 0 : 2 ** Math.floor(Math.log2(fit));
}
