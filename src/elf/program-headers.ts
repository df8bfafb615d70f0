// ELF64 program header table (Elf64_Phdr): PT_LOAD segments, their validation, and the AT_PHDR address.
import type { ByteReader } from './byte-reader.js';
import { PHDR_SIZE, PT_LOAD, PT_PHDR } from './constants.js';
import { ElfError, hex } from './errors.js';
import type { FileHeader } from './file-header.js';
import type { ElfSegment } from './types.js';

export interface RawProgramHeader {
  index: number;
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
}

export function readProgramHeaders(r: ByteReader, h: FileHeader): RawProgramHeader[] {
  if (h.phnum === 0) return [];
  r.require(h.phoff, h.phnum * PHDR_SIZE, `program header table (${h.phnum} entries)`);
  const out: RawProgramHeader[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const at = h.phoff + i * PHDR_SIZE;
    const p: RawProgramHeader = {
      index: i,
      type: r.u32(at),
      flags: r.u32(at + 4),
      offset: r.u64(at + 8, `p_offset of segment ${i}`),
      vaddr: r.u64(at + 16, `p_vaddr of segment ${i}`),
      paddr: r.u64(at + 24, `p_paddr of segment ${i}`),
      filesz: r.u64(at + 32, `p_filesz of segment ${i}`),
      memsz: r.u64(at + 40, `p_memsz of segment ${i}`),
    };
    if (p.filesz > 0) {
      r.require(p.offset, p.filesz, `segment ${i} file image`);
    }
    out.push(p);
  }
  return out;
}

/** The PT_LOAD segments, validated: filesz <= memsz, representable ends, no overlap, inside RAM if given. */
export function loadableSegments(r: ByteReader, phdrs: RawProgramHeader[], ram?: { base: number; size: number }): ElfSegment[] {
  const loads = phdrs.filter((p) => p.type === PT_LOAD);
  if (loads.length === 0) {
    throw new ElfError('ELF_NO_SEGMENTS', 'ELF file has no PT_LOAD segment: nothing to load');
  }
  for (const p of loads) {
    if (p.filesz > p.memsz) {
      throw new ElfError('ELF_BAD_SEGMENT', `segment ${p.index}: p_filesz ${hex(p.filesz)} is larger than p_memsz ${hex(p.memsz)}`);
    }
    if (!Number.isSafeInteger(p.vaddr + p.memsz)) {
      throw new ElfError('ELF_RANGE', `segment ${p.index}: end address ${hex(p.vaddr)} + ${hex(p.memsz)} is above 2^53`);
    }
    if (ram && p.memsz > 0 && (p.vaddr < ram.base || p.vaddr + p.memsz > ram.base + ram.size)) {
      throw new ElfError('ELF_OUTSIDE_RAM', `segment ${p.index} [${hex(p.vaddr)}, ${hex(p.vaddr + p.memsz)}) lies outside RAM [${hex(ram.base)}, ${hex(ram.base + ram.size)})`);
    }
  }
  const byAddr = loads.filter((p) => p.memsz > 0).sort((a, b) => a.vaddr - b.vaddr);
  for (let i = 1; i < byAddr.length; i++) {
    const prev = byAddr[i - 1]!;
    const cur = byAddr[i]!;
    if (cur.vaddr < prev.vaddr + prev.memsz) {
      throw new ElfError('ELF_OVERLAP', `segments ${prev.index} [${hex(prev.vaddr)}, ${hex(prev.vaddr + prev.memsz)}) and ${cur.index} [${hex(cur.vaddr)}, ${hex(cur.vaddr + cur.memsz)}) overlap in memory`);
    }
  }
  return loads.map((p) => ({
    vaddr: p.vaddr,
    paddr: p.paddr,
    data: r.slice(p.offset, p.filesz),
    memsz: p.memsz,
    flags: p.flags,
  }));
}

/** Where the program header table is in memory (for AT_PHDR): PT_PHDR, else the PT_LOAD whose file image covers it. */
export function programHeaderAddress(phdrs: RawProgramHeader[], h: FileHeader): number | undefined {
  if (phdrs.length === 0) return undefined;
  const pt = phdrs.find((p) => p.type === PT_PHDR);
  if (pt) return pt.vaddr;
  const size = h.phnum * PHDR_SIZE;
  const load = phdrs.find((p) => p.type === PT_LOAD && p.offset <= h.phoff && h.phoff + size <= p.offset + p.filesz);
  return load ? load.vaddr + (h.phoff - load.offset) : undefined;
}
