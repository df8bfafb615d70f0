// ftrace_caller / ftrace_regs_caller of the pre-6.16 RISC-V ftrace (mcount-dyn.S with DYNAMIC_FTRACE_WITH_REGS, torvalds/linux 00c1d298d486).
//
// The sites were `auipc t0 ; jalr t0` pairs written whole under stop_machine; the trampolines build a pt_regs frame
// (SAVE_ABI_REGS 0: epc, ra, a0-a7; SAVE_ABI_REGS 1: all 31 GPRs) and reach the tracer through a patched
// `call ftrace_stub` at the labels ftrace_call / ftrace_regs_call (ftrace_update_ftrace_func rewrites that pair).
// One lab difference: a0 = t0 - 4 (the lab keys every record by the jalr word) where the kernel passed
// t0 - FENTRY_RA_OFFSET (8), the function entry; the instruction count is the same.
import { ptRegsX } from '../frame-layout.js';
import { asmFunction } from './function.js';

const ABI_ARGS = [10, 11, 12, 13, 14, 15, 16, 17];
/** The "leftover" registers SAVE_ABI_REGS 1 stores after the ABI ones, in the kernel's order. */
const LEFTOVER_SAVE = [2, 3, 4, 5, 6, 7, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];
/** RESTORE_ABI_REGS 1 reloads the same set except t0 (x5), which came back from epc. */
const LEFTOVER_RESTORE = LEFTOVER_SAVE.filter((x) => x !== 5);

function saveAbiRegs(all: boolean): string[] {
  return [
    `\taddi\tsp, sp, -PT_REGS_SIZE`,
    `\tsd\tt0, PT_REGS_EPC(sp)`,
    `\tsd\tx1, ${ptRegsX(1)}(sp)`,
    ...ABI_ARGS.map((x) => `\tsd\tx${x}, ${ptRegsX(x)}(sp)`),
    ...(all ? LEFTOVER_SAVE.map((x) => `\tsd\tx${x}, ${ptRegsX(x)}(sp)`) : []),
  ];
}

function restoreAbiRegs(all: boolean): string[] {
  return [
    `\tld\tt0, PT_REGS_EPC(sp)`,
    `\tld\tx1, ${ptRegsX(1)}(sp)`,
    ...ABI_ARGS.map((x) => `\tld\tx${x}, ${ptRegsX(x)}(sp)`),
    ...(all ? LEFTOVER_RESTORE.map((x) => `\tld\tx${x}, ${ptRegsX(x)}(sp)`) : []),
    `\taddi\tsp, sp, PT_REGS_SIZE`,
  ];
}

/** PREPARE_ARGS: ip, op = function_trace_op, parent_ip, fregs (= the pt_regs frame). */
function prepareArgs(): string[] {
  return [
    `\taddi\ta0, t0, -4\t\t# ip (rec->ip of the lab: the jalr word)`,
    `\tla\ta1, function_trace_op`,
    `\tld\ta2, 0(a1)\t\t# op`,
    `\tmv\ta1, ra\t\t\t# parent_ip`,
    `\tmv\ta3, sp\t\t\t# fregs = pt_regs`,
  ];
}

/** The patched call site inside a trampoline: `label: call ftrace_stub` (auipc ra + jalr ra, rewritten whole). */
function patchedCall(label: string): string[] {
  return [`\t.globl\t${label}`, `${label}:`, `\tcall\tftrace_stub`];
}

/** Both pre-6.16 trampolines and ftrace_stub_direct_tramp. */
export function legacyTrampolinesSource(): string {
  const caller = asmFunction('ftrace_caller', [
    ...saveAbiRegs(false),
    ...prepareArgs(),
    ...patchedCall('ftrace_call'),
    ...restoreAbiRegs(false),
    `\tjr\tt0`,
  ]);
  const regsCaller = asmFunction('ftrace_regs_caller', [
    `\tmv\tt1, zero\t\t\t# no direct trampoline unless call_direct_funcs sets regs->t1`,
    ...saveAbiRegs(true),
    ...prepareArgs(),
    ...patchedCall('ftrace_regs_call'),
    ...restoreAbiRegs(true),
    `\tbnez\tt1, .Lregs_direct`,
    `\tjr\tt0`,
    `.Lregs_direct:`,
    `\tjr\tt1`,
  ]);
  return ['\t.balign\t8', caller, '\t.balign\t8', regsCaller, asmFunction('ftrace_stub_direct_tramp', [`\tjr\tt0`])].join('\n');
}
