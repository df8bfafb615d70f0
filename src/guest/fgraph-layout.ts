// Layout of function_graph's guest state: the per-hart shadow return stack (the task's ret_stack) and the global graph control block.
//
// Follows the array-era shadow stack of Linux v6.6 kernel/trace/fgraph.c (struct ftrace_ret_stack, FTRACE_RETFUNC_DEPTH
// = 50 frames, curr_ret_stack / curr_ret_depth, trace_overrun). Bare metal has no tasks, so each hart is one task: hart
// h's stack is at ftrace_graph_stacks + (h << FGRAPH_TASK_SHIFT). All fields are u64 and only that hart writes them.
//   +0  nr_frames     curr_ret_stack + 1 (the kernel's index starts at -1; .bss starts at 0)
//   +8  depth         curr_ret_depth + 1
//   +16 overrun       trace_overrun: calls left unhooked because the stack was full
//   +24 recursion     TRACE_GRAPH_BIT / TRACE_GRAPH_NOTRACE_BIT (the task's trace_recursion bits graph tracing uses)
//   +32 graph_depth   trace_recursion_depth(): depth of the set_graph_function function that set TRACE_GRAPH_BIT
//   +40 pause         tracing_graph_pause: nonzero = prepare_ftrace_return hooks nothing
//   +64 ret_stack[FTRACE_RETFUNC_DEPTH], FGRAPH_FRAME_SIZE bytes each: +0 ret (the original return address), +8 func
//       (rec->ip), +16 calltime (trace clock), +24 fp (s0 at entry), +32 retp (&fregs->ra, where `ret` was replaced)
// Control block `ftrace_graph_control` (the host writes it; harts read it):
//   +0  max_graph_depth   0 = unlimited
//   +8  graph_hash        set_graph_function: 0 = empty (trace everything), else the address of {n, ip[n] sorted}
//   +16 notrace_hash      set_graph_notrace: same form
//   +24 dead              ftrace_graph_stop() was called (a corrupt shadow stack): nothing is hooked any more
export const FTRACE_RETFUNC_DEPTH = 50;

export const FGRAPH_NR_FRAMES = 0;
export const FGRAPH_DEPTH = 8;
export const FGRAPH_OVERRUN = 16;
export const FGRAPH_RECURSION = 24;
export const FGRAPH_GRAPH_DEPTH = 32;
export const FGRAPH_PAUSE = 40;
export const FGRAPH_FRAMES = 64;

export const FGRAPH_FRAME_RET = 0;
export const FGRAPH_FRAME_FUNC = 8;
export const FGRAPH_FRAME_CALLTIME = 16;
export const FGRAPH_FRAME_FP = 24;
export const FGRAPH_FRAME_RETP = 32;
export const FGRAPH_FRAME_SIZE = 64;
export const FGRAPH_FRAME_SHIFT = 6;

/** Bytes per hart (header + frames, rounded to a power of two for the `slli` that indexes it). */
export const FGRAPH_TASK_SHIFT = 12;
export const FGRAPH_TASK_SIZE = 1 << FGRAPH_TASK_SHIFT;

export const FGRAPH_CTL_MAX_DEPTH = 0;
export const FGRAPH_CTL_GRAPH_HASH = 8;
export const FGRAPH_CTL_NOTRACE_HASH = 16;
export const FGRAPH_CTL_DEAD = 24;
export const FGRAPH_CTL_SIZE = 64;

/** Bits of the recursion word (kernel: TRACE_GRAPH_BIT, TRACE_GRAPH_NOTRACE_BIT in trace_recursion). */
export const TRACE_GRAPH_BIT = 1;
export const TRACE_GRAPH_NOTRACE_BIT = 2;

/** Guest ip set of set_graph_function / set_graph_notrace: u64 count, then the ips ascending. */
export function graphHashBytes(n: number): number {
  return 8 + 8 * n;
}

export function encodeGraphHash(ips: readonly number[]): Uint8Array {
  const sorted = [...ips].sort((a, b) => a - b);
  const out = new Uint8Array(graphHashBytes(sorted.length));
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(sorted.length), true);
  sorted.forEach((ip, i) => dv.setBigUint64(8 + 8 * i, BigInt(ip), true));
  return out;
}

/** `.equ` names the runtime's function_graph assembly uses. */
export const FGRAPH_EQUATES: Readonly<Record<string, number>> = {
  FTRACE_RETFUNC_DEPTH, FGRAPH_NR_FRAMES, FGRAPH_DEPTH, FGRAPH_OVERRUN, FGRAPH_RECURSION, FGRAPH_GRAPH_DEPTH, FGRAPH_PAUSE,
  FGRAPH_FRAMES, FGRAPH_FRAME_RET, FGRAPH_FRAME_FUNC, FGRAPH_FRAME_CALLTIME, FGRAPH_FRAME_FP, FGRAPH_FRAME_RETP,
  FGRAPH_FRAME_SHIFT, FGRAPH_TASK_SHIFT, FGRAPH_CTL_MAX_DEPTH, FGRAPH_CTL_GRAPH_HASH, FGRAPH_CTL_NOTRACE_HASH,
  FGRAPH_CTL_DEAD, TRACE_GRAPH_BIT, TRACE_GRAPH_NOTRACE_BIT,
};
