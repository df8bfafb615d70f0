// The s390-style hotpatch path in RISC-V form (seed 004): the shared third stage and the ftrace_caller it enters.
//
// Stage 1 (the one 4-byte slot at the function entry, per function): `bne x0, x0, stage2` (off: never taken, the only
// instruction a disabled call executes) <-> `beq x0, x0, stage2` (on: always taken) — only funct3 differs, one bit.
// Stage 2 (per function, 24 bytes, 8-aligned, in the pre-entry NOPs right before the function, as s390's
// -mhotpatch=pre-halfwords leaves room there): 4 bytes of padding + `jal t0, ftrace_hotpatch_stage3` (stage 1 branches
// to the jal), or `auipc t0` + `jalr t0` when stage 3 is beyond the jal's ±1 MiB (stage 1 branches to the auipc) ; u64
// resume (func + 4) ; u64 ops. Stage 3 (shared; s390's `lmg %r0,%r1,2(%r1) ; br %r1`): t0 = stage2 + 8 after either
// call, so it loads the ops into t1 and the resume address into t0 and enters ftrace_caller, which therefore sees t0 = func + 4
// (the lab's rec->ip) and ra = the parent, plus the op in t1. Where s390 keeps the interceptor's address in stage 2
// (always ftrace_caller), this keeps the function's ops (as a CALL_OPS literal does), so one relevant ops costs the
// same whatever else is registered.
import { fregsA } from '../frame-layout.js';
import { asmFunction } from './function.js';

/** Bytes of one second stage (s390's struct ftrace_hotpatch_trampoline is 24 bytes too). */
export const HOTPATCH_STAGE2_BYTES = 24;
export const HOTPATCH_STAGE2_RESUME = 8;
export const HOTPATCH_STAGE2_OPS = 16;

const ARGS = [0, 1, 2, 3, 4, 5, 6, 7];

/** ftrace_hotpatch_stage3 and the ftrace_caller it enters (SAVE_ABI_REGS / RESTORE_ABI_REGS as in 6.16). */
export function hotpatchSource(): string {
  const stage3 = asmFunction('ftrace_hotpatch_stage3', [
    `\tld\tt1, ${HOTPATCH_STAGE2_OPS - 8}(t0)\t\t# the function's ops (stage 2 + 16)`,
    `\tld\tt0, ${HOTPATCH_STAGE2_RESUME - 8}(t0)\t\t# where to resume: func + 4 (stage 2 + 8)`,
    `\tj\tftrace_caller`,
  ]);
  const caller = asmFunction('ftrace_caller', [
    `\taddi\tsp, sp, -FREGS_SIZE`,
    `\tsd\tt0, FREGS_EPC(sp)`,
    `\tsd\tra, FREGS_RA(sp)`,
    `\tsd\tt1, FREGS_T1(sp)`,
    ...ARGS.map((n) => `\tsd\ta${n}, ${fregsA(n)}(sp)`),
    `\tmv\ta0, sp`,
    `\taddi\ta0, a0, FREGS_SIZE`,
    `\tsd\ta0, FREGS_SP(sp)`,
    `\tmv\ta0, t0\t\t\t# ip = func + 4 (the lab's rec->ip: the resume address)`,
    `\tmv\ta1, ra\t\t\t# parent_ip`,
    `\tmv\ta2, t1\t\t\t# op, from stage 2`,
    `\tld\tra, FTRACE_OPS_FUNC(a2)`,
    `\tmv\ta3, sp`,
    `\tjalr\tra`,
    `\tld\tt0, FREGS_EPC(sp)`,
    `\tld\tra, FREGS_RA(sp)`,
    `\tld\tt1, FREGS_T1(sp)`,
    ...ARGS.map((n) => `\tld\ta${n}, ${fregsA(n)}(sp)`),
    `\taddi\tsp, sp, FREGS_SIZE`,
    `\tjr\tt0`,
  ]);
  return ['\t.balign\t8', stage3, '\t.balign\t8', caller].join('\n');
}
