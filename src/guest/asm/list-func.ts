// __ftrace_ops_list_func, ftrace_ops_test (two hash probes with hash_long), ftrace_ops_assist_func and ftrace_stub.
//
// Register use: the list func keeps its state in s0-s5 (saved on its own frame); ftrace_ops_test is a leaf that uses
// only t0-t3 and a0. The list and assist funcs reach the hart's per-CPU block (percpu-layout.ts) through `tp`, or in
// 'symbol' mode through t2 (entry) / t1 (exit), which are dead at both points.
// Kernel differences: rcu_is_watching() is always true here (FTRACE_OPS_FL_RCU never skips), and a recursive entry
// is dropped at once (the kernel allows one extra "transition" level); a NULL op->func is skipped, not a WARN.
import type { PercpuAccess } from '../options.js';
import { asmFunction } from './function.js';
import { percpuBase } from './percpu-access.js';

/** Probe hash `t0` for ip `a1` (hlist buckets, bucket = hash_long(ip, size_bits)); branch to `found` or `missing`. */
function hashProbe(tag: string, found: string, missing: string): string[] {
  return [
    `\tld\tt1, FTRACE_HASH_SIZE_BITS(t0)`,
    `\tld\tt2, FTRACE_HASH_BUCKETS(t0)`,
    `\tbeqz\tt1, .L${tag}_bucket\t\t# hash_long(ip, 0) = 0`,
    `\tld\tt3, ftrace_golden_ratio_64`,
    `\tmul\tt3, a1, t3\t\t\t# ip * GOLDEN_RATIO_64 mod 2^64`,
    `\tneg\tt1, t1`,
    `\taddi\tt1, t1, 64`,
    `\tsrl\tt3, t3, t1\t\t\t# >> (64 - size_bits)`,
    `\tslli\tt3, t3, 3`,
    `\tadd\tt2, t2, t3`,
    `.L${tag}_bucket:`,
    `\tld\tt2, 0(t2)\t\t\t# first entry of the bucket`,
    `.L${tag}_walk:`,
    `\tbeqz\tt2, ${missing}`,
    `\tld\tt3, FTRACE_ENTRY_IP(t2)`,
    `\tbeq\tt3, a1, ${found}`,
    `\tld\tt2, FTRACE_ENTRY_NEXT(t2)`,
    `\tj\t.L${tag}_walk`,
  ];
}

/** ftrace_ops_test(op = a0, ip = a1) -> a0 = 1 when (filter empty or holds ip) and (notrace empty or lacks ip). */
export function ftraceOpsTestSource(): string {
  return asmFunction('ftrace_ops_test', [
    `\tld\tt0, FTRACE_OPS_FILTER_HASH(a0)\t# snapshot the filter hash`,
    `\tbeqz\tt0, .Lops_test_filter_ok`,
    `\tld\tt1, FTRACE_HASH_COUNT(t0)`,
    `\tbeqz\tt1, .Lops_test_filter_ok`,
    ...hashProbe('ops_test_filter', '.Lops_test_filter_ok', '.Lops_test_no'),
    `.Lops_test_filter_ok:`,
    `\tld\tt0, FTRACE_OPS_NOTRACE_HASH(a0)\t# snapshot the notrace hash`,
    `\tbeqz\tt0, .Lops_test_yes`,
    `\tld\tt1, FTRACE_HASH_COUNT(t0)`,
    `\tbeqz\tt1, .Lops_test_yes`,
    ...hashProbe('ops_test_notrace', '.Lops_test_no', '.Lops_test_yes'),
    `.Lops_test_yes:`,
    `\tli\ta0, 1`,
    `\tret`,
    `.Lops_test_no:`,
    `\tli\ta0, 0`,
    `\tret`,
  ]);
}

/** Take recursion bit `bit` of this hart or return at once (counting the miss). Clobbers t0, t1 (and t2 in 'symbol' mode). */
function recursionEnter(mode: PercpuAccess, bit: string, recursed: string): string[] {
  const { lines, base } = percpuBase(mode, 't2');
  return [
    ...lines,
    `\tld\tt0, PERCPU_RECURSION(${base})`,
    `\tandi\tt1, t0, ${bit}`,
    `\tbnez\tt1, ${recursed}\t\t# trace_test_and_set_recursion: already inside`,
    `\tori\tt0, t0, ${bit}`,
    `\tsd\tt0, PERCPU_RECURSION(${base})`,
  ];
}

/** Clear recursion bit `bit`. Clobbers t0 (and t1 in 'symbol' mode). */
function recursionExit(mode: PercpuAccess, bit: string): string[] {
  const { lines, base } = percpuBase(mode, 't1');
  return [...lines, `\tld\tt0, PERCPU_RECURSION(${base})`, `\tandi\tt0, t0, ~${bit}`, `\tsd\tt0, PERCPU_RECURSION(${base})`];
}

function recursed(mode: PercpuAccess, label: string): string[] {
  const { lines, base } = percpuBase(mode, 't1');
  return [
    `${label}:`,
    ...lines,
    `\tld\tt0, PERCPU_RECURSION_MISSED(${base})`,
    `\taddi\tt0, t0, 1`,
    `\tsd\tt0, PERCPU_RECURSION_MISSED(${base})`,
    `\tret`,
  ];
}

/** What ftrace_get_regs(fregs) gives the list func: the trampoline's frame is a pt_regs (pre-6.16), or there are none. */
export type ListFuncRegs = 'pt_regs' | 'none';

/** ftrace_ops_list_func(ip, parent_ip, op, fregs): walk ftrace_ops_list, call every matching non-stub ops. */
export function listFuncSource(mode: PercpuAccess = 'tp', regs: ListFuncRegs = 'none'): string {
  const saved = ['ra', 's0', 's1', 's2', 's3', 's4', 's5'];
  return asmFunction('ftrace_ops_list_func', [
    ...recursionEnter(mode, 'TRACE_LIST_BIT', '.Llist_recursed'),
    `\taddi\tsp, sp, -64`,
    ...saved.map((r, i) => `\tsd\t${r}, ${8 * i}(sp)`),
    `\tmv\ts0, a0\t\t\t# ip`,
    `\tmv\ts1, a1\t\t\t# parent_ip`,
    `\tmv\ts2, a3\t\t\t# fregs`,
    regs === 'pt_regs'
      ? `\tmv\ts5, a3\t\t\t# regs = ftrace_get_regs(fregs): the pre-6.16 frame is a pt_regs`
      : `\tli\ts5, 0\t\t\t# regs = ftrace_get_regs(fregs) = NULL: 6.16 saves the ABI registers only`,
    `\tld\ts3, ftrace_ops_list\t\t# rcu_dereference(ftrace_ops_list)`,
    `\tla\ts4, ftrace_list_end`,
    `.Llist_loop:`,
    `\tbeq\ts3, s4, .Llist_done`,
    `\tbeqz\ts3, .Llist_done`,
    `\tld\tt0, FTRACE_OPS_FLAGS(s3)`,
    `\tandi\tt1, t0, FTRACE_OPS_FL_STUB`,
    `\tbnez\tt1, .Llist_next\t\t# ftrace_list_end / nop / list ops`,
    `\tandi\tt1, t0, FTRACE_OPS_FL_SAVE_REGS`,
    `\tbeqz\tt1, 2f`,
    `\tbeqz\ts5, .Llist_next\t\t# wants regs, trampoline saved none`,
    `2:`,
    `\tmv\ta0, s3`,
    `\tmv\ta1, s0`,
    `\tcall\tftrace_ops_test`,
    `\tbeqz\ta0, .Llist_next`,
    `\tld\tt1, FTRACE_OPS_FUNC(s3)`,
    `\tbeqz\tt1, .Llist_next`,
    `\tmv\ta0, s0`,
    `\tmv\ta1, s1`,
    `\tmv\ta2, s3`,
    `\tmv\ta3, s2`,
    `\tjalr\tt1\t\t\t# op->func(ip, parent_ip, op, fregs)`,
    `.Llist_next:`,
    `\tld\ts3, FTRACE_OPS_NEXT(s3)`,
    `\tj\t.Llist_loop`,
    `.Llist_done:`,
    ...saved.map((r, i) => `\tld\t${r}, ${8 * i}(sp)`),
    `\taddi\tsp, sp, 64`,
    ...recursionExit(mode, 'TRACE_LIST_BIT'),
    `\tret`,
    ...recursed(mode, '.Llist_recursed'),
  ]);
}

/** ftrace_ops_assist_func: recursion protection around op->func for one ops (no hash test). */
export function assistFuncSource(mode: PercpuAccess = 'tp'): string {
  return asmFunction('ftrace_ops_assist_func', [
    ...recursionEnter(mode, 'TRACE_ASSIST_BIT', '.Lassist_recursed'),
    `\taddi\tsp, sp, -16`,
    `\tsd\tra, 0(sp)`,
    `\tld\tt1, FTRACE_OPS_FUNC(a2)`,
    `\tbeqz\tt1, 1f`,
    `\tjalr\tt1`,
    `1:`,
    `\tld\tra, 0(sp)`,
    `\taddi\tsp, sp, 16`,
    ...recursionExit(mode, 'TRACE_ASSIST_BIT'),
    `\tret`,
    ...recursed(mode, '.Lassist_recursed'),
  ]);
}

/**
 * ftrace_stub; ftrace_ops_nop_func, the func of ftrace_nop_ops (kernel/trace/ftrace.c, CALL_OPS: what a site that is
 * being disabled calls); and ops_func_nop, the empty tracer of samples/ftrace/ftrace-ops.c. Three distinct addresses,
 * so none is mistaken for another.
 */
export function stubsSource(): string {
  return [asmFunction('ftrace_stub', [`\tret`]), asmFunction('ftrace_ops_nop_func', [`\tret`]), asmFunction('ops_func_nop', [`\tret`])].join('\n');
}
