// Stack frames ftrace_caller builds: struct ftrace_regs (args-only) and, for ftrace_regs_caller, a full pt_regs behind it.
//
// struct ftrace_regs (FREGS_SIZE bytes, sp-relative, 16-aligned), as SAVE_ABI_REGS in mcount-dyn.S:
//   +0 epc (t0 at entry = func+8; the trampoline resumes at fregs->epc, so a callback may redirect)
//   +8 ra (parent return address)  +16 s0  +24 t1 (direct trampoline: nonzero = exit through it)
//   +32..+88 a0..a7  +96 sp (the traced function's sp)
//   +104 regs: address of the full pt_regs (ftrace_get_regs), 0 when only the ABI registers were saved
// ftrace_regs_caller puts a pt_regs block right after (PT_REGS_SIZE bytes): +0 epc, +8*i = x_i for i = 1..31,
// +256 status, +264 badaddr, +272 cause, +280 orig_a0. Callbacks change the ABI registers through the ftrace_regs
// part (restored from there); the other GPRs are restored from the pt_regs block.
export const FREGS_EPC = 0;
export const FREGS_RA = 8;
export const FREGS_S0 = 16;
export const FREGS_T1 = 24;
export const FREGS_A0 = 32;
export const FREGS_SP = 96;
export const FREGS_REGS = 104;
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
