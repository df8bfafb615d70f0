// ELF64 section header table (Elf64_Shdr): bounds-checked sections with names from the section string table.
import type { ByteReader } from './byte-reader.js';
import { SHDR_SIZE, SHN_XINDEX, SHT_NOBITS, SHT_NULL, SHT_STRTAB, SHT_SYMTAB } from './constants.js';
import { ElfError, hex } from './errors.js';
import type { FileHeader } from './file-header.js';
import type { ElfSection } from './types.js';
import { readString } from './string-table.js';

/** A section as parsed, with the header fields the reader needs beyond ElfSection. */
export interface RawSection extends ElfSection {
  index: number;
  link: number;
  info: number;
  entsize: number;
}

export function readSectionHeaders(r: ByteReader, h: FileHeader): RawSection[] {
  if (h.shoff === 0) {
    return [];
  }
  r.require(h.shoff, SHDR_SIZE, 'section header 0');
  let count = h.shnum;
  if (count === 0) {
    count = r.u64(h.shoff + 32, 'section count (sh_size of section 0)');
  }
  if (count === 0) {
    return [];
  }
  if (count > Math.floor((r.length - h.shoff) / SHDR_SIZE)) {
    throw new ElfError('ELF_TRUNCATED', `section header table (${count} entries at ${hex(h.shoff)}) extends beyond the end of the file (${hex(r.length)} bytes)`);
  }
  const raw: RawSection[] = [];
  const nameOffsets: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = h.shoff + i * SHDR_SIZE;
    nameOffsets.push(r.u32(at));
    const s: RawSection = {
      index: i,
      name: '',
      type: r.u32(at + 4),
      flags: r.u64(at + 8, `sh_flags of section ${i}`),
      addr: r.u64(at + 16, `sh_addr of section ${i}`),
      offset: r.u64(at + 24, `sh_offset of section ${i}`),
      size: r.u64(at + 32, `sh_size of section ${i}`),
      link: r.u32(at + 40),
      info: r.u32(at + 44),
      entsize: r.u64(at + 56, `sh_entsize of section ${i}`),
    };
    checkSectionInFile(r, s);
    raw.push(s);
  }
  const strndx = h.shstrndx === SHN_XINDEX ? raw[0]!.link : h.shstrndx;
  if (strndx !== 0) {
    const strtab = raw[strndx];
    if (!strtab || strtab.type !== SHT_STRTAB) {
      throw new ElfError('ELF_BAD_STRTAB', `section name string table index ${strndx} does not name a string table (${raw.length} sections)`);
    }
    for (const s of raw) {
      s.name = readString(r, strtab, nameOffsets[s.index]!, `name of section ${s.index}`);
    }
  }
  return raw;
}

function checkSectionInFile(r: ByteReader, s: RawSection): void {
  if (s.type === SHT_NOBITS || s.type === SHT_NULL) return;
  const code = s.type === SHT_SYMTAB ? 'ELF_BAD_SYMTAB' : s.type === SHT_STRTAB ? 'ELF_BAD_STRTAB' : 'ELF_TRUNCATED';
  r.require(s.offset, s.size, `section ${s.index}`, code);
}

/** The public view of a section (drops reader-internal fields). */
export function toElfSection(s: RawSection): ElfSection {
  return { name: s.name, type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size };
}
