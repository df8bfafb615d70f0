// ftrace_caller as in Linux 6.16 arch/riscv/kernel/mcount-dyn.S (881dadf0792c series): the list and CALL_OPS variants.
//
// Entry convention of a patched site `auipc t0, hi ; jalr t0, lo(t0)`: t0 = func + 8 (resume point), ra = the
// parent's return address, a0-a7 = the traced function's arguments; t1-t6 are dead (caller-saved at a call).
// CALL_OPS: the ops is the 8-byte literal at func - 8 = t0 - 16. 6.16 has no ftrace_regs_caller (riscv selects only
// DYNAMIC_FTRACE_WITH_ARGS), and DYNAMIC_FTRACE_WITH_DIRECT_CALLS only with CALL_OPS.
import type { ResolvedGuestOptions } from '../options.js';
import { fregsA } from '../frame-layout.js';
import { asmFunction } from './function.js';

/** Which mcount-dyn.S configuration to emit. */
export interface FtraceCallerConfig {
  /** CONFIG_DYNAMIC_FTRACE_WITH_CALL_OPS: the op comes from the literal at t0 - 16, the func from op->func. */
  readonly callOps: boolean;
  /** CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS (needs callOps): the op->direct_call fast path and the fregs->t1 exit. */
  readonly directCalls: boolean;
  /** HAVE_FUNCTION_GRAPH_FP_TEST (FUNCTION_GRAPH_TRACER && FRAME_POINTER): s0 is saved and restored. */
  readonly fpTest: boolean;
}

const ABI_ARGS = [0, 1, 2, 3, 4, 5, 6, 7];

/** SAVE_ABI_REGS: epc, ra, [s0], t1, a0-a7, then the original sp (through a0, as the kernel does). */
function saveAbiRegs(c: FtraceCallerConfig): string[] {
  return [
    `\taddi\tsp, sp, -FREGS_SIZE`,
    `\tsd\tt0, FREGS_EPC(sp)`,
    `\tsd\tra, FREGS_RA(sp)`,
    ...(c.fpTest ? [`\tsd\ts0, FREGS_S0(sp)`] : []),
    `\tsd\tt1, FREGS_T1(sp)`,
    ...ABI_ARGS.map((n) => `\tsd\ta${n}, ${fregsA(n)}(sp)`),
    `\tmv\ta0, sp`,
    `\taddi\ta0, a0, FREGS_SIZE`,
    `\tsd\ta0, FREGS_SP(sp)\t\t# the traced function's sp`,
  ];
}

/** RESTORE_ABI_REGS: t0 <- fregs->epc (a callback may redirect), ra, [s0], t1, a0-a7. */
function restoreAbiRegs(c: FtraceCallerConfig): string[] {
  return [
    `\tld\tt0, FREGS_EPC(sp)`,
    `\tld\tra, FREGS_RA(sp)`,
    ...(c.fpTest ? [`\tld\ts0, FREGS_S0(sp)`] : []),
    `\tld\tt1, FREGS_T1(sp)`,
    ...ABI_ARGS.map((n) => `\tld\ta${n}, ${fregsA(n)}(sp)`),
    `\taddi\tsp, sp, FREGS_SIZE`,
  ];
}

/** PREPARE_ARGS: a0 = ip (the site's jalr), a1 = parent_ip, a2 = op, a3 = fregs; CALL_OPS also ra = op->func. */
function prepareArgs(c: FtraceCallerConfig): string[] {
  const op = c.callOps
    ? [`\tmv\ta1, ra\t\t\t# parent_ip`, `\tld\ta2, -16(t0)\t\t# op = the CALL_OPS literal`, `\tld\tra, FTRACE_OPS_FUNC(a2)\t# op->func`]
    : [`\tla\ta1, function_trace_op`, `\tld\ta2, 0(a1)\t\t# op`, `\tmv\ta1, ra\t\t\t# parent_ip`];
  return [`\taddi\ta0, t0, -4\t\t# ip = the site's jalr (rec->ip)`, ...op, `\tmv\ta3, sp\t\t\t# fregs`];
}

/** The body of ftrace_caller for a configuration (ftrace_caller_direct is a local label inside it). */
export function ftraceCallerSource(c: FtraceCallerConfig): string {
  if (c.directCalls && !c.callOps) throw new Error('mcount-dyn.S: DYNAMIC_FTRACE_WITH_DIRECT_CALLS needs CALL_OPS on riscv');
  const direct = c.directCalls;
  return asmFunction('ftrace_caller', [
    ...(c.callOps ? [`\tld\tt1, -16(t0)\t\t# op = the CALL_OPS literal at func-8`] : []),
    ...(direct ? [`\tld\tt1, FTRACE_OPS_DIRECT_CALL(t1)`, `\tbnez\tt1, ftrace_caller_direct\t# direct trampoline, nothing saved`] : []),
    ...saveAbiRegs(c),
    ...prepareArgs(c),
    ...(c.callOps ? [`\tjalr\tra`] : [`\t.globl\tftrace_call`, `ftrace_call:`, `\tld\tra, ftrace_call_dest`, `\tjalr\tra, 0(ra)`]),
    ...restoreAbiRegs(c),
    ...(direct ? [`\tbnez\tt1, ftrace_caller_direct\t# fregs->t1 set by call_direct_funcs`] : []),
    `\tjr\tt0`,
    ...(direct ? [`\t.globl\tftrace_caller_direct`, `ftrace_caller_direct:`, `\tjr\tt1`] : []),
  ]);
}

/**
 * call_direct_funcs (kernel/trace/ftrace.c), the func of a direct ops when the site goes through the list func:
 * addr = ops->direct_call; if set, arch_ftrace_set_direct_caller(fregs, addr) = fregs->t1 = addr, so ftrace_caller
 * exits into the direct trampoline after the other callbacks.
 */
export function callDirectFuncsSource(): string {
  return asmFunction('call_direct_funcs', [
    `\tld\tt0, FTRACE_OPS_DIRECT_CALL(a2)`,
    `\tbeqz\tt0, 1f`,
    `\tsd\tt0, FREGS_T1(a3)\t\t# arch_ftrace_set_direct_caller`,
    `1:`,
    `\tret`,
  ]);
}

/** ftrace_stub_direct_tramp: the do-nothing direct trampoline (`jr t0`). */
export function stubDirectTrampSource(): string {
  return asmFunction('ftrace_stub_direct_tramp', [`\tjr\tt0`]);
}

/**
 * The 6.16 trampolines of the list (callOps false) or CALL_OPS scheme, 8-aligned; `windowBytes` > 0 reserves
 * ftrace_tramp_window..ftrace_tramp_window_end right after ftrace_caller (zeros: illegal instructions until a per-ops
 * trampoline is written there), inside the ±2 KiB a frozen auipc's jalr reaches.
 */
export function ftrace616Source(o: ResolvedGuestOptions, callOps: boolean, windowBytes = 0): string {
  const c: FtraceCallerConfig = { callOps, directCalls: callOps && o.directCalls, fpTest: false };
  const window = windowBytes > 0
    ? [`\t.balign\t8`, `\t.globl\tftrace_tramp_window`, `ftrace_tramp_window:`, `\t.zero\t${windowBytes}`, `\t.globl\tftrace_tramp_window_end`, `ftrace_tramp_window_end:`]
    : [];
  return ['\t.balign\t8', ftraceCallerSource(c), ...window, ...(c.directCalls ? [stubDirectTrampSource(), callDirectFuncsSource()] : [])].join('\n');
}
