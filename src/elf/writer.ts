// writeElfExecutable: emits an ELF64 LE RISC-V ET_EXEC with PT_LOAD segments, section headers and a symbol table.
import { ByteWriter } from './byte-writer.js';
import {
  EF_RISCV_DEFAULT, EHDR_SIZE, ELF_MAGIC, ELF_PAGE, ELFCLASS64, ELFDATA2LSB, EM_RISCV, ET_EXEC, EV_CURRENT, PF_W, PF_X,
  PHDR_SIZE, PT_LOAD, SHDR_SIZE, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS, SHT_STRTAB, SHT_SYMTAB, SYM_SIZE,
} from './constants.js';
import { ElfError } from './errors.js';
import { alignUp, groupSegments, placeSegments, type PlannedSection, type PlannedSegment } from './segment-plan.js';
import { StringTableBuilder } from './string-table.js';
import { buildSymbolTable } from './symbol-table.js';
import type { ElfWriteInput } from './types.js';
import { validateWriteInput } from './write-input.js';

/** A section header as it will be written. */
interface SectionHeader {
  name: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
}

export function writeElfExecutable(input: ElfWriteInput): Uint8Array {
  const sections = validateWriteInput(input);
  const segments = groupSegments(sections);
  if (segments.length === 0) {
    throw new ElfError('ELF_NO_SEGMENTS', 'nothing to load: the writer needs at least one non-empty allocated section');
  }
  const shstr = new StringTableBuilder();
  const symtab = buildSymbolTable(input.symbols, sections);
  const symtabIndex = sections.length + 1;

  // Layout: header, program headers, segment images, other sections, .symtab, .strtab, .shstrtab, section headers.
  let cursor = placeSegments(segments, EHDR_SIZE + segments.length * PHDR_SIZE);
  const inSegment = new Set(segments.flatMap((seg) => seg.sections));
  for (const s of sections) {
    if (inSegment.has(s)) continue;
    s.offset = alignUp(cursor, s.nobits ? 1 : s.align);
    if (!s.nobits) cursor = s.offset + s.size;
  }
  const headers: SectionHeader[] = [{ name: 0, type: 0, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0 }];
  for (const s of sections) headers.push(sectionHeader(s, shstr.add(s.name)));
  const symtabOffset = alignUp(cursor, 8);
  const strtabOffset = symtabOffset + symtab.symbols.length;
  headers.push({ name: shstr.add('.symtab'), type: SHT_SYMTAB, flags: 0, addr: 0, offset: symtabOffset, size: symtab.symbols.length,
    link: symtabIndex + 1, info: symtab.firstGlobal, align: 8, entsize: SYM_SIZE });
  headers.push({ name: shstr.add('.strtab'), type: SHT_STRTAB, flags: 0, addr: 0, offset: strtabOffset, size: symtab.strings.length,
    link: 0, info: 0, align: 1, entsize: 0 });
  const shstrName = shstr.add('.shstrtab');
  const shstrOffset = strtabOffset + symtab.strings.length;
  const shstrBytes = shstr.bytes();
  headers.push({ name: shstrName, type: SHT_STRTAB, flags: 0, addr: 0, offset: shstrOffset, size: shstrBytes.length, link: 0, info: 0, align: 1, entsize: 0 });
  const shoff = alignUp(shstrOffset + shstrBytes.length, 8);

  const out = new ByteWriter(shoff + headers.length * SHDR_SIZE);
  writeFileHeader(out, input, segments.length, shoff, headers.length);
  segments.forEach((seg, i) => writeProgramHeader(out, EHDR_SIZE + i * PHDR_SIZE, seg));
  for (const s of sections) if (!s.nobits) out.put(s.offset, s.data);
  out.put(symtabOffset, symtab.symbols);
  out.put(strtabOffset, symtab.strings);
  out.put(shstrOffset, shstrBytes);
  headers.forEach((h, i) => writeSectionHeader(out, shoff + i * SHDR_SIZE, h));
  return out.bytes;
}

function sectionHeader(s: PlannedSection, name: number): SectionHeader {
  const flags = (s.alloc ? SHF_ALLOC : 0) | (s.flags & PF_W ? SHF_WRITE : 0) | (s.flags & PF_X ? SHF_EXECINSTR : 0);
  return { name, type: s.nobits ? SHT_NOBITS : SHT_PROGBITS, flags, addr: s.addr, offset: s.offset, size: s.size, link: 0, info: 0, align: s.align, entsize: 0 };
}

function writeFileHeader(out: ByteWriter, input: ElfWriteInput, phnum: number, shoff: number, shnum: number): void {
  ELF_MAGIC.forEach((b, i) => out.u8(i, b));
  out.u8(4, ELFCLASS64);
  out.u8(5, ELFDATA2LSB);
  out.u8(6, EV_CURRENT);
  out.u16(16, ET_EXEC);
  out.u16(18, EM_RISCV);
  out.u32(20, EV_CURRENT);
  out.u64(24, input.entry);
  out.u64(32, EHDR_SIZE);
  out.u64(40, shoff);
  out.u32(48, input.eFlags ?? EF_RISCV_DEFAULT);
  out.u16(52, EHDR_SIZE);
  out.u16(54, PHDR_SIZE);
  out.u16(56, phnum);
  out.u16(58, SHDR_SIZE);
  out.u16(60, shnum);
  out.u16(62, shnum - 1);
}

function writeProgramHeader(out: ByteWriter, at: number, seg: PlannedSegment): void {
  out.u32(at, PT_LOAD);
  out.u32(at + 4, seg.flags);
  out.u64(at + 8, seg.offset);
  out.u64(at + 16, seg.vaddr);
  out.u64(at + 24, seg.vaddr);
  out.u64(at + 32, seg.filesz);
  out.u64(at + 40, seg.memsz);
  out.u64(at + 48, ELF_PAGE);
}

function writeSectionHeader(out: ByteWriter, at: number, h: SectionHeader): void {
  out.u32(at, h.name);
  out.u32(at + 4, h.type);
  out.u64(at + 8, h.flags);
  out.u64(at + 16, h.addr);
  out.u64(at + 24, h.offset);
  out.u64(at + 32, h.size);
  out.u32(at + 40, h.link);
  out.u32(at + 44, h.info);
  out.u64(at + 48, h.align);
  out.u64(at + 56, h.entsize);
}
