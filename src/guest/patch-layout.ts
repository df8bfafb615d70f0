// Layouts the host's patch protocols share with the guest runtime: IPI requests, stop_machine's multi_stop_data, the patch vector and the text_poke_bp table.
//
// IPI mailbox (per hart, in percpu-layout.ts): the host ORs IPI_* bits into ipi_request, then writes ipi_req_seq,
// then raises CLINT msip. The handler clears msip, reads ipi_req_seq, swaps ipi_request to 0, acts, then writes
// ipi_ack_seq: a requester that sees ack >= its sequence number knows its request was carried out.
export const IPI_FENCE_I = 1; // flush_icache_all / SBI remote fence.i: execute fence.i
export const IPI_SYNC = 2; // acknowledge only (a context synchronisation point, like smp_call_function(ftrace_sync_ipi))
export const IPI_STOP_MACHINE = 4; // enter multi_cpu_stop on stop_machine_data

// struct multi_stop_data + struct ftrace_modify_param (kernel/stop_machine.c, arch/riscv/kernel/ftrace.c before 6.16),
// one instance at the symbol `stop_machine_data`:
//   +0 state  +8 thread_ack  +16 num_threads  +24 cpu_count (ftrace_modify_param)
//   +32 vector (patch vector address)  +40 vector_len (entries)  +48 patcher (hart that applied the vector)
export const MS_STATE = 0;
export const MS_THREAD_ACK = 8;
export const MS_NUM_THREADS = 16;
export const MS_CPU_COUNT = 24;
export const MS_VECTOR = 32;
export const MS_VECTOR_LEN = 40;
export const MS_PATCHER = 48;
export const MS_SIZE = 64;
/** enum multi_stop_state. */
export const MULTI_STOP_NONE = 0;
export const MULTI_STOP_PREPARE = 1;
export const MULTI_STOP_DISABLE_IRQ = 2;
export const MULTI_STOP_RUN = 3;
export const MULTI_STOP_EXIT = 4;

// Patch vector entry (what __ftrace_modify_code's last arriver stores): +0 addr, +8 value, +16 size (1, 2, 4 or 8;
// addr naturally aligned, so each entry is one single-copy-atomic store).
export const PV_ADDR = 0;
export const PV_VALUE = 8;
export const PV_SIZE = 16;
export const PV_ENTRY_SIZE = 24;

// The text_poke_bp descriptor vector at the symbol `text_poke_array`: +0 vec (entries address, 0 = none),
// +8 nr_entries. Entries sorted by addr: +0 addr, +8 the NEW instruction (32-bit form), +12 its length (2 or 4).
export const TP_VEC = 0;
export const TP_NR = 8;
export const TP_SIZE = 16;
export const TPE_ADDR = 0;
export const TPE_INSN = 8;
export const TPE_LEN = 12;
export const TPE_SIZE = 16;
