// samples/ftrace/ftrace-ops.c as guest code: tracee_relevant / tracee_irrelevant and a driver that times N calls in minstret and mtime.
import { intOption } from './errors.js';
import { I } from './kernel-insn.js';
import type { KernelSink } from './kernel-sink.js';
import type { PatchableTextBuilder } from './patchable-text.js';

/** Symbols of the sample (data words are u64 in .data). */
export const FTRACE_OPS_SAMPLE = {
  relevant: 'tracee_relevant',
  irrelevant: 'tracee_irrelevant',
  /** `void ftrace_ops_sample_run(void)`: calls tracee_relevant nr_function_calls times between two counter reads. */
  run: 'ftrace_ops_sample_run',
  /** Data word the host may set before the run (module parameter nr_function_calls). */
  nrCalls: 'ftrace_ops_sample_nr_calls',
  /** minstret delta around the loop (written by the run). */
  instret: 'ftrace_ops_sample_instret',
  /** `time` (CLINT mtime) delta around the loop. */
  ticks: 'ftrace_ops_sample_ticks',
  /** Calls made (= nr_calls after a run). */
  done: 'ftrace_ops_sample_calls_done',
} as const;

export interface FtraceOpsSampleOptions {
  /** Default nr_function_calls (the kernel sample's default is 100,000). */
  readonly nrCalls?: number;
}

/** The two tracees: patchable, with `barrier()` bodies (just `ret`). */
export function emitSampleTracees(sink: KernelSink): void {
  sink.addFunction(FTRACE_OPS_SAMPLE.relevant, [I.ret()]);
  sink.addFunction(FTRACE_OPS_SAMPLE.irrelevant, [I.ret()]);
}

/**
 * The (notrace) driver and its data words. Per loop iteration the untraced cost is the tracee's entry NOPs + ret +
 * the loop's own instructions (beqz, call = auipc + jalr, addi, j).
 */
export function emitSampleDriver(b: PatchableTextBuilder, opts: FtraceOpsSampleOptions = {}): void {
  const S = FTRACE_OPS_SAMPLE;
  const n = intOption(opts.nrCalls ?? 100_000, 0, Number.MAX_SAFE_INTEGER, 'nrCalls');
  b.addNotraceFunction(S.run, [
    `\taddi\tsp, sp, -32`,
    `\tsd\tra, 24(sp)`,
    `\tsd\ts0, 16(sp)`,
    `\tsd\ts1, 8(sp)`,
    `\tsd\ts2, 0(sp)`,
    `\tld\ts0, ${S.nrCalls}`,
    `\tcsrr\ts1, minstret`,
    `\trdtime\ts2`,
    `1:`,
    `\tbeqz\ts0, 2f`,
    `\tcall\t${S.relevant}`,
    `\taddi\ts0, s0, -1`,
    `\tj\t1b`,
    `2:`,
    `\tcsrr\tt0, minstret`,
    `\trdtime\tt1`,
    `\tsub\tt0, t0, s1`,
    `\tsd\tt0, ${S.instret}, t2`,
    `\tsub\tt1, t1, s2`,
    `\tsd\tt1, ${S.ticks}, t2`,
    `\tld\tt0, ${S.nrCalls}`,
    `\tsd\tt0, ${S.done}, t2`,
    `\tld\tra, 24(sp)`,
    `\tld\ts0, 16(sp)`,
    `\tld\ts1, 8(sp)`,
    `\tld\ts2, 0(sp)`,
    `\taddi\tsp, sp, 32`,
    `\tret`,
  ]);
  b.addDataWord(S.nrCalls, n);
  b.addDataWord(S.instret);
  b.addDataWord(S.ticks);
  b.addDataWord(S.done);
}
