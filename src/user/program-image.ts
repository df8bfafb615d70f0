// Loads a static RISC-V Linux ELF into an address space: segments as regions with their protections, and the brk start.
import { parseElf } from '../elf/reader.js';
import type { ElfImage } from '../elf/types.js';
import { FtraceLabError } from '../errors.js';
import { type AddressSpace, pageDown, pageUp } from './address-space.js';
import { UserError } from './errors.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE, USER_VA_LIMIT } from './page-table.js';
import { FRAME } from './physical-ram.js';

/** Where a static-pie (ET_DYN) executable is placed. */
export const PIE_BASE = 0x40000000;

export interface LoadedImage {
  entry: number;
  /** Load bias added to every ELF address (0 for ET_EXEC). */
  bias: number;
  phdr: number;
  phnum: number;
  phent: number;
  /** First address after the highest segment, page-aligned: the initial program break. */
  brkStart: number;
  elf: ElfImage;
}

const PF_X = 1;
const PF_W = 2;
const PF_R = 4;

function protOf(flags: number): number {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/** Parses the ELF (typed UserError on anything that cannot run as a static Linux program). */
export function parseUserElf(bytes: Uint8Array): ElfImage {
  let elf: ElfImage;
  try {
    elf = parseElf(bytes);
  } catch (e) {
    if (e instanceof FtraceLabError) throw new UserError('USER_BAD_ELF', e.message);
    throw e;
  }
  if (elf.sections.some((s) => s.name === '.interp')) {
    throw new UserError('USER_DYNAMIC_ELF', 'dynamically linked executable (has .interp): only static programs run in user mode (link with -static)');
  }
  if (elf.segments.length === 0) throw new UserError('USER_BAD_ELF', 'the ELF has no loadable segment');
  return elf;
}

/** Maps every PT_LOAD (pages shared by two segments get the union of their protections) and copies the file bytes. */
export function loadProgramImage(space: AddressSpace, elf: ElfImage): LoadedImage {
  const bias = elf.type === 'dyn' ? PIE_BASE : 0;
  const pageProt = new Map<number, number>();
  let top = 0;
  for (const s of elf.segments) {
    if (s.memsz === 0) continue;
    const start = pageDown(s.vaddr + bias);
    const end = pageUp(s.vaddr + bias + s.memsz);
    if (start < FRAME || end > USER_VA_LIMIT) {
      throw new UserError('USER_BAD_ELF', `segment at 0x${s.vaddr.toString(16)} is outside the user address space (0x1000..2^38)`);
    }
    for (let p = start; p < end; p += FRAME) pageProt.set(p, (pageProt.get(p) ?? 0) | protOf(s.flags));
    top = Math.max(top, end);
  }
  const pages = [...pageProt.keys()].sort((a, b) => a - b);
  for (let i = 0; i < pages.length; ) {
    let j = i;
    const prot = pageProt.get(pages[i]!)!;
    while (j + 1 < pages.length && pages[j + 1] === pages[j]! + FRAME && pageProt.get(pages[j + 1]!) === prot) j++;
    space.reserve(pages[i]!, pages[j]! + FRAME, prot, 'image');
    i = j + 1;
  }
  for (const s of elf.segments) {
    if (s.memsz === 0) continue;
    space.write(s.vaddr + bias, s.data, true); // the zero-filled tail (bss) is paged in on first touch
  }
  const phdr = elf.phdrAddr !== undefined ? elf.phdrAddr + bias : 0;
  return { entry: elf.entry + bias, bias, phdr, phnum: elf.phnum, phent: elf.phentsize, brkStart: top, elf };
}
