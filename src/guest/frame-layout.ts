// Stack frames the trampolines build: Linux 6.16's struct ftrace_regs (riscv __arch_ftrace_regs) and the pre-6.16 pt_regs frame.
//
// 6.16 (arch/riscv/include/asm/ftrace.h struct __arch_ftrace_regs, filled by SAVE_ABI_REGS in mcount-dyn.S; GCC build,
// so no t2-t6 slots): +0 epc (t0 at entry = func+8; ftrace_caller resumes at fregs->epc, so a callback may redirect),
// +8 ra (parent return address), +16 sp (the traced function's sp), +24 s0 (saved only with
// HAVE_FUNCTION_GRAPH_FP_TEST), +32 t1 (direct trampoline: nonzero = exit through it), +40..+96 a0..a7.
// FREGS_SIZE_ON_STACK = ALIGN(13 * 8, 16) = 112.
// Pre-6.16 (mcount-dyn.S before 881dadf0792c): the trampolines build a pt_regs (PT_SIZE_ON_STACK bytes): +0 epc,
// +8*i = x_i for i = 1..31, +256 status, +264 badaddr, +272 cause, +280 orig_a0; ftrace_caller fills epc, ra and
// a0..a7 only, ftrace_regs_caller all 31 GPRs.
export const FREGS_EPC = 0;
export const FREGS_RA = 8;
export const FREGS_SP = 16;
export const FREGS_S0 = 24;
export const FREGS_T1 = 32;
export const FREGS_A0 = 40;
export const FREGS_SIZE = 112;

export const PT_REGS_EPC = 0;
export const PT_REGS_STATUS = 256;
export const PT_REGS_BADADDR = 264;
export const PT_REGS_CAUSE = 272;
export const PT_REGS_ORIG_A0 = 280;
export const PT_REGS_SIZE = 288;

/** Offset of a0..a7 (n = 0..7) in struct ftrace_regs. */
export function fregsA(n: number): number {
  return FREGS_A0 + 8 * n;
}

/** Offset of x_i (i = 1..31) in pt_regs. */
export function ptRegsX(i: number): number {
  return 8 * i;
}
