// Program loader: places an ElfImage's segments or an AssembledProgram's sections in guest RAM and finds tohost/fromhost.
import type { ElfImage } from '../elf/types.js';
import type { AssembledProgram } from '../isa/index.js';
import { MachineError, hex } from './errors.js';
import type { GuestMemory } from './memory.js';

/** What the machine needs to start a loaded program. */
export interface LoadedProgram {
  entry: number;
  tohost?: number;
  fromhost?: number;
}

function checkInside(mem: GuestMemory, addr: number, len: number, what: string): void {
  if (len > 0 && !mem.contains(addr, len)) {
    throw new MachineError(
      'MACHINE_OUTSIDE_RAM',
      `${what} at ${hex(addr)}..${hex(addr + len)} does not fit in RAM ${hex(mem.base)}..${hex(mem.base + mem.size)}`,
    );
  }
}

/** Copies every PT_LOAD segment (file bytes, then zero fill to memsz). Checks all before writing any. */
export function loadElfImage(mem: GuestMemory, image: ElfImage): LoadedProgram {
  for (const seg of image.segments) checkInside(mem, seg.vaddr, seg.memsz, 'segment');
  for (const seg of image.segments) {
    if (seg.data.length > 0) mem.write(seg.vaddr, seg.data);
    if (seg.memsz > seg.data.length) mem.fill(seg.vaddr + seg.data.length, seg.memsz - seg.data.length);
  }
  return {
    entry: image.entry,
    ...(image.tohost !== undefined ? { tohost: image.tohost } : {}),
    ...(image.fromhost !== undefined ? { fromhost: image.fromhost } : {}),
  };
}

/** Copies an assembled program's allocated sections (NOBITS ones zero-filled). */
export function loadAssembled(mem: GuestMemory, prog: AssembledProgram): LoadedProgram {
  const alloc = prog.sections.filter((s) => s.alloc && s.size > 0);
  for (const s of alloc) checkInside(mem, s.addr, s.size, `section ${s.name}`);
  // sections never overlap, so on untouched (all-zero) RAM the NOBITS ones are already zero
  const zero = !mem.written;
  for (const s of alloc) {
    if (s.nobits) {
      if (!zero) mem.fill(s.addr, s.size);
    } else mem.write(s.addr, s.data);
  }
  const sym = (name: string): number | undefined => prog.symbols.find((s) => s.name === name)?.value;
  const tohost = sym('tohost');
  const fromhost = sym('fromhost');
  return {
    entry: prog.entry,
    ...(tohost !== undefined ? { tohost } : {}),
    ...(fromhost !== undefined ? { fromhost } : {}),
  };
}
