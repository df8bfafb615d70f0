// function_graph in the guest: ftrace_graph_func (prepare_ftrace_return + function_graph_enter + trace_graph_entry), return_to_handler and ftrace_return_to_handler.
//
// Follows Linux v6.6: arch/riscv/kernel/ftrace.c ftrace_graph_func/prepare_ftrace_return (parent = &fregs->ra), the
// array-era kernel/trace/fgraph.c (ftrace_push_return_trace, ftrace_pop_return_trace, __ftrace_return_to_handler),
// trace_functions_graph.c trace_graph_entry/trace_graph_return with trace.h ftrace_graph_ignore_func /
// ftrace_graph_addr / ftrace_graph_addr_finish / ftrace_graph_notrace_addr, and arch/riscv/kernel/mcount.S
// return_to_handler with its struct fgraph_ret_regs {a1, a0, s0, ra} frame. Layout in ../fgraph-layout.ts.
// Lab differences: one task per hart; set_graph_function / set_graph_notrace are sorted ip arrays searched by bisection
// (the kernel probes an ftrace_hash); no frame-pointer test (as a kernel without CONFIG_FRAME_POINTER); no retval.
import type { PercpuAccess } from '../options.js';
import { asmFunction } from './function.js';
import { percpuBase } from './percpu-access.js';

/** Lines that point `reg` at this hart's shadow-stack area (clobbers only `reg`). */
function taskOf(mode: PercpuAccess, reg: string): string[] {
  const { lines, base } = percpuBase(mode, reg);
  return [...lines, `\tld\t${reg}, PERCPU_HART_ID(${base})`, `\tslli\t${reg}, ${reg}, FGRAPH_TASK_SHIFT`, `\tla\tt0, ftrace_graph_stacks`, `\tadd\t${reg}, ${reg}, t0`];
}

/** Bisection of the {n, ips[n]} set at t0 for ip `ip`; branches to `found` or `missing`. Clobbers t0-t4. */
function lookup(tag: string, ip: string, found: string, missing: string): string[] {
  return [
    `\tld\tt1, 0(t0)\t\t\t# n`,
    `\taddi\tt0, t0, 8\t\t\t# ips`,
    `\tli\tt2, 0\t\t\t\t# lo`,
    `.L${tag}_loop:`,
    `\tbgeu\tt2, t1, ${missing}`,
    `\tadd\tt3, t2, t1`,
    `\tsrli\tt3, t3, 1`,
    `\tslli\tt4, t3, 3`,
    `\tadd\tt4, t4, t0`,
    `\tld\tt4, 0(t4)`,
    `\tbeq\tt4, ${ip}, ${found}`,
    `\tbltu\tt4, ${ip}, .L${tag}_up`,
    `\tmv\tt1, t3`,
    `\tj\t.L${tag}_loop`,
    `.L${tag}_up:`,
    `\taddi\tt2, t3, 1`,
    `\tj\t.L${tag}_loop`,
  ];
}

interface GraphEvent {
  readonly type: 'RB_EVENT_GRAPH_ENT' | 'RB_EVENT_GRAPH_RET';
  readonly ip: string;
  readonly parent: string;
  readonly time: string;
  readonly op: string;
  readonly depth: string;
  readonly overrun: string;
  readonly calltime: string;
}

/**
 * Append a graph event to this hart's ring buffer (as function_tracer_func: drop the newest and count it in `lost`
 * when full, then go to `full`; otherwise fall through). Field registers must not be t0-t5, which this clobbers.
 */
function ringWrite(mode: PercpuAccess, tag: string, e: GraphEvent, full: string): string[] {
  const pc = percpuBase(mode, 't5');
  return [
    ...pc.lines,
    `\tld\tt0, PERCPU_RING_BUFFER(${pc.base})`,
    `\tbeqz\tt0, .L${tag}_done`,
    `\tld\tt1, RB_HEAD(t0)`,
    `\tld\tt2, RB_TAIL(t0)`,
    `\tfence\tr, rw\t\t\t# read tail before reusing its slot`,
    `\tld\tt3, RB_SIZE(t0)`,
    `\tsub\tt2, t1, t2`,
    `\tbgeu\tt2, t3, .L${tag}_full`,
    `\taddi\tt3, t3, -1`,
    `\tand\tt3, t1, t3`,
    `\tslli\tt3, t3, RB_EVENT_SHIFT`,
    `\tld\tt4, RB_DATA(t0)`,
    `\tadd\tt3, t3, t4`,
    `\tsd\t${e.ip}, RB_EVENT_IP(t3)`,
    `\tsd\t${e.parent}, RB_EVENT_PARENT_IP(t3)`,
    `\tsd\t${e.time}, RB_EVENT_TIMESTAMP(t3)`,
    `\tsd\t${e.op}, RB_EVENT_OP(t3)`,
    `\tld\tt4, PERCPU_RCU_TASKS_QS(${pc.base})`,
    `\tsd\tt4, RB_EVENT_QS(t3)`,
    `\tld\tt4, PERCPU_HART_ID(${pc.base})`,
    `\tsw\tt4, RB_EVENT_HART(t3)`,
    `\tli\tt4, ${e.type}`,
    `\tsw\tt4, RB_EVENT_TYPE(t3)`,
    `\tsw\t${e.depth}, RB_EVENT_DEPTH(t3)`,
    `\tsw\t${e.overrun}, RB_EVENT_OVERRUN(t3)`,
    `\tsd\t${e.calltime}, RB_EVENT_CALLTIME(t3)`,
    `\tfence\tw, w\t\t\t# event before head`,
    `\taddi\tt1, t1, 1`,
    `\tsd\tt1, RB_HEAD(t0)`,
    `\tj\t.L${tag}_done`,
    `.L${tag}_full:`,
    `\tld\tt1, RB_LOST(t0)`,
    `\taddi\tt1, t1, 1`,
    `\tsd\tt1, RB_LOST(t0)`,
    `\tj\t${full}`,
    `.L${tag}_done:`,
  ];
}

/**
 * ftrace_graph_func(ip = a0, parent_ip = a1, op = a2, fregs = a3): the ops callback of the function_graph tracer.
 * Registers: t6 = the hart's task area, a4 = old (*parent), a5 = trace.depth, a6 = calltime, a7 = the pushed frame.
 */
export function ftraceGraphFuncSource(mode: PercpuAccess = 'tp'): string {
  return asmFunction('ftrace_graph_func', [
    ...taskOf(mode, 't6'),
    `\tld\tt0, FGRAPH_PAUSE(t6)`,
    `\tbnez\tt0, .Lgraph_ret\t\t# prepare_ftrace_return: tracing_graph_pause`,
    `\tld\ta4, FREGS_RA(a3)\t\t# old = *parent, parent = &fregs->ra`,
    // function_graph_enter
    `\tld\ta5, FGRAPH_DEPTH(t6)\t\t# trace.depth = ++curr_ret_depth (the field holds depth + 1)`,
    `\taddi\tt0, a5, 1`,
    `\tsd\tt0, FGRAPH_DEPTH(t6)`,
    // ftrace_push_return_trace
    `\tla\tt1, ftrace_graph_control`,
    `\tld\tt0, FGRAPH_CTL_DEAD(t1)`,
    `\tbnez\tt0, .Lgraph_out\t\t# ftrace_graph_is_dead()`,
    `\tld\tt2, FGRAPH_NR_FRAMES(t6)`,
    `\tli\tt3, FTRACE_RETFUNC_DEPTH`,
    `\tbltu\tt2, t3, .Lgraph_push`,
    `\tld\tt0, FGRAPH_OVERRUN(t6)\t# the return trace stack is full`,
    `\taddi\tt0, t0, 1`,
    `\tsd\tt0, FGRAPH_OVERRUN(t6)`,
    `\tj\t.Lgraph_out`,
    `.Lgraph_push:`,
    `\trdinstret\ta6\t\t\t# calltime = trace_clock_local()`,
    `\taddi\tt0, t2, 1`,
    `\tsd\tt0, FGRAPH_NR_FRAMES(t6)\t# index = ++curr_ret_stack, then the frame`,
    `\tslli\ta7, t2, FGRAPH_FRAME_SHIFT`,
    `\tadd\ta7, a7, t6`,
    `\taddi\ta7, a7, FGRAPH_FRAMES`,
    `\tsd\ta4, FGRAPH_FRAME_RET(a7)`,
    `\tsd\ta0, FGRAPH_FRAME_FUNC(a7)`,
    `\tsd\ta6, FGRAPH_FRAME_CALLTIME(a7)`,
    // no frame-pointer test: the 6.16 ftrace_caller (FtraceCallerConfig.fpTest off) does not save s0 in fregs
    `\tsd\tzero, FGRAPH_FRAME_FP(a7)`,
    `\taddi\tt0, a3, FREGS_RA`,
    `\tsd\tt0, FGRAPH_FRAME_RETP(a7)`,
    // ftrace_graph_entry = trace_graph_entry
    `\tld\tt0, FGRAPH_RECURSION(t6)`,
    `\tandi\tt0, t0, TRACE_GRAPH_NOTRACE_BIT`,
    `\tbnez\tt0, .Lgraph_out_ret\t# under a set_graph_notrace function`,
    `\tla\tt1, ftrace_graph_control`,
    `\tld\tt0, FGRAPH_CTL_NOTRACE_HASH(t1)`,
    `\tbeqz\tt0, .Lgraph_traced`,
    ...lookup('graph_notrace', 'a0', '.Lgraph_notrace', '.Lgraph_traced'),
    `.Lgraph_notrace:`,
    `\tld\tt0, FGRAPH_RECURSION(t6)\t# hooked only so that its return clears the bit`,
    `\tori\tt0, t0, TRACE_GRAPH_NOTRACE_BIT`,
    `\tsd\tt0, FGRAPH_RECURSION(t6)`,
    `\tj\t.Lgraph_hook`,
    `.Lgraph_traced:`,
    // ftrace_graph_ignore_func: !(TRACE_GRAPH_BIT || ftrace_graph_addr()) || depth < 0 || depth >= max_graph_depth
    `\tld\tt0, FGRAPH_RECURSION(t6)`,
    `\tandi\tt0, t0, TRACE_GRAPH_BIT`,
    `\tbnez\tt0, .Lgraph_depth`,
    `\tla\tt1, ftrace_graph_control`,
    `\tld\tt0, FGRAPH_CTL_GRAPH_HASH(t1)`,
    `\tbeqz\tt0, .Lgraph_depth\t\t# empty set_graph_function: everything`,
    ...lookup('graph_func', 'a0', '.Lgraph_in_set', '.Lgraph_out_ret'),
    `.Lgraph_in_set:`,
    `\tld\tt0, FGRAPH_RECURSION(t6)\t# trace everything below it until it returns`,
    `\tori\tt0, t0, TRACE_GRAPH_BIT`,
    `\tsd\tt0, FGRAPH_RECURSION(t6)`,
    `\tsd\ta5, FGRAPH_GRAPH_DEPTH(t6)`,
    `.Lgraph_depth:`,
    `\tla\tt1, ftrace_graph_control`,
    `\tld\tt0, FGRAPH_CTL_MAX_DEPTH(t1)`,
    `\tbeqz\tt0, .Lgraph_event`,
    `\tbgeu\ta5, t0, .Lgraph_out_ret\t# depth >= max_graph_depth`,
    `.Lgraph_event:`,
    ...ringWrite(mode, 'graph_ent', { type: 'RB_EVENT_GRAPH_ENT', ip: 'a0', parent: 'a4', time: 'a6', op: 'a2', depth: 'a5', overrun: 'zero', calltime: 'zero' }, '.Lgraph_out_ret'),
    `.Lgraph_hook:`,
    `\tla\tt0, return_to_handler`,
    `\tsd\tt0, FREGS_RA(a3)\t\t# *parent = return_hooker: ftrace_caller restores ra from here`,
    `\tret`,
    `.Lgraph_out_ret:`,
    `\tld\tt0, FGRAPH_NR_FRAMES(t6)\t# curr_ret_stack--`,
    `\taddi\tt0, t0, -1`,
    `\tsd\tt0, FGRAPH_NR_FRAMES(t6)`,
    `.Lgraph_out:`,
    `\tsd\ta5, FGRAPH_DEPTH(t6)\t\t# curr_ret_depth--`,
    `.Lgraph_ret:`,
    `\tret`,
  ]);
}

/**
 * ftrace_return_to_handler(ret_regs = a0) -> a0 = the original return address. Pops the newest frame, writes the
 * TRACE_GRAPH_RET event (unless under set_graph_notrace) and drops the frame. A bad stack index stops graph tracing
 * for good and "returns" to ftrace_graph_panic. Clobbers a1-a7, t0-t6 (dead at a function return; return_to_handler
 * restores a0/a1).
 */
export function ftraceReturnToHandlerSource(mode: PercpuAccess = 'tp'): string {
  return asmFunction('ftrace_return_to_handler', [
    ...taskOf(mode, 't6'),
    // ftrace_pop_return_trace
    `\tld\tt1, FGRAPH_NR_FRAMES(t6)`,
    `\taddi\tt1, t1, -1\t\t\t# index = curr_ret_stack`,
    `\tbltz\tt1, .Lfret_bad`,
    `\tli\tt0, FTRACE_RETFUNC_DEPTH`,
    `\tbge\tt1, t0, .Lfret_bad`,
    `\tslli\ta7, t1, FGRAPH_FRAME_SHIFT`,
    `\tadd\ta7, a7, t6`,
    `\taddi\ta7, a7, FGRAPH_FRAMES`,
    `\tld\ta2, FGRAPH_FRAME_RET(a7)\t# ret`,
    `\tld\ta3, FGRAPH_FRAME_FUNC(a7)\t# trace.func`,
    `\tld\ta4, FGRAPH_FRAME_CALLTIME(a7)\t# trace.calltime`,
    `\tld\ta5, FGRAPH_OVERRUN(t6)\t# trace.overrun`,
    `\tld\ta6, FGRAPH_DEPTH(t6)`,
    `\taddi\ta6, a6, -1\t\t\t# trace.depth = curr_ret_depth--`,
    `\tsd\ta6, FGRAPH_DEPTH(t6)`,
    `\trdinstret\ta1\t\t\t# trace.rettime = trace_clock_local()`,
    // ftrace_graph_return = trace_graph_return: ftrace_graph_addr_finish, then the NOTRACE bit
    `\tld\tt0, FGRAPH_RECURSION(t6)`,
    `\tandi\tt2, t0, TRACE_GRAPH_BIT`,
    `\tbeqz\tt2, .Lfret_notrace`,
    `\tld\tt3, FGRAPH_GRAPH_DEPTH(t6)`,
    `\tbne\tt3, a6, .Lfret_notrace`,
    `\tandi\tt0, t0, ~TRACE_GRAPH_BIT\t# the set_graph_function function returned`,
    `\tsd\tt0, FGRAPH_RECURSION(t6)`,
    `.Lfret_notrace:`,
    `\tandi\tt2, t0, TRACE_GRAPH_NOTRACE_BIT`,
    `\tbeqz\tt2, .Lfret_event`,
    `\tandi\tt0, t0, ~TRACE_GRAPH_NOTRACE_BIT`,
    `\tsd\tt0, FGRAPH_RECURSION(t6)`,
    `\tj\t.Lfret_pop`,
    `.Lfret_event:`,
    ...ringWrite(mode, 'graph_ret', { type: 'RB_EVENT_GRAPH_RET', ip: 'a3', parent: 'a2', time: 'a1', op: 'zero', depth: 'a6', overrun: 'a5', calltime: 'a4' }, '.Lfret_pop'),
    `.Lfret_pop:`,
    `\tld\tt1, FGRAPH_NR_FRAMES(t6)\t# curr_ret_stack--`,
    `\taddi\tt1, t1, -1`,
    `\tsd\tt1, FGRAPH_NR_FRAMES(t6)`,
    `\tbeqz\ta2, .Lfret_bad`,
    `\tmv\ta0, a2`,
    `\tret`,
    `.Lfret_bad:`,
    `\tla\tt0, ftrace_graph_control\t# ftrace_graph_stop()`,
    `\tli\tt1, 1`,
    `\tsd\tt1, FGRAPH_CTL_DEAD(t0)`,
    `\tla\ta0, ftrace_graph_panic`,
    `\tret`,
  ]);
}

/** return_to_handler: where hooked functions return; saves the return values, asks for the real return address, resumes there. */
export function returnToHandlerSource(): string {
  return [
    asmFunction('return_to_handler', [
      `\taddi\tsp, sp, -32\t\t\t# struct fgraph_ret_regs {a1, a0, s0, ra}`,
      `\tsd\ts0, 16(sp)`,
      `\tsd\tra, 24(sp)`,
      `\tsd\ta0, 8(sp)`,
      `\tsd\ta1, 0(sp)`,
      `\taddi\ts0, sp, 32`,
      `\tmv\ta0, sp`,
      `\tcall\tftrace_return_to_handler`,
      `\tmv\ta2, a0`,
      `\tld\tra, 24(sp)`,
      `\tld\ts0, 16(sp)`,
      `\tld\ta0, 8(sp)`,
      `\tld\ta1, 0(sp)`,
      `\taddi\tsp, sp, 32`,
      `\tjalr\ta2`,
    ]),
    asmFunction('ftrace_graph_panic', [`\tunimp\t\t\t\t# a corrupt shadow stack has nowhere to return (the kernel returns to panic)`]),
  ].join('\n');
}

/** The control block (.data) and the per-hart shadow stacks (.bss). */
export function fgraphDataSource(harts: number): string {
  return [
    `\t.data`,
    `\t.balign\t64`,
    `\t.globl\tftrace_graph_control`,
    `\t.type\tftrace_graph_control, @object`,
    `ftrace_graph_control:`,
    `\t.zero\t64`,
    `\t.size\tftrace_graph_control, 64`,
    `\t.bss`,
    `\t.balign\t64`,
    `\t.globl\tftrace_graph_stacks`,
    `\t.type\tftrace_graph_stacks, @object`,
    `ftrace_graph_stacks:`,
    `\t.zero\t${harts} << FGRAPH_TASK_SHIFT`,
    `\t.size\tftrace_graph_stacks, ${harts} << FGRAPH_TASK_SHIFT`,
    `\t.text`,
  ].join('\n');
}

/** Everything function_graph adds to the runtime. */
export function fgraphSource(mode: PercpuAccess, harts: number): string {
  return [ftraceGraphFuncSource(mode), ftraceReturnToHandlerSource(mode), returnToHandlerSource(), fgraphDataSource(harts)].join('\n');
}
