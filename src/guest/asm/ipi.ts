// The IPI handler (smp_call_function's receiving side: fence.i, sync, stop_machine requests from the host's patch protocols) and multi_cpu_stop with the pre-6.16 RISC-V __ftrace_modify_code.
//
// Entered from guest_trap_vector with every register saved (tp = per-CPU block) and interrupts off; leaves through
// guest_trap_return. Request protocol (patch-layout.ts): clear msip, read ipi_req_seq, swap ipi_request to 0, act,
// then publish the sequence number read in ipi_ack_seq.
import { asmFunction } from './function.js';

/** ipi_handler: one pass over the pending requests of this hart's mailbox. */
export function ipiHandlerSource(): string {
  return asmFunction('ipi_handler', [
    `\tld\tt0, PERCPU_HART_ID(tp)`,
    `\tslli\tt0, t0, 2`,
    `\tli\tt1, CLINT_BASE + CLINT_MSIP`,
    `\tadd\tt1, t1, t0`,
    `\tsw\tzero, 0(t1)\t\t\t# clear msip first: a request raised from now on interrupts again`,
    `\tfence\trw, rw`,
    `\tld\ts0, PERCPU_IPI_REQ_SEQ(tp)\t# the sequence number this pass acknowledges`,
    `\tfence\tr, rw`,
    `\taddi\tt0, tp, PERCPU_IPI_REQUEST`,
    `\tamoswap.d.aq\ts1, zero, (t0)\t# take every pending request`,
    `\tld\tt0, PERCPU_IPI_COUNT(tp)`,
    `\taddi\tt0, t0, 1`,
    `\tsd\tt0, PERCPU_IPI_COUNT(tp)`,
    `\tandi\tt0, s1, IPI_STOP_MACHINE`,
    `\tbeqz\tt0, 1f`,
    `\tcall\tmulti_cpu_stop`,
    `1:`,
    `\tandi\tt0, s1, IPI_FENCE_I`,
    `\tbeqz\tt0, 2f`,
    `\tfence.i\t\t\t\t# ipi_remote_fence_i: drop this hart's stale decoded text`,
    `2:`,
    `\tfence\trw, w\t\t\t# the requests' effects before the acknowledgement`,
    `\tsd\ts0, PERCPU_IPI_ACK_SEQ(tp)`,
    `\tj\tguest_trap_return`,
  ]);
}

/**
 * multi_cpu_stop (kernel/stop_machine.c, Linux 6.16) on stop_machine_data, with every hart active
 * (stop_machine(__ftrace_modify_code, &param, cpu_online_mask), arch/riscv/kernel/ftrace.c before 6.16): the states
 * PREPARE -> DISABLE_IRQ -> RUN -> EXIT, each acknowledged by every hart (ack_state: the last one resets thread_ack
 * and publishes curstate + 1). In RUN every hart runs __ftrace_modify_code: the LAST to arrive
 * (atomic_inc_return(&cpu_count) == num_online_cpus()) stores the patch vector, executes fence.i and releases the
 * others with a release increment; the others spin while cpu_count <= num_online_cpus() and then execute fence.i
 * (local_flush_icache_all). Interrupts are already off (we run inside the IPI handler), so DISABLE_IRQ only
 * acknowledges. Leaf: uses a0-a7, t0-t6.
 */
export function multiCpuStopSource(): string {
  return asmFunction('multi_cpu_stop', [
    `\tla\ta0, stop_machine_data`,
    `\tli\ta1, 0\t\t\t\t# curstate = MULTI_STOP_NONE`,
    `.Lms_loop:`,
    `\tld\tt0, MS_STATE(a0)`,
    `\tbeq\tt0, a1, .Lms_same`,
    `\tmv\ta1, t0\t\t\t# curstate = msdata->state`,
    `\tfence\tr, rw`,
    `\tli\tt1, MULTI_STOP_RUN`,
    `\tbne\ta1, t1, .Lms_ack`,
    `\taddi\tt2, a0, MS_CPU_COUNT`,
    `\tli\tt1, 1`,
    `\tamoadd.d.aqrl\tt3, t1, (t2)`,
    `\taddi\tt3, t3, 1\t\t\t# atomic_inc_return(&param->cpu_count)`,
    `\tld\tt4, MS_NUM_THREADS(a0)`,
    `\tbne\tt3, t4, .Lms_wait`,
    `\tld\tt5, MS_VECTOR(a0)\t\t# last to arrive: ftrace_modify_all_code = the patch vector, in order`,
    `\tld\tt6, MS_VECTOR_LEN(a0)`,
    `\tbeqz\tt6, .Lms_applied`,
    `.Lms_apply:`,
    `\tld\ta2, PV_ADDR(t5)`,
    `\tld\ta3, PV_VALUE(t5)`,
    `\tld\ta4, PV_SIZE(t5)`,
    `\tli\ta5, 8`,
    `\tbne\ta4, a5, 1f`,
    `\tsd\ta3, 0(a2)`,
    `\tj\t4f`,
    `1:`,
    `\tli\ta5, 4`,
    `\tbne\ta4, a5, 2f`,
    `\tsw\ta3, 0(a2)`,
    `\tj\t4f`,
    `2:`,
    `\tli\ta5, 2`,
    `\tbne\ta4, a5, 3f`,
    `\tsh\ta3, 0(a2)`,
    `\tj\t4f`,
    `3:`,
    `\tsb\ta3, 0(a2)`,
    `4:`,
    `\taddi\tt5, t5, PV_ENTRY_SIZE`,
    `\taddi\tt6, t6, -1`,
    `\tbnez\tt6, .Lms_apply`,
    `.Lms_applied:`,
    `\tld\tt0, PERCPU_HART_ID(tp)`,
    `\tsd\tt0, MS_PATCHER(a0)`,
    `\tfence.i\t\t\t\t# this hart's own decoded text`,
    `\tfence\trw, w`,
    `\tamoadd.d.rl\tzero, t1, (t2)\t# atomic_inc_return_release: the waiting harts may go`,
    `\tj\t.Lms_ack`,
    `.Lms_wait:`,
    `\tld\tt3, MS_CPU_COUNT(a0)`,
    `\tbleu\tt3, t4, .Lms_wait\t\t# while (cpu_count <= num_online_cpus()) cpu_relax();`,
    `\tfence\tr, rw`,
    `\tfence.i\t\t\t\t# local_flush_icache_all()`,
    `.Lms_ack:`,
    `\taddi\tt2, a0, MS_THREAD_ACK`,
    `\tli\tt1, -1`,
    `\tamoadd.d.aqrl\tt3, t1, (t2)\t# ack_state(): atomic_dec_and_test(&thread_ack)`,
    `\tli\tt1, 1`,
    `\tbne\tt3, t1, .Lms_same`,
    `\tld\tt1, MS_NUM_THREADS(a0)`,
    `\tsd\tt1, MS_THREAD_ACK(a0)\t# set_state(curstate + 1): reset the acknowledgements,`,
    `\tfence\tw, w\t\t\t# smp_wmb(),`,
    `\taddi\tt1, a1, 1`,
    `\tsd\tt1, MS_STATE(a0)\t\t# then publish the next state`,
    `.Lms_same:`,
    `\tli\tt1, MULTI_STOP_EXIT`,
    `\tbne\ta1, t1, .Lms_loop`,
    `\tret`,
  ]);
}
