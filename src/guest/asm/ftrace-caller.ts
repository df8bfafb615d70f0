// ftrace_caller / ftrace_regs_caller (arch/riscv/kernel/mcount-dyn.S, merged 6.16 state) for the list and CALL_OPS schemes.
//
// Entry convention of a patched site `auipc t0, hi ; jalr t0, lo(t0)`: t0 = func + 8 (resume point), ra = the
// parent's return address, a0-a7 = the traced function's arguments; t1-t6 are dead (caller-saved at a call).
// CALL_OPS: the ops is the 8-byte literal at func - 8 = t0 - 16.
import type { ResolvedGuestOptions } from '../options.js';
import { fregsA, ptRegsX } from '../frame-layout.js';

const ABI_ARGS = [0, 1, 2, 3, 4, 5, 6, 7];
/** GPRs ftrace_regs_caller restores from pt_regs (everything not in struct ftrace_regs, minus sp/t0/t1). */
const NON_ABI_GPRS = [3, 4, 7, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];

function directFastPath(o: ResolvedGuestOptions, name: string): string[] {
  if (o.scheme !== 'callops' || !o.directCalls) return [];
  return [
    `\tld\tt1, -16(t0)\t\t\t# op = the CALL_OPS literal at func-8`,
    `\tld\tt1, FTRACE_OPS_DIRECT_CALL(t1)`,
    `\tbnez\tt1, ftrace_caller_direct\t# ${name}: direct trampoline, nothing saved`,
  ];
}

/** SAVE_ABI_REGS at `base`(sp) (struct ftrace_regs); `regs` = sp offset of a pt_regs block or null. */
function saveAbiRegs(base: number, frame: number, regs: number | null): string[] {
  const at = (off: number) => `${base + off}(sp)`;
  return [
    `\tsd\tt0, ${at(0)}\t\t\t# fregs->epc`,
    `\tsd\tra, ${at(8)}`,
    `\tsd\ts0, ${at(16)}`,
    `\tsd\tzero, ${at(24)}\t\t\t# fregs->t1: no direct trampoline unless a callback sets one`,
    ...ABI_ARGS.map((n) => `\tsd\ta${n}, ${at(fregsA(n))}`),
    `\taddi\tt1, sp, ${frame}`,
    `\tsd\tt1, ${at(96)}\t\t\t# fregs->sp = the traced function's sp`,
    regs === null ? `\tsd\tzero, ${at(104)}\t\t\t# fregs->regs = NULL (args only)` : `\taddi\tt1, sp, ${regs}\n\tsd\tt1, ${at(104)}\t\t\t# fregs->regs = &pt_regs`,
  ];
}

function callTracer(o: ResolvedGuestOptions): string[] {
  const op =
    o.scheme === 'callops'
      ? [`\tld\ta2, -16(t0)\t\t\t# op = literal`, `\tld\tt1, FTRACE_OPS_FUNC(a2)`]
      : [`\tld\ta2, function_trace_op`, `\tld\tt1, ftrace_call_dest`];
  return [
    `\taddi\ta0, t0, -4\t\t\t# ip = the site's jalr (rec->ip)`,
    `\tmv\ta1, ra\t\t\t# parent_ip`,
    ...op,
    `\tmv\ta3, sp\t\t\t# fregs`,
    `\tjalr\tt1`,
  ];
}

function restoreAbiRegs(base: number): string[] {
  const at = (off: number) => `${base + off}(sp)`;
  return [
    ...ABI_ARGS.map((n) => `\tld\ta${n}, ${at(fregsA(n))}`),
    `\tld\tt1, ${at(24)}`,
    `\tld\ts0, ${at(16)}`,
    `\tld\tra, ${at(8)}`,
    `\tld\tt0, ${at(0)}\t\t\t# resume at fregs->epc (a callback may redirect)`,
  ];
}

function exit(o: ResolvedGuestOptions, frame: number): string[] {
  return [
    `\taddi\tsp, sp, ${frame}`,
    ...(o.directCalls ? [`\tbnez\tt1, ftrace_caller_direct\t# fregs->t1 set by call_direct_funcs`] : []),
    `\tjr\tt0`,
  ];
}

function fn(name: string, body: string[]): string {
  return [`\t.globl\t${name}`, `\t.type\t${name}, @function`, `${name}:`, ...body, `\t.size\t${name}, .-${name}`].join('\n');
}

/** ftrace_caller: args-only frame (struct ftrace_regs). */
export function ftraceCallerSource(o: ResolvedGuestOptions): string {
  const F = 'FREGS_SIZE';
  return fn('ftrace_caller', [
    ...directFastPath(o, 'ftrace_caller'),
    `\taddi\tsp, sp, -${F}`,
    ...saveAbiRegs(0, 112, null),
    ...callTracer(o),
    ...restoreAbiRegs(0),
    ...exit(o, 112),
  ]);
}

/** ftrace_regs_caller: struct ftrace_regs at sp, then a full pt_regs (all 31 GPRs) for SAVE_REGS ops. */
export function ftraceRegsCallerSource(o: ResolvedGuestOptions): string {
  const P = 112; // pt_regs block offset = FREGS_SIZE
  const frame = 112 + 288; // FREGS_SIZE + PT_REGS_SIZE
  const saveAll: string[] = [];
  for (let i = 1; i < 32; i++) if (i !== 2) saveAll.push(`\tsd\tx${i}, ${P + ptRegsX(i)}(sp)`);
  return fn('ftrace_regs_caller', [
    ...directFastPath(o, 'ftrace_regs_caller'),
    `\taddi\tsp, sp, -${frame}`,
    ...saveAll,
    `\tsd\tt0, ${P}(sp)\t\t\t# regs->epc`,
    `\tsd\ta0, ${P + 280}(sp)\t\t\t# regs->orig_a0`,
    `\taddi\tt1, sp, ${frame}`,
    `\tsd\tt1, ${P + ptRegsX(2)}(sp)\t\t\t# regs->sp`,
    ...saveAbiRegs(0, frame, P),
    ...callTracer(o),
    ...NON_ABI_GPRS.map((i) => `\tld\tx${i}, ${P + ptRegsX(i)}(sp)`),
    ...restoreAbiRegs(0),
    ...exit(o, frame),
  ]);
}

/** ftrace_caller_direct / ftrace_stub_direct_tramp (DIRECT_CALLS exits). */
export function directExitSource(o: ResolvedGuestOptions): string {
  if (!o.directCalls) return '';
  return [fn('ftrace_caller_direct', [`\tjr\tt1`]), fn('ftrace_stub_direct_tramp', [`\tjr\tt0`])].join('\n');
}

/** All trampolines, 8-aligned so the sites' frozen auipc reaches both callers. */
export function trampolinesSource(o: ResolvedGuestOptions): string {
  return ['\t.balign\t8', ftraceCallerSource(o), '\t.balign\t8', ftraceRegsCallerSource(o), directExitSource(o)].join('\n');
}
