// Ops callbacks that hand traced calls to JavaScript: ftrace_host_event_func (asynchronous: an event with a0-a7 in the ring buffer) and ftrace_host_call_func (synchronous: the host stops the hart there).
//
// Both are op->func(ip = a0, parent_ip = a1, op = a2, fregs = a3) leaves using t0-t5 only.
import { fregsA } from '../frame-layout.js';
import type { PercpuAccess } from '../options.js';
import { asmFunction } from './function.js';
import { percpuBase } from './percpu-access.js';

/**
 * ftrace_host_event_func: two ring-buffer slots per call, committed together: a RB_EVENT_CALLBACK header (ip, parent_ip,
 * trace clock, op, qs, hart) and the next slot holding a0..a7 as the traced function received them (from fregs).
 * When fewer than two slots are free the call is dropped and `lost` is incremented.
 */
export function hostEventFuncSource(mode: PercpuAccess = 'tp'): string {
  const pc = percpuBase(mode, 't5');
  const args: string[] = [];
  for (let n = 0; n < 8; n++) args.push(`\tld\tt4, ${fregsA(n)}(a3)\t\t# fregs->a${n}`, `\tsd\tt4, ${8 * n}(t3)`);
  return asmFunction('ftrace_host_event_func', [
    ...pc.lines,
    `\tld\tt0, PERCPU_RING_BUFFER(${pc.base})`,
    `\tbeqz\tt0, 3f`,
    `\tld\tt1, RB_HEAD(t0)`,
    `\tld\tt2, RB_TAIL(t0)`,
    `\tfence\tr, rw\t\t\t# read tail before reusing its slots`,
    `\tld\tt3, RB_SIZE(t0)`,
    `\tsub\tt2, t1, t2`,
    `\taddi\tt2, t2, 2`,
    `\tbgtu\tt2, t3, 2f\t\t\t# no room for header + args`,
    `\taddi\tt3, t3, -1`,
    `\tand\tt2, t1, t3`,
    `\tslli\tt2, t2, RB_EVENT_SHIFT`,
    `\tld\tt4, RB_DATA(t0)`,
    `\tadd\tt2, t2, t4\t\t\t# header slot`,
    `\tsd\ta0, RB_EVENT_IP(t2)`,
    `\tsd\ta1, RB_EVENT_PARENT_IP(t2)`,
    `\tsd\ta2, RB_EVENT_OP(t2)`,
    `\trdinstret\tt4`,
    `\tsd\tt4, RB_EVENT_TIMESTAMP(t2)`,
    `\tld\tt4, PERCPU_RCU_TASKS_QS(${pc.base})`,
    `\tsd\tt4, RB_EVENT_QS(t2)`,
    `\tld\tt4, PERCPU_HART_ID(${pc.base})`,
    `\tsw\tt4, RB_EVENT_HART(t2)`,
    `\tli\tt4, RB_EVENT_CALLBACK`,
    `\tsw\tt4, RB_EVENT_TYPE(t2)`,
    `\tld\tt3, RB_SIZE(t0)`,
    `\taddi\tt3, t3, -1`,
    `\taddi\tt2, t1, 1`,
    `\tand\tt3, t2, t3`,
    `\tslli\tt3, t3, RB_EVENT_SHIFT`,
    `\tld\tt4, RB_DATA(t0)`,
    `\tadd\tt3, t3, t4\t\t\t# args slot (may wrap to slot 0)`,
    ...args,
    `\tfence\tw, w\t\t\t# both slots before head`,
    `\taddi\tt1, t1, 2`,
    `\tsd\tt1, RB_HEAD(t0)`,
    `\tret`,
    `2:`,
    `\tld\tt1, RB_LOST(t0)`,
    `\taddi\tt1, t1, 1`,
    `\tsd\tt1, RB_LOST(t0)`,
    `3:`,
    `\tret`,
  ]);
}

/**
 * ftrace_host_call_func: the host arms a debugger breakpoint on its first instruction, so a hart that calls it stops
 * there with a0-a3 = (ip, parent_ip, op, fregs); the host runs the JavaScript callback, which may change fregs (the
 * arguments, and fregs->epc to redirect like an IPMODIFY ops), then lets the hart return.
 */
export function hostCallFuncSource(): string {
  return asmFunction('ftrace_host_call_func', [`\tnop\t\t\t\t# the host stops the hart here`, `\tret`]);
}

export function hostCallSource(mode: PercpuAccess): string {
  return [hostEventFuncSource(mode), hostCallFuncSource()].join('\n');
}
