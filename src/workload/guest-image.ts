// Assembles one guest image: the ftrace runtime + synthetic kernel + ftrace-ops sample + a main that runs them on every hart.
import { assemble, type AssembledProgram, type AssembledSection, type AssembledSymbol } from '../isa/index.js';
import { RAM_GUEST_BASE } from '../machine/layout.js';
import type { FunctionEntry } from '../ftrace/init.js';
import type { SiteLayout, SiteLayoutKind } from '../ftrace/site-layout.js';
import { buildGuestRuntime } from '../guest/runtime.js';
import { canonicalKey, MemoCache } from '../util/memo-cache.js';
import { guestRuntimeSymbols } from '../guest/symbols.js';
import type { GuestRuntimeOptions } from '../guest/options.js';
import type { GuestRuntimeSymbols } from '../ftrace/runtime-symbols.js';
import { emitSampleDriver, emitSampleTracees, type FtraceOpsSampleOptions } from './ftrace-ops-sample.js';
import { WorkloadError } from './errors.js';
import type { KernelSink } from './kernel-sink.js';
import { MachineCodeKernel, type EncodedKernel } from './machine-code-kernel.js';
import { functionEntriesOf } from './patchable-entries.js';
import { PATCHABLE_ENTRIES_SECTION, PATCHABLE_ENTRIES_START, PATCHABLE_ENTRIES_STOP, PatchableTextBuilder } from './patchable-text.js';
import { emitSyntheticKernel, expectedKernelResult, KERNEL_RUN_SYMBOL, planSyntheticKernel, type SyntheticKernel, type SyntheticKernelOptions } from './synthetic-kernel.js';

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
  /** Live workload: every hart's outer loop (notrace). */
  loop: 'workload_loop',
  /** Live workload: the host sets it to 1 to make every hart leave its loop. */
  stop: 'workload_stop',
  /** Live workload: passes per hart before it leaves on its own (0 = until workload_stop). */
  iterations: 'workload_iterations',
  /** Live workload: what synthetic_kernel_run must return (set by the image builder). */
  expected: 'workload_expected',
  /** Live workload: passes whose result differed from workload_expected (all harts). */
  errors: 'workload_errors',
} as const;

/**
 * What main does: 'once' (default) runs synthetic_kernel_run once per hart (and the sample when asked); 'loop' is
 * the live-patching workload: every hart repeats {rcu_tasks_qs++; synthetic_kernel_run} until workload_stop is set or
 * it made `iterations` passes, checking every result.
 */
export type WorkloadMode = 'once' | 'loop';

export interface GuestImageOptions {
  readonly runtime: Omit<GuestRuntimeOptions, 'mainSymbol' | 'secondarySymbol'>;
  /** The synthetic kernel (its layout decides every site's layout). Default: 1,000 functions, 'rvc-8,4'. */
  readonly kernel?: SyntheticKernelOptions;
  /** Include the ftrace-ops sample (default true); `runSample` makes main call its driver (default false). */
  readonly sample?: boolean | FtraceOpsSampleOptions;
  readonly runSample?: boolean;
  /** Input of synthetic_kernel_run (default 1). */
  readonly input?: number;
  /** 'once' (default) or the live 'loop' workload. */
  readonly workload?: WorkloadMode;
  /** Loop workload: passes per hart before it stops on its own (default 0 = until the host sets workload_stop). */
  readonly iterations?: number;
  /** Base address of .text (default 0x80000000). */
  readonly base?: number;
  /** More assembly appended to the image (extra callbacks, test probes). */
  readonly extraSource?: string;
  /** 'assembly', 'machine-code' or 'auto' (default: assembly up to AUTO_ASSEMBLY_MAX_FUNCTIONS functions). */
  readonly kernelCode?: KernelCode | 'auto';
}

export interface GuestImage {
  readonly program: AssembledProgram;
  readonly source: string;
  readonly kernel: SyntheticKernel;
  readonly kernelCode: KernelCode;
  readonly layout: SiteLayout;
  readonly layoutKind: SiteLayoutKind;
  readonly runtimeSymbols: GuestRuntimeSymbols;
  /** Symbol -> address for every symbol of the image. */
  readonly symbols: ReadonlyMap<string, number>;
  /** __patchable_function_entries, named: feed to planFtraceInit. */
  readonly functionEntries: FunctionEntry[];
}

/** Bumps this hart's rcu_tasks_qs: a voluntary quiescent point (no trampoline or callback frame is live here). */
const QUIESCENT_POINT = [`\tld\tt0, PERCPU_RCU_TASKS_QS(tp)`, `\taddi\tt0, t0, 1`, `\tsd\tt0, PERCPU_RCU_TASKS_QS(tp)\t# rcu_tasks_qs`];

interface MainOptions {
  readonly harts: number;
  readonly input: number;
  readonly runSample: boolean;
  readonly workload: WorkloadMode;
  readonly iterations: number;
  readonly expected: bigint;
}

function emitMain(b: PatchableTextBuilder, o: MainOptions): void {
  const W = WORKLOAD_SYMBOLS;
  b.addDataWord(W.input, o.input);
  b.addDataArray(W.results, o.harts);
  b.addDataWord(W.done);
  b.addDataWord(W.runSample, o.runSample ? 1 : 0);
  b.addDataWord(W.stop);
  b.addDataWord(W.iterations, o.iterations);
  b.addDataWord(W.expected, o.expected);
  b.addDataWord(W.errors);
  const runKernel = (hartReg: string) =>
    o.workload === 'loop'
      ? [`\tmv\ta0, ${hartReg}`, `\tcall\t${W.loop}`]
      : [
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
    `\tli\tt1, ${o.harts - 1}`,
    `\tli\tt0, 1`,
    `\tsd\tt0, PERCPU_IN_IDLE(tp)\t# waiting for the others is idle (a quiescent state)`,
    `2:`,
    `\tld\tt0, ${W.done}`,
    `\tbltu\tt0, t1, 2b\t\t# wait for the secondary harts`,
    `\tsd\tzero, PERCPU_IN_IDLE(tp)`,
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
  if (o.workload !== 'loop') return;
  // workload_loop(a0 = hart): {quiescent point; stop?; synthetic_kernel_run(input); check; store} forever
  b.addNotraceFunction(W.loop, [
    `\taddi\tsp, sp, -32`,
    `\tsd\tra, 24(sp)`,
    `\tsd\ts0, 16(sp)`,
    `\tsd\ts1, 8(sp)`,
    `\tmv\ts0, a0`,
    `\tli\ts1, 0\t\t\t# passes made`,
    `1:`,
    ...QUIESCENT_POINT,
    `\tld\tt0, ${W.stop}`,
    `\tbnez\tt0, 3f`,
    `\tld\tt0, ${W.iterations}`,
    `\tbeqz\tt0, 2f`,
    `\tbgeu\ts1, t0, 3f`,
    `2:`,
    `\tld\ta0, ${W.input}`,
    `\tcall\t${KERNEL_RUN_SYMBOL}`,
    `\tla\tt0, ${W.results}`,
    `\tslli\tt1, s0, 3`,
    `\tadd\tt0, t0, t1`,
    `\tsd\ta0, 0(t0)`,
    `\tld\tt0, ${W.expected}`,
    `\tbeq\ta0, t0, 4f`,
    `\tla\tt0, ${W.errors}`,
    `\tli\tt1, 1`,
    `\tamoadd.d\tzero, t1, (t0)\t# a pass computed a wrong result`,
    `4:`,
    `\taddi\ts1, s1, 1`,
    `\tj\t1b`,
    `3:`,
    `\tld\tra, 24(sp)`,
    `\tld\ts0, 16(sp)`,
    `\tld\ts1, 8(sp)`,
    `\taddi\tsp, sp, 32`,
    `\tret`,
  ]);
}

/** How the kernel's functions reach the image: through the assembler, or encoded directly (fast; for big kernels). */
export type KernelCode = 'assembly' | 'machine-code';

/** 'auto' picks assembly up to this many functions. */
export const AUTO_ASSEMBLY_MAX_FUNCTIONS = 2000;

function kernelCodeOf(opts: GuestImageOptions, kernel: SyntheticKernel): KernelCode {
  const want = opts.kernelCode ?? 'auto';
  if (want === 'auto') return kernel.functions.length <= AUTO_ASSEMBLY_MAX_FUNCTIONS ? 'assembly' : 'machine-code';
  if (want !== 'assembly' && want !== 'machine-code') {
    throw new WorkloadError('WORKLOAD_BAD_OPTION', `kernelCode must be 'assembly', 'machine-code' or 'auto', got '${String(want)}'`);
  }
  return want;
}

/** The workload's assembly (without the runtime): kernel and tracees go to `sink` (the text builder itself by default). */
function buildWorkloadText(opts: GuestImageOptions, kernel: SyntheticKernel, sink: KernelSink | null): PatchableTextBuilder {
  const b = new PatchableTextBuilder(kernel.layoutKind);
  const target = sink ?? b;
  emitSyntheticKernel(target, kernel);
  const sample = opts.sample !== false;
  if (sample) {
    emitSampleTracees(target);
    emitSampleDriver(b, typeof opts.sample === 'object' ? opts.sample : {});
  }
  const input = opts.input ?? 1;
  emitMain(b, {
    harts: opts.runtime.harts,
    input,
    runSample: (opts.runSample ?? false) && sample,
    workload: opts.workload ?? 'once',
    iterations: opts.iterations ?? 0,
    expected: expectedKernelResult(kernel, BigInt(input)),
  });
  return b;
}

/** Workload assembly text (kernel included) for an image built with kernelCode 'assembly'. */
export function buildWorkloadSource(opts: GuestImageOptions): { source: string; kernel: SyntheticKernel } {
  const kernel = planSyntheticKernel(opts.kernel);
  return { source: buildWorkloadText(opts, kernel, null).finish(), kernel };
}

const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;

/** Put a machine-code kernel at `base` in front of the assembled rest, and its entries table after everything. */
function mergeKernel(program: AssembledProgram, enc: EncodedKernel): AssembledProgram {
  const end = Math.max(...program.sections.filter((s) => s.alloc).map((s) => s.addr + s.size));
  const tableAt = alignUp(end, 8);
  const table = new Uint8Array(8 * enc.pfeAddrs.length);
  const dv = new DataView(table.buffer);
  enc.pfeAddrs.forEach((a, i) => dv.setBigUint64(8 * i, BigInt(a), true));
  const defined = new Set(enc.symbols.map((s) => s.name));
  const sec = (name: string, addr: number, data: Uint8Array, exec: boolean): AssembledSection => ({
    name, addr, data, size: data.length, align: 8, alloc: true, exec, write: !exec, nobits: false,
  });
  return {
    ...program,
    sections: [
      sec(KERNEL_SECTION, enc.base, enc.bytes, true),
      ...program.sections.filter((s) => s.name !== KERNEL_SECTION),
      sec(PATCHABLE_ENTRIES_SECTION, tableAt, table, false),
    ],
    symbols: [
      ...enc.symbols.map((s): AssembledSymbol => ({ name: s.name, value: s.value, size: s.size, type: 'func', binding: 'global', section: KERNEL_SECTION })),
      ...program.symbols.filter((s) => !defined.has(s.name)),
      { name: PATCHABLE_ENTRIES_START, value: tableAt, size: 0, type: 'notype', binding: 'global', section: PATCHABLE_ENTRIES_SECTION },
      { name: PATCHABLE_ENTRIES_STOP, value: tableAt + table.length, size: 0, type: 'notype', binding: 'global', section: PATCHABLE_ENTRIES_SECTION },
    ],
  };
}

/** Assembly for the kernel's address range: `.skip`s with labels at the functions the assembled code calls. */
function kernelPlaceholder(enc: EncodedKernel): string {
  const out = [`\t.section\t${KERNEL_SECTION}, "ax"`];
  let at = enc.base;
  for (const s of [...enc.symbols].filter((x) => REFERENCED.has(x.name)).sort((a, b) => a.value - b.value)) {
    if (s.value > at) out.push(`\t.skip\t${s.value - at}`);
    out.push(`${s.name}:`);
    at = s.value;
  }
  const end = enc.base + enc.bytes.length;
  if (end > at) out.push(`\t.skip\t${end - at}`);
  out.push(`\t.text`);
  return out.join('\n');
}

/** Section of a machine-code kernel. */
export const KERNEL_SECTION = '.text.kernel';

/** Images built so far, by the canonical JSON of their options (every option is part of the key). */
const imageCache = new MemoCache<GuestImage>(8);

/**
 * Runtime + workload in one program, with the symbols and patchable entries the ftrace core needs.
 * kernelCode 'assembly': everything goes through the assembler. 'machine-code': the kernel and the sample's tracees
 * are encoded directly at `base` (default 0x80000000) and the assembled runtime/main/driver follow them.
 *
 * Assembled once per option set: the same options (compared as canonical JSON, so any option added later is part
 * of the key without further work) return the same frozen image; loading it copies its bytes into a machine.
 */
export function buildGuestImage(opts: GuestImageOptions): GuestImage {
  return imageCache.get(canonicalKey(opts), () => freezeImage(assembleGuestImage(opts)));
}

/** Empties the image cache (tests of the cache itself; memory). */
export function clearGuestImageCache(): void {
  imageCache.clear();
}

/** Hits and misses of the image cache so far. */
export function guestImageCacheStats(): { hits: number; misses: number; size: number } {
  return { hits: imageCache.hits, misses: imageCache.misses, size: imageCache.size };
}

/** A shared image must not change under its other users: freeze its objects (section bytes are only ever copied). */
function freezeImage(image: GuestImage): GuestImage {
  for (const s of image.program.sections) Object.freeze(s);
  for (const s of image.program.symbols) Object.freeze(s);
  Object.freeze(image.program.sections);
  Object.freeze(image.program.symbols);
  Object.freeze(image.program);
  for (const e of image.functionEntries) Object.freeze(e);
  Object.freeze(image.functionEntries);
  return Object.freeze(image);
}

function assembleGuestImage(opts: GuestImageOptions): GuestImage {
  const runtime = buildGuestRuntime({ ...opts.runtime, mainSymbol: WORKLOAD_SYMBOLS.main, secondarySymbol: WORKLOAD_SYMBOLS.secondary });
  const kernel = planSyntheticKernel(opts.kernel);
  const code = kernelCodeOf(opts, kernel);
  const base = opts.base ?? RAM_GUEST_BASE;
  let program: AssembledProgram;
  let source: string;
  let layout: SiteLayout;
  if (code === 'assembly') {
    const b = buildWorkloadText(opts, kernel, null);
    layout = b.layout;
    source = runtime + '\n' + b.finish() + '\n' + (opts.extraSource ?? '') + '\n';
    program = assemble(source, { file: 'guest-image.s', base });
  } else {
    const mc = new MachineCodeKernel(kernel.layoutKind);
    const b = buildWorkloadText(opts, kernel, mc);
    layout = mc.layout;
    const enc = mc.finish(base);
    // The assembled part sees the kernel as a placeholder section at its fixed address, with labels where the
    // functions it calls are (labels, not `.set` constants: the assembler as of c899fb4 mis-encodes a `call` to an
    // absolute symbol when code before the call shrinks during relaxation). mergeKernel swaps in the real bytes.
    source = kernelPlaceholder(enc) + '\n' + runtime + '\n' + b.finish() + '\n' + (opts.extraSource ?? '') + '\n';
    const assembled = assemble(source, {
      file: 'guest-image.s',
      base: alignUp(base + enc.bytes.length, 4096),
      sectionAddrs: { [KERNEL_SECTION]: base },
    });
    program = mergeKernel(assembled, enc);
  }
  return {
    program,
    source,
    kernel,
    kernelCode: code,
    layout,
    layoutKind: kernel.layoutKind,
    runtimeSymbols: guestRuntimeSymbols(program),
    symbols: new Map(program.symbols.map((s) => [s.name, s.value])),
    functionEntries: functionEntriesOf(program, layout),
  };
}

/** Kernel symbols the assembled part (main, sample driver, test probes) may call. */
const REFERENCED = new Set([KERNEL_RUN_SYMBOL, 'tracee_relevant', 'tracee_irrelevant']);
