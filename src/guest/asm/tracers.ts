// Guest tracer callbacks: the function tracer (one event per call into the hart's ring buffer) and the count tracer.
//
// Both are leaves using only t0-t5 (no stack), called as op->func(ip = a0, parent_ip = a1, op = a2, fregs = a3).
import type { PercpuAccess } from '../options.js';
import { asmFunction } from './function.js';
import { percpuBase } from './percpu-access.js';

/**
 * function_tracer_func: append {ip, parent_ip, time, op, qs, hart, RB_EVENT_FUNCTION} to this hart's ring buffer; when
 * head - tail == size the event is dropped and `lost` is incremented. The slot is written before `head` is published
 * (fence w,w), so the host never reads a half-written event.
 */
export function functionTracerSource(mode: PercpuAccess = 'tp'): string {
  const rb = percpuBase(mode, 't0');
  const id = percpuBase(mode, 't4');
  return asmFunction('function_tracer_func', [
    ...rb.lines,
    `\tld\tt0, PERCPU_RING_BUFFER(${rb.base})`,
    `\tbeqz\tt0, 2f`,
    `\tld\tt1, RB_HEAD(t0)`,
    `\tld\tt2, RB_TAIL(t0)`,
    `\tfence\tr, rw\t\t\t# read tail before reusing its slot`,
    `\tld\tt3, RB_SIZE(t0)`,
    `\tsub\tt2, t1, t2`,
    `\tbgeu\tt2, t3, 1f\t\t\t# full: drop the newest`,
    `\taddi\tt3, t3, -1`,
    `\tand\tt3, t1, t3`,
    `\tslli\tt3, t3, RB_EVENT_SHIFT`,
    `\tld\tt4, RB_DATA(t0)`,
    `\tadd\tt3, t3, t4`,
    `\tsd\ta0, RB_EVENT_IP(t3)`,
    `\tsd\ta1, RB_EVENT_PARENT_IP(t3)`,
    `\tsd\ta2, RB_EVENT_OP(t3)`,
    `\trdinstret\tt4\t\t\t# trace clock: this hart's retired instructions`,
    `\tsd\tt4, RB_EVENT_TIMESTAMP(t3)`,
    ...id.lines,
    `\tld\tt5, PERCPU_RCU_TASKS_QS(${id.base})`,
    `\tsd\tt5, RB_EVENT_QS(t3)`,
    `\tld\tt4, PERCPU_HART_ID(${id.base})`,
    `\tsw\tt4, RB_EVENT_HART(t3)`,
    `\tli\tt4, RB_EVENT_FUNCTION`,
    `\tsw\tt4, RB_EVENT_TYPE(t3)`,
    `\tfence\tw, w\t\t\t# event before head`,
    `\taddi\tt1, t1, 1`,
    `\tsd\tt1, RB_HEAD(t0)`,
    `\tret`,
    `1:`,
    `\tld\tt1, RB_LOST(t0)`,
    `\taddi\tt1, t1, 1`,
    `\tsd\tt1, RB_LOST(t0)`,
    `2:`,
    `\tret`,
  ]);
}

/**
 * count_tracer_func: op->private points at a count table (count-table.ts); binary-search ip in its sorted ips and
 * amoadd.d 1 to the matching counter, or to `misses` when ip is absent. No table (private = 0): nothing.
 */
export function countTracerSource(): string {
  return asmFunction('count_tracer_func', [
    `\tld\tt0, FTRACE_OPS_PRIVATE(a2)`,
    `\tbeqz\tt0, 4f`,
    `\tli\tt1, 0\t\t\t\t# lo`,
    `\tld\tt2, COUNT_TABLE_N(t0)\t\t# hi`,
    `\tld\tt5, COUNT_TABLE_IPS(t0)`,
    `1:`,
    `\tbgeu\tt1, t2, 3f`,
    `\tadd\tt3, t1, t2`,
    `\tsrli\tt3, t3, 1\t\t\t# mid`,
    `\tslli\tt4, t3, 3`,
    `\tadd\tt4, t4, t5`,
    `\tld\tt4, 0(t4)`,
    `\tbeq\tt4, a0, 2f`,
    `\tbltu\tt4, a0, 5f`,
    `\tmv\tt2, t3\t\t\t# ips[mid] > ip: hi = mid`,
    `\tj\t1b`,
    `5:`,
    `\taddi\tt1, t3, 1\t\t\t# ips[mid] < ip: lo = mid + 1`,
    `\tj\t1b`,
    `2:`,
    `\tld\tt4, COUNT_TABLE_COUNTS(t0)`,
    `\tslli\tt3, t3, 3`,
    `\tadd\tt4, t4, t3`,
    `\tli\tt3, 1`,
    `\tamoadd.d\tzero, t3, (t4)`,
    `\tret`,
    `3:`,
    `\taddi\tt4, t0, COUNT_TABLE_MISSES`,
    `\tli\tt3, 1`,
    `\tamoadd.d\tzero, t3, (t4)`,
    `4:`,
    `\tret`,
  ]);
}
