// Assembles one guest image: the ftrace runtime + synthetic kernel + ftrace-ops sample + a main that runs them on every hart.
import { assemble, type AssembledProgram } from '../isa/index.js';
import type { FunctionEntry } from '../ftrace/init.js';
import type { SiteLayout, SiteLayoutKind } from '../ftrace/site-layout.js';
import { buildGuestRuntime } from '../guest/runtime.js';
import { guestRuntimeSymbols } from '../guest/symbols.js';
import type { GuestRuntimeOptions } from '../guest/options.js';
import type { GuestRuntimeSymbols } from '../ftrace/runtime-symbols.js';
import { emitFtraceOpsSample, type FtraceOpsSampleOptions } from './ftrace-ops-sample.js';
import { functionEntriesOf } from './patchable-entries.js';
import { PatchableTextBuilder } from './patchable-text.js';
import { emitSyntheticKernel, KERNEL_RUN_SYMBOL, planSyntheticKernel, type SyntheticKernel, type SyntheticKernelOptions } from './synthetic-kernel.js';

/** Data words of the default main (u64 in .data). */
export const WORKLOAD_SYMBOLS = {
  /** Input of synthetic_kernel_run on every hart (host-settable). */
  input: 'workload_input',
  /** u64[harts]: what synthetic_kernel_run returned on each hart. */
  results: 'workload_results',
  /** Secondary harts that finished (hart 0 waits for harts - 1 before exiting). */
  done: 'workload_harts_done',
  /** 1 = main also runs the ftrace-ops sample driver after the kernel (host-settable). */
  runSample: 'workload_run_sample',
  main: 'main',
  secondary: 'workload_secondary',
} as const;

export interface GuestImageOptions {
  readonly runtime: Omit<GuestRuntimeOptions, 'mainSymbol' | 'secondarySymbol'>;
  /** The synthetic kernel (its layout decides every site's layout). Default: 1,000 functions, 'rvc-8,4'. */
  readonly kernel?: SyntheticKernelOptions;
  /** Include the ftrace-ops sample (default true); `runSample` makes main call its driver (default false). */
  readonly sample?: boolean | FtraceOpsSampleOptions;
  readonly runSample?: boolean;
  /** Input of synthetic_kernel_run (default 1). */
  readonly input?: number;
  /** Base address of .text (default 0x80000000). */
  readonly base?: number;
  /** More assembly appended to the image (extra callbacks, test probes). */
  readonly extraSource?: string;
}

export interface GuestImage {
  readonly program: AssembledProgram;
  readonly source: string;
  readonly kernel: SyntheticKernel;
  readonly layout: SiteLayout;
  readonly layoutKind: SiteLayoutKind;
  readonly runtimeSymbols: GuestRuntimeSymbols;
  /** Symbol -> address for every symbol of the image. */
  readonly symbols: ReadonlyMap<string, number>;
  /** __patchable_function_entries, named: feed to planFtraceInit. */
  readonly functionEntries: FunctionEntry[];
}

function emitMain(b: PatchableTextBuilder, harts: number, input: number, runSample: boolean): void {
  const W = WORKLOAD_SYMBOLS;
  b.addDataWord(W.input, input);
  b.addDataArray(W.results, harts);
  b.addDataWord(W.done);
  b.addDataWord(W.runSample, runSample ? 1 : 0);
  const runKernel = (hartReg: string) => [
    `\tld\ta0, ${W.input}`,
    `\tcall\t${KERNEL_RUN_SYMBOL}`,
    `\tla\tt0, ${W.results}`,
    `\tslli\tt1, ${hartReg}, 3`,
    `\tadd\tt0, t0, t1`,
    `\tsd\ta0, 0(t0)`,
  ];
  b.addNotraceFunction(W.main, [
    `\taddi\tsp, sp, -16`,
    `\tsd\tra, 8(sp)`,
    `\tsd\ts0, 0(sp)`,
    `\tli\ts0, 0`,
    ...runKernel('s0'),
    `\tld\tt0, ${W.runSample}`,
    `\tbeqz\tt0, 1f`,
    `\tcall\tftrace_ops_sample_run`,
    `1:`,
    `\tli\tt1, ${harts - 1}`,
    `2:`,
    `\tld\tt0, ${W.done}`,
    `\tbltu\tt0, t1, 2b\t\t# wait for the secondary harts`,
    `\tfence\tr, rw`,
    `\tli\ta0, 0`,
    `\tld\tra, 8(sp)`,
    `\tld\ts0, 0(sp)`,
    `\taddi\tsp, sp, 16`,
    `\tret`,
  ]);
  b.addNotraceFunction(W.secondary, [
    `\taddi\tsp, sp, -16`,
    `\tsd\tra, 8(sp)`,
    `\tsd\ts0, 0(sp)`,
    `\tmv\ts0, a0`,
    ...runKernel('s0'),
    `\tfence\trw, w`,
    `\tla\tt0, ${W.done}`,
    `\tli\tt1, 1`,
    `\tamoadd.d\tzero, t1, (t0)`,
    `\tld\tra, 8(sp)`,
    `\tld\ts0, 0(sp)`,
    `\taddi\tsp, sp, 16`,
    `\tret`,
  ]);
}

/** The workload's assembly (without the runtime). */
export function buildWorkloadSource(opts: GuestImageOptions): { source: string; kernel: SyntheticKernel; builder: PatchableTextBuilder } {
  const kernel = planSyntheticKernel(opts.kernel);
  const b = new PatchableTextBuilder(kernel.layoutKind);
  emitSyntheticKernel(b, kernel);
  if (opts.sample !== false) emitFtraceOpsSample(b, typeof opts.sample === 'object' ? opts.sample : {});
  emitMain(b, opts.runtime.harts, opts.input ?? 1, (opts.runSample ?? false) && opts.sample !== false);
  return { source: b.finish(), kernel, builder: b };
}

/** Runtime + workload assembled into one program, with the symbols and patchable entries the ftrace core needs. */
export function buildGuestImage(opts: GuestImageOptions): GuestImage {
  const runtime = buildGuestRuntime({ ...opts.runtime, mainSymbol: WORKLOAD_SYMBOLS.main, secondarySymbol: WORKLOAD_SYMBOLS.secondary });
  const { source: workload, kernel, builder } = buildWorkloadSource(opts);
  const source = runtime + '\n' + workload + '\n' + (opts.extraSource ?? '') + '\n';
  const program = assemble(source, { file: 'guest-image.s', ...(opts.base !== undefined ? { base: opts.base } : {}) });
  return {
    program,
    source,
    kernel,
    layout: builder.layout,
    layoutKind: kernel.layoutKind,
    runtimeSymbols: guestRuntimeSymbols(program),
    symbols: new Map(program.symbols.map((s) => [s.name, s.value])),
    functionEntries: functionEntriesOf(program, builder.layout),
  };
}
