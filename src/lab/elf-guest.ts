// An ELF guest: its segments as linked, the guest runtime assembled above its highest segment, sites from __patchable_function_entries.
import { parseElf } from '../elf/reader.js';
import { functionEntriesFromSymbols } from '../ftrace/init.js';
import { schemeDescriptor } from '../ftrace/schemes/registry.js';
import { elfSiteLayout, measurePatchableArea } from './elf-site-layout.js';
import { buildGuestRuntime } from '../guest/runtime.js';
import { guestRuntimeSymbols } from '../guest/symbols.js';
import { assemble, type AssembledProgram } from '../isa/index.js';
import { canonicalKey, MemoCache } from '../util/memo-cache.js';
import { LabError } from './errors.js';
import { labHeapSize, machineFor, type BootedGuest } from './guest-boot.js';
import type { LabOptions, ResolvedLabOptions } from './options.js';
import { Symbolizer } from './symbolizer.js';

/** Runtime entry points that hand every configured hart to the ELF's own entry (a0 = hart id). */
const ELF_MAIN = 'lab_elf_main';
const ELF_SECONDARY = 'lab_elf_secondary';

const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;

/** Assembled runtimes by (source, base): the source text carries every runtime option, so it is the key. */
const runtimeCache = new MemoCache<AssembledProgram>(8);

function assembleRuntime(source: string, base: number): AssembledProgram {
  return runtimeCache.get(canonicalKey({ source, base }), () => {
    const p = assemble(source, { file: 'lab-elf-runtime.s', base });
    for (const s of p.sections) Object.freeze(s);
    for (const s of p.symbols) Object.freeze(s);
    Object.freeze(p.sections);
    Object.freeze(p.symbols);
    return Object.freeze(p);
  });
}

/**
 * Boot order per hart: the runtime's _start (tp = per-hart block for the tracers, ring buffer set up), then a jump to
 * the ELF's entry, which runs as usual (its own stack, trap vector, exit through its own tohost). The ELF must leave
 * `tp` alone. The site layout is read from the ELF (NOP width from e_flags, NOP bytes before and at the entries); an
 * area too small for the scheme's site is refused with FTRACE_BAD_LAYOUT naming the -fpatchable-function-entry it needs.
 */
export function bootElfGuest(o: ResolvedLabOptions, bytes: Uint8Array, opts: LabOptions = {}): BootedGuest {
  const elf = parseElf(bytes);
  if (elf.patchableEntries.length === 0) {
    throw new LabError('LAB_BAD_ELF', 'the ELF has no __patchable_function_entries (build with -fpatchable-function-entry=8,4)');
  }
  if (elf.segments.length === 0) throw new LabError('LAB_BAD_ELF', 'the ELF has no loadable segments');
  const layout = elfSiteLayout(measurePatchableArea(elf, elf.functions, elf.patchableEntries), schemeDescriptor(o.scheme));
  const top = Math.max(...elf.segments.map((s) => s.vaddr + s.memsz));
  const base = alignUp(top, 0x10000);
  const entry = `0x${elf.entry.toString(16)}`;
  const glue = [
    `\t.text`,
    `\t.globl\t${ELF_MAIN}`,
    `${ELF_MAIN}:`,
    `\tcsrr\ta0, mhartid`,
    `\tli\tt0, ${entry}`,
    `\tjr\tt0`,
    `\t.globl\t${ELF_SECONDARY}`,
    `${ELF_SECONDARY}:`,
    `\tli\tt0, ${entry}`,
    `\tjr\tt0`,
    '',
  ].join('\n');
  const source =
    buildGuestRuntime({ harts: o.harts, scheme: o.scheme, bufferSizeKb: o.bufferSizeKb, heapSize: labHeapSize(elf.patchableEntries.length), mainSymbol: ELF_MAIN, secondarySymbol: ELF_SECONDARY }) +
    '\n' +
    glue;
  const runtime = assembleRuntime(source, base);
  const machine = machineFor(o, opts);
  machine.loadElf(bytes);
  machine.loadProgram(runtime); // harts start at the runtime's _start
  machine.setTohost(elf.tohost, elf.fromhost); // but the ELF's tohost ends the run
  const functions = elf.functions.map((f) => ({ name: f.name, value: f.value, size: f.size }));
  const symbols = new Map<string, number>();
  for (const s of runtime.symbols) symbols.set(s.name, s.value);
  for (const f of elf.symbols) if (f.name) symbols.set(f.name, f.value);
  return {
    machine,
    symbols,
    runtimeSizes: new Map(runtime.symbols.map((s) => [s.name, s.size])),
    symbolizer: new Symbolizer([...functions, ...runtime.symbols.filter((s) => s.type === 'func')]),
    runtimeSymbols: guestRuntimeSymbols(runtime),
    entries: functionEntriesFromSymbols(elf.patchableEntries, elf.functions, layout),
    layout,
    runtimeTrapVector: false,
  };
}
