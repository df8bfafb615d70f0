// Reads the __patchable_function_entries table back from an assembled program and names each entry (input to planFtraceInit).
import { functionEntriesFromSymbols, type FunctionEntry } from '../ftrace/init.js';
import type { SiteLayout } from '../ftrace/site-layout.js';
import type { AssembledProgram } from '../isa/index.js';
import { WorkloadError } from './errors.js';
import { PATCHABLE_ENTRIES_SECTION } from './patchable-text.js';

/** The u64 entries of the program's __patchable_function_entries section (addresses of each first patchable NOP). */
export function patchableEntryAddrs(program: AssembledProgram): number[] {
  const sec = program.sections.find((s) => s.name === PATCHABLE_ENTRIES_SECTION);
  if (!sec) throw new WorkloadError('WORKLOAD_BAD_PROGRAM', `program has no ${PATCHABLE_ENTRIES_SECTION} section`);
  if (sec.data.length % 8 !== 0) throw new WorkloadError('WORKLOAD_BAD_PROGRAM', `${PATCHABLE_ENTRIES_SECTION} size ${sec.data.length} is not a multiple of 8`);
  const dv = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
  const out: number[] = [];
  for (let at = 0; at < sec.data.length; at += 8) out.push(Number(dv.getBigUint64(at, true)));
  return out;
}

/** FunctionEntry records (symbol + pfe) the same way as for a GCC ELF: via functionEntriesFromSymbols. */
export function functionEntriesOf(program: AssembledProgram, layout: SiteLayout): FunctionEntry[] {
  const funcs = program.symbols.filter((s) => s.type === 'func');
  return functionEntriesFromSymbols(patchableEntryAddrs(program), funcs, layout);
}
