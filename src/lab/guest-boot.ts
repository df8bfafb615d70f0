// Puts a guest on a fresh Machine: the synthetic kernel image (runtime + kernel + ftrace-ops sample) or an ELF + runtime.
import type { FunctionEntry } from '../ftrace/init.js';
import type { GuestRuntimeSymbols } from '../ftrace/runtime-symbols.js';
import type { SiteLayout } from '../ftrace/site-layout.js';
import { Machine } from '../machine/machine.js';
import { buildGuestImage, type GuestImage } from '../workload/guest-image.js';
import type { LabOptions, ResolvedLabOptions } from './options.js';
import { Symbolizer } from './symbolizer.js';

/** A loaded, not yet started guest and what the ftrace core and the trace reader need to know about it. */
export interface BootedGuest {
  readonly machine: Machine;
  /** Every symbol of the guest (name -> address). */
  readonly symbols: ReadonlyMap<string, number>;
  readonly symbolizer: Symbolizer;
  readonly runtimeSymbols: GuestRuntimeSymbols;
  readonly entries: readonly FunctionEntry[];
  readonly layout: SiteLayout;
  /** The synthetic image (absent for an ELF guest). */
  readonly image?: GuestImage;
}

/** Guest heap for ops/hash mirrors and count tables. */
export const LAB_HEAP_SIZE = 1 << 20;

export function machineFor(o: ResolvedLabOptions, opts: LabOptions): Machine {
  return Machine.create({
    harts: o.harts,
    ram: o.ram,
    mode: o.mode,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.quantum !== undefined ? { quantum: opts.quantum } : {}),
  });
}

/** Build (or reuse) the synthetic image and load it. */
export function bootSyntheticGuest(o: ResolvedLabOptions, opts: LabOptions): BootedGuest {
  const k = opts.kernel ?? {};
  const image =
    opts.image ??
    buildGuestImage({
      runtime: { harts: o.harts, scheme: o.scheme, bufferSizeKb: o.bufferSizeKb, heapSize: LAB_HEAP_SIZE },
      kernel: k,
      sample: { nrCalls: k.nrCalls ?? 100_000 },
      runSample: k.runSample ?? false,
      input: k.input ?? 1,
      ...(k.repeat !== undefined ? { repeat: k.repeat } : {}),
    });
  const rt = image.runtimeSymbols;
  const machine = machineFor(o, opts);
  machine.loadProgram(image.program);
  return {
    machine,
    symbols: image.symbols,
    symbolizer: new Symbolizer(image.program.symbols),
    runtimeSymbols: rt,
    entries: image.functionEntries,
    layout: image.layout,
    image,
  };
}
