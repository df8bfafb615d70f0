// Puts a guest on a fresh Machine: the synthetic kernel image (runtime + kernel + ftrace-ops sample) or an ELF + runtime.
import type { FunctionEntry } from '../ftrace/init.js';
import type { GuestRuntimeSymbols } from '../ftrace/runtime-symbols.js';
import type { SiteLayout } from '../ftrace/site-layout.js';
import type { SyntheticKernelOptions } from '../workload/synthetic-kernel.js';
import { Machine } from '../machine/machine.js';
import { buildGuestImage, type GuestImage } from '../workload/guest-image.js';
import type { LabOptions, ResolvedLabOptions } from './options.js';
import { Symbolizer } from './symbolizer.js';
import { schemeDescriptor } from '../ftrace/schemes/registry.js';

/** A loaded, not yet started guest and what the ftrace core and the trace reader need to know about it. */
export interface BootedGuest {
  readonly machine: Machine;
  /** Every symbol of the guest (name -> address). */
  readonly symbols: ReadonlyMap<string, number>;
  /** Sizes of the guest runtime's symbols (name -> bytes), for code the lab copies (module callbacks). */
  readonly runtimeSizes: ReadonlyMap<string, number>;
  readonly symbolizer: Symbolizer;
  readonly runtimeSymbols: GuestRuntimeSymbols;
  readonly entries: readonly FunctionEntry[];
  readonly layout: SiteLayout;
  /** The synthetic image (absent for an ELF guest). */
  readonly image?: GuestImage;
  /** Does the runtime's trap vector stay installed (false for an ELF guest, whose start-up installs its own)? */
  readonly runtimeTrapVector: boolean;
}

/** Guest heap for ops/hash mirrors and count tables. */
export const LAB_HEAP_SIZE = 1 << 20;

/**
 * Heap for a guest with `functions` patchable functions: room for a few filter hashes, the stop_machine patch vector
 * (two 24-byte entries per site) and the text_poke_bp table (16 bytes per site) at once.
 */
export function labHeapSize(functions: number): number {
  return Math.ceil((LAB_HEAP_SIZE + functions * 192) / 4096) * 4096;
}

export function machineFor(o: ResolvedLabOptions, opts: LabOptions): Machine {
  return Machine.create({
    harts: o.harts,
    ram: o.ram,
    mode: o.mode,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.quantum !== undefined ? { quantum: opts.quantum } : {}),
    ...(opts.fetch !== undefined ? { fetch: opts.fetch } : {}),
    ...(opts.strategy !== undefined ? { strategy: opts.strategy } : {}),
    ...(opts.recordSchedule !== undefined ? { recordSchedule: opts.recordSchedule } : {}),
  });
}

const symbolizers = new WeakMap<GuestImage, Symbolizer>();

/** One symbolizer per image (labs that reuse an image, like the checker's schedules, share it). */
function symbolizerOf(image: GuestImage): Symbolizer {
  let s = symbolizers.get(image);
  if (!s) symbolizers.set(image, (s = new Symbolizer(image.program.symbols)));
  return s;
}

/** The kernel options for a scheme: a scheme with its own site layout (s390-hotpatch) gets it unless one is asked for. */
export function kernelOptionsFor(scheme: string, k: SyntheticKernelOptions): SyntheticKernelOptions {
  const own = schemeDescriptor(scheme).siteLayout;
  return own && k.layout === undefined ? { ...k, layout: own(true) } : k;
}

/** Build (or reuse) the synthetic image and load it. */
export function bootSyntheticGuest(o: ResolvedLabOptions, opts: LabOptions): BootedGuest {
  const k = opts.kernel ?? {};
  const image =
    opts.image ??
    buildGuestImage({
      runtime: { harts: o.harts, scheme: o.scheme, bufferSizeKb: o.bufferSizeKb, heapSize: labHeapSize(k.functions ?? 1000) },
      kernel: kernelOptionsFor(o.scheme, k),
      sample: { nrCalls: k.nrCalls ?? 100_000 },
      runSample: k.runSample ?? false,
      input: k.input ?? 1,
      workload: k.workload ?? 'once',
      iterations: k.iterations ?? 0,
    });
  const rt = image.runtimeSymbols;
  const machine = machineFor(o, opts);
  machine.loadProgram(image.program);
  return {
    machine,
    symbols: image.symbols,
    runtimeSizes: new Map(image.program.symbols.map((s) => [s.name, s.size])),
    symbolizer: symbolizerOf(image),
    runtimeSymbols: rt,
    entries: image.functionEntries,
    layout: image.layout,
    image,
    runtimeTrapVector: true,
  };
}
