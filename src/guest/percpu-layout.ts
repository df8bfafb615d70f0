// Layout of the per-hart data block the runtime points `tp` at (the guest's per-CPU area: hart id, recursion guard, ring buffer).
//
// One PERCPU_SIZE block per configured hart in the `ftrace_percpu` array (.bss), hart h at ftrace_percpu + h * PERCPU_SIZE.
// All fields are u64, written by the hart itself (the host only reads them).
//   +0  hart_id             mhartid of the owner
//   +8  recursion           trace_recursion bits of the hart's one context (TRACE_*_BIT below)
//   +16 ring_buffer         address of this hart's ring buffer header (ring-buffer-layout.ts)
//   +24 stack_top           initial sp
//   +32 recursion_missed    calls dropped because the guard bit was already set (ftrace's "recursion missed")
//   +40 trap_count          traps taken (the trap vector bumps it before reporting)
export const PERCPU_HART_ID = 0;
export const PERCPU_RECURSION = 8;
export const PERCPU_RING_BUFFER = 16;
export const PERCPU_STACK_TOP = 24;
export const PERCPU_RECURSION_MISSED = 32;
export const PERCPU_TRAP_COUNT = 40;
export const PERCPU_SIZE = 64;
/** log2(PERCPU_SIZE), for the `slli` that indexes the array. */
export const PERCPU_SHIFT = 6;

/** Recursion bit taken by __ftrace_ops_list_func (TRACE_LIST_START). */
export const TRACE_LIST_BIT = 1 << 0;
/** Recursion bit taken by ftrace_ops_assist_func (the RECURSION/RCU ops wrapper). */
export const TRACE_ASSIST_BIT = 1 << 1;
