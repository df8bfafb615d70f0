// parseElf on hand-broken files: each defect yields an ElfError with its code and a clear message.
import { describe, expect, it } from 'vitest';
import { ElfError, parseElf, writeElfExecutable } from '../../src/elf/index.js';
import { FtraceLabError } from '../../src/errors.js';
import { ElfFields } from './elf-fields.js';
import { bareMetalInput } from './sample-elves.js';

const SHT_SYMTAB = 2;

/** A fresh valid file and a field editor for it. */
function sample(): ElfFields {
  return new ElfFields(writeElfExecutable(bareMetalInput()));
}

function errorOf(bytes: Uint8Array, opts?: Parameters<typeof parseElf>[1]): ElfError {
  try {
    parseElf(bytes, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    expect(e).toBeInstanceOf(FtraceLabError);
    return e as ElfError;
  }
  throw new Error('parseElf accepted a broken file');
}

function expectCode(bytes: Uint8Array, code: string, message?: RegExp, opts?: Parameters<typeof parseElf>[1]): void {
  const e = errorOf(bytes, opts);
  expect(e.code).toBe(code);
  expect(e.name).toBe('ElfError');
  if (message) expect(e.message).toMatch(message);
}

describe('parseElf rejects', () => {
  it('files that are not ELF', () => {
    expectCode(new Uint8Array(0), 'ELF_NOT_ELF', /not an ELF/);
    expectCode(new TextEncoder().encode('#!/bin/sh\necho hi\n'), 'ELF_NOT_ELF');
    expectCode(new Uint8Array([0x7f, 0x45, 0x4c]), 'ELF_NOT_ELF');
    expectCode('not bytes' as unknown as Uint8Array, 'ELF_NOT_ELF');
  });

  it('wrong class, endianness, version, machine and type', () => {
    const cases: [number, 1 | 2 | 4, number, string, RegExp][] = [
      [4, 1, 1, 'ELF_CLASS', /ELF32/],
      [5, 1, 2, 'ELF_ENDIAN', /big-endian/],
      [6, 1, 0, 'ELF_VERSION', /version/],
      [20, 4, 2, 'ELF_VERSION', /version/],
      [18, 2, 62, 'ELF_MACHINE', /62 is not RISC-V/],
      [16, 2, 1, 'ELF_TYPE', /relocatable/],
      [16, 2, 4, 'ELF_TYPE', /core/],
    ];
    for (const [at, width, value, code, msg] of cases) {
      const f = sample();
      f.set(at, width, value);
      expectCode(f.bytes, code, msg);
    }
  });

  it('truncated headers, program headers, segments and section headers', () => {
    const f = sample();
    expectCode(f.bytes.slice(0, 40), 'ELF_TRUNCATED', /ELF header truncated/);
    expectCode(f.bytes.slice(0, 100), 'ELF_TRUNCATED', /program header table/);
    expectCode(f.bytes.slice(0, 0x1010), 'ELF_TRUNCATED', /segment 0/);
    expectCode(f.bytes.slice(0, f.shoff + 100), 'ELF_TRUNCATED', /section header table/);
    const g = sample();
    g.set(g.shdr(1) + 32, 8, 0x10_0000); // .text sh_size beyond the file
    expectCode(g.bytes, 'ELF_TRUNCATED', /section 1/);
  });

  it('absurd counts: e_phnum and e_shnum far beyond the file', () => {
    const f = sample();
    f.set(56, 2, 0xffff);
    expectCode(f.bytes, 'ELF_TRUNCATED', /65535 entries/);
    const g = sample();
    g.set(60, 2, 0xfff0);
    expectCode(g.bytes, 'ELF_TRUNCATED', /section header table/);
    const h = sample(); // extended numbering: count in section 0's sh_size
    h.set(60, 2, 0);
    h.set(h.shdr(0) + 32, 8, 2n ** 40n);
    expectCode(h.bytes, 'ELF_TRUNCATED', /section header table/);
  });

  it('bad header entry sizes', () => {
    const f = sample();
    f.set(54, 2, 32);
    expectCode(f.bytes, 'ELF_BAD_HEADER', /e_phentsize/);
    const g = sample();
    g.set(58, 2, 40);
    expectCode(g.bytes, 'ELF_BAD_HEADER', /e_shentsize/);
  });

  it('a segment whose filesz exceeds memsz', () => {
    const f = sample();
    f.set(f.phdr(1) + 40, 8, 4);
    expectCode(f.bytes, 'ELF_BAD_SEGMENT', /p_filesz .* larger than p_memsz/);
  });

  it('segments overlapping in memory', () => {
    const f = sample();
    f.set(f.phdr(1) + 16, 8, 0x8000_0010);
    expectCode(f.bytes, 'ELF_OVERLAP', /segments 0 .* and 1 .* overlap/);
  });

  it('segments outside the machine RAM (only when a RAM range is given)', () => {
    const bytes = sample().bytes;
    expect(() => parseElf(bytes)).not.toThrow();
    expectCode(bytes, 'ELF_OUTSIDE_RAM', /segment 1 .* outside RAM/, { ram: { base: 0x8000_0000, size: 0x1000 } });
    expectCode(bytes, 'ELF_OUTSIDE_RAM', /segment 0/, { ram: { base: 0x8000_0004, size: 0x800_0000 } });
    expectCode(bytes, 'ELF_RANGE', /opts.ram/, { ram: { base: -1, size: 10 } });
  });

  it('no PT_LOAD segment', () => {
    const f = sample();
    for (let i = 0; i < f.phnum; i++) f.set(f.phdr(i), 4, 4); // PT_NOTE
    expectCode(f.bytes, 'ELF_NO_SEGMENTS', /no PT_LOAD/);
  });

  it('a symbol table outside the file or malformed', () => {
    const f = sample();
    f.set(f.shdr(f.sectionOfType(SHT_SYMTAB)) + 24, 8, f.bytes.length - 24);
    expectCode(f.bytes, 'ELF_BAD_SYMTAB', /beyond the end of the file/);
    const g = sample();
    g.set(g.shdr(g.sectionOfType(SHT_SYMTAB)) + 56, 8, 16);
    expectCode(g.bytes, 'ELF_BAD_SYMTAB', /entry size 16/);
    const h = sample();
    h.set(h.shdr(h.sectionOfType(SHT_SYMTAB)) + 32, 8, 25);
    expectCode(h.bytes, 'ELF_BAD_SYMTAB', /not a multiple of 24/);
    const k = sample();
    k.set(k.shdr(k.sectionOfType(SHT_SYMTAB)) + 40, 4, 1); // sh_link -> .text
    expectCode(k.bytes, 'ELF_BAD_SYMTAB', /not a string table/);
  });

  it('names outside their string table', () => {
    const f = sample();
    f.set(f.symbol(2), 4, 0x10_0000);
    expectCode(f.bytes, 'ELF_BAD_STRTAB', /name of symbol 2: offset 0x100000 is outside/);
    const g = sample(); // .strtab whose last string loses its NUL
    const strtab = g.shdr(g.sectionNamed('.strtab'));
    g.set(strtab + 32, 8, g.u64(strtab + 32) - 1);
    expectCode(g.bytes, 'ELF_BAD_STRTAB', /without a NUL/);
    const h = sample();
    h.set(h.shdr(1), 4, 0xffff_ff00);
    expectCode(h.bytes, 'ELF_BAD_STRTAB', /name of section 1/);
    const k = sample();
    k.set(62, 2, 1); // e_shstrndx -> .text
    expectCode(k.bytes, 'ELF_BAD_STRTAB', /section name string table/);
    const m = sample(); // string table outside the file
    m.set(m.shdr(m.sectionNamed('.strtab')) + 24, 8, 2n ** 40n);
    expectCode(m.bytes, 'ELF_BAD_STRTAB', /beyond the end of the file/);
  });

  it('values above 2^53', () => {
    const cases: [(f: ElfFields) => number, RegExp][] = [
      [() => 24, /e_entry/],
      [(f) => f.phdr(0) + 16, /p_vaddr of segment 0/],
      [(f) => f.phdr(1) + 40, /p_memsz of segment 1/],
      [(f) => f.shdr(1) + 16, /sh_addr of section 1/],
      [(f) => f.symbol(3) + 8, /value of symbol 3/],
      [(f) => f.u64(f.shdr(f.sectionNamed('__patchable_function_entries')) + 24) + 8, /__patchable_function_entries entry 1/],
    ];
    for (const [where, msg] of cases) {
      const f = sample();
      f.set(where(f), 8, 2n ** 53n + 2n);
      expectCode(f.bytes, 'ELF_RANGE', msg);
      f.set(where(f), 8, 0xffff_ffff_ffff_ffffn);
      expectCode(f.bytes, 'ELF_RANGE', /above 2\^53/);
    }
    const g = sample(); // both representable, the end is not
    g.set(g.phdr(1) + 16, 8, 2n ** 53n - 0x10n);
    expectCode(g.bytes, 'ELF_RANGE', /end address/);
  });

  it('a patchable entries section whose size is not a multiple of 8', () => {
    const f = sample();
    f.set(f.shdr(f.sectionNamed('__patchable_function_entries')) + 32, 8, 12);
    expectCode(f.bytes, 'ELF_BAD_SECTION', /not a multiple of 8/);
  });

  it('keeps going without names when there is no section name table', () => {
    const f = sample();
    f.set(62, 2, 0);
    const img = parseElf(f.bytes);
    expect(img.sections.every((s) => s.name === '')).toBe(true);
    expect(img.patchableEntries).toEqual([]);
    expect(img.tohost).toBe(0x8000_1000); // symbols still come from .symtab via sh_link
    expect(img.functions).toHaveLength(3);
  });

  it('ignores the section header table when e_shoff is 0', () => {
    const f = sample();
    f.set(40, 8, 0);
    f.set(60, 2, 0);
    const img = parseElf(f.bytes);
    expect(img.sections).toEqual([]);
    expect(img.symbols).toEqual([]);
    expect(img.segments).toHaveLength(2);
  });

  it('a section name table that is not SHT_STRTAB', () => {
    const f = sample();
    f.set(f.shdr(f.sectionNamed('.shstrtab')) + 4, 4, 1);
    expectCode(f.bytes, 'ELF_BAD_STRTAB', /does not name a string table/);
  });
});
