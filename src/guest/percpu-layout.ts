// Layout of the per-hart data block the runtime points `tp` at (the guest's per-CPU area: hart id, recursion guard, ring buffer, IPI mailbox, trap frame).
//
// One PERCPU_SIZE block per configured hart in the `ftrace_percpu` array (.bss), hart h at ftrace_percpu + h * PERCPU_SIZE.
// All fields are u64. Unless noted, the hart itself writes them and the host only reads them.
//   +0   hart_id             mhartid of the owner
//   +8   recursion           trace_recursion bits of the hart's one context (TRACE_*_BIT below)
//   +16  ring_buffer         address of this hart's ring buffer header (ring-buffer-layout.ts)
//   +24  stack_top           initial sp
//   +32  recursion_missed    calls dropped because the guard bit was already set (ftrace's "recursion missed")
//   +40  trap_count          unexpected traps taken (the trap vector bumps it before reporting)
//   +48  rcu_tasks_qs        bumped at every voluntary quiescent point (the workload's outer loop, the idle loop):
//                            a hart whose count moved past a snapshot has left every trampoline it was in (RCU-tasks)
//   +56  in_idle             1 while the hart sits in the idle loop (idle is a quiescent state)
//   +64  ipi_request         IPI_* request bits; the HOST sets them, the IPI handler swaps them to 0
//   +72  ipi_req_seq         the HOST writes the request's sequence number after setting the bits
//   +80  ipi_ack_seq         the handler writes the sequence number it read, after acting on the requests
//   +88  ipi_count           IPIs handled
//   +96  bp_hits             breakpoint traps emulated by the text_poke_bp handler
//   +104 handler_ticks       `time` ticks spent in the IPI/breakpoint handlers (how long the hart was kept away)
//   +112 handler_insns       instructions retired in those handlers
//   +120 entry_ticks         scratch: `time` at handler entry
//   +128 entry_insns         scratch: minstret at handler entry
//   +256 trap_frame          x0..x31 of the interrupted context (x0 slot always 0), 256 bytes
export const PERCPU_HART_ID = 0;
export const PERCPU_RECURSION = 8;
export const PERCPU_RING_BUFFER = 16;
export const PERCPU_STACK_TOP = 24;
export const PERCPU_RECURSION_MISSED = 32;
export const PERCPU_TRAP_COUNT = 40;
export const PERCPU_RCU_TASKS_QS = 48;
export const PERCPU_IN_IDLE = 56;
export const PERCPU_IPI_REQUEST = 64;
export const PERCPU_IPI_REQ_SEQ = 72;
export const PERCPU_IPI_ACK_SEQ = 80;
export const PERCPU_IPI_COUNT = 88;
export const PERCPU_BP_HITS = 96;
export const PERCPU_HANDLER_TICKS = 104;
export const PERCPU_HANDLER_INSNS = 112;
export const PERCPU_ENTRY_TICKS = 120;
export const PERCPU_ENTRY_INSNS = 128;
export const PERCPU_TRAP_FRAME = 256;
export const PERCPU_SIZE = 512;
/** log2(PERCPU_SIZE), for the `slli` that indexes the array. */
export const PERCPU_SHIFT = 9;

/** Recursion bit taken by __ftrace_ops_list_func (TRACE_LIST_START). */
export const TRACE_LIST_BIT = 1 << 0;
/** Recursion bit taken by ftrace_ops_assist_func (the RECURSION/RCU ops wrapper). */
export const TRACE_ASSIST_BIT = 1 << 1;
