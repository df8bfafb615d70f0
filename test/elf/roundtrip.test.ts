// Writer -> reader round trip: what writeElfExecutable is given comes back out of parseElf, and loadSegments places it.
import { describe, expect, it } from 'vitest';
import { loadSegments, parseElf, writeElfExecutable } from '../../src/elf/index.js';
import { ElfFields } from './elf-fields.js';
import { bareMetalInput, lowAddressInput, minimalInput, scatteredInput } from './sample-elves.js';

describe('writeElfExecutable -> parseElf', () => {
  it('keeps entry, flags, segments, symbols, tohost/fromhost and patchable entries', () => {
    const input = bareMetalInput();
    const img = parseElf(writeElfExecutable(input));
    expect(img.type).toBe('exec');
    expect(img.entry).toBe(input.entry);
    expect(img.eFlags).toBe(0x1);
    expect(img.phentsize).toBe(56);
    expect(img.phnum).toBe(2);

    const [text, data] = img.segments;
    expect(text!.vaddr).toBe(0x8000_0000);
    expect(text!.paddr).toBe(0x8000_0000);
    expect(text!.flags).toBe(5); // R|X
    expect(text!.data).toEqual(input.sections[0]!.data);
    expect(text!.memsz).toBe(input.sections[0]!.data.length);
    expect(data!.vaddr).toBe(0x8000_1000);
    expect(data!.flags).toBe(6); // R|W
    expect(data!.memsz).toBe(0x1000 + 0x300); // up to the end of .bss
    expect(data!.data.length).toBe(0x1048 + 24 + 8 - 0x1000); // .tohost, entries, .data; .bss is not in the file
    expect(data!.data.subarray(0x60, 0x68)).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));

    expect(img.tohost).toBe(0x8000_1000);
    expect(img.fromhost).toBe(0x8000_1040);
    expect(img.patchableEntries).toEqual(input.entries);
    expect(img.functions.map((f) => f.name)).toEqual(['func0', 'func1', 'func2']);
    expect(img.functions.map((f) => f.value)).toEqual([0x8000_0004, 0x8000_0012, 0x8000_0020]);
    expect(img.functions.every((f) => f.size === 10 && f.bind === 'global')).toBe(true);

    // locals first, then globals; shndx resolved from the section name; ABS when no section
    expect(img.symbols.map((s) => s.name)).toEqual(['local_label', 'func0', 'func1', 'func2', 'tohost', 'fromhost', 'counter', 'ABS_CONST']);
    const byName = new Map(img.symbols.map((s) => [s.name, s]));
    expect(byName.get('local_label')).toMatchObject({ bind: 'local', type: 'notype', shndx: 1 });
    expect(byName.get('tohost')).toMatchObject({ type: 'object', size: 8, shndx: 2 });
    expect(byName.get('counter')).toMatchObject({ bind: 'weak', shndx: 5 });
    expect(byName.get('ABS_CONST')).toMatchObject({ value: 0x1234, shndx: 0xfff1 });

    expect(img.sections.map((s) => s.name)).toEqual(['', '.text', '.tohost', '__patchable_function_entries', '.data', '.bss', '.comment', '.symtab', '.strtab', '.shstrtab']);
    expect(img.sections[5]).toMatchObject({ type: 8, addr: 0x8000_2000, size: 0x300, flags: 3 });
    expect(img.sections[6]).toMatchObject({ type: 1, flags: 0 });
  });

  it('splits segments by permission, page-aligns offsets congruent to vaddr, and sets sh_info to the first global', () => {
    const bytes = writeElfExecutable(lowAddressInput());
    const f = new ElfFields(bytes);
    const img = parseElf(bytes);
    expect(img.eFlags).toBe(0x5);
    expect(img.segments.map((s) => [s.vaddr, s.flags])).toEqual([[0x1_0000, 5], [0x1_1000, 4], [0x1_2000, 6]]);
    expect(img.segments[2]!.memsz).toBe(0x50 + 0x2000);
    expect(img.segments[2]!.data).toEqual(new Uint8Array(64).fill(0xaa));
    for (let i = 0; i < f.phnum; i++) {
      const at = f.phdr(i);
      expect(f.u32(at)).toBe(1); // PT_LOAD
      expect(f.u64(at + 8) % 0x1000).toBe(f.u64(at + 16) % 0x1000);
      expect(f.u64(at + 48)).toBe(0x1000);
    }
    const symtab = f.shdr(f.sectionOfType(2));
    expect(f.u32(symtab + 44)).toBe(1 + 2); // null + 2 locals (func1, func3)
    expect(img.symbols.slice(0, 2).map((s) => s.bind)).toEqual(['local', 'local']);
    expect(img.functions.map((s) => s.name)).toEqual(['func0', 'func1', 'func2', 'func3', 'func4']);
    expect(img.tohost).toBeUndefined();
    expect(img.fromhost).toBeUndefined();
    expect(img.patchableEntries).toEqual([]);
  });

  it('starts a new segment after a gap of a page or more, and gives a lone .bss a segment with filesz 0', () => {
    const bytes = writeElfExecutable(scatteredInput());
    const img = parseElf(bytes);
    expect(img.segments.map((s) => [s.vaddr, s.data.length, s.memsz, s.flags])).toEqual([
      [0x8000_0000, 28, 28, 5],
      [0x8000_3002, 2, 2, 5],
      [0x8010_0008, 4, 4, 6],
      [0x8020_0000, 0, 0x1_0000, 6],
    ]);
    // section headers keep the input order; the empty allocated section is listed but not loaded
    expect(img.sections.slice(1, 6).map((s) => s.name)).toEqual(['.note.empty', '.bss', '.data', '.text', '.text.hot']);
    expect(img.functions.map((f) => [f.name, f.shndx])).toEqual([['func0', 4], ['func1', 4], ['hot', 5]]);
    const f = new ElfFields(bytes);
    for (let i = 0; i < f.phnum; i++) expect(f.u64(f.phdr(i) + 8) % 0x1000).toBe(f.u64(f.phdr(i) + 16) % 0x1000);
  });

  it('accepts the machine RAM range when every segment fits', () => {
    const img = parseElf(writeElfExecutable(bareMetalInput()), { ram: { base: 0x8000_0000, size: 0x800_0000 } });
    expect(img.segments).toHaveLength(2);
  });

  it('reports the phdr address when a PT_LOAD covers the program header table', () => {
    const bytes = writeElfExecutable(minimalInput());
    const f = new ElfFields(bytes);
    expect(parseElf(bytes).phdrAddr).toBeUndefined();
    // Make the text segment start at file offset 0 (vaddr 0x80000000 - 0x1000), so it covers the headers.
    f.set(f.phdr(0) + 8, 8, 0);
    f.set(f.phdr(0) + 16, 8, 0x7fff_f000);
    f.set(f.phdr(0) + 32, 8, 0x1006);
    f.set(f.phdr(0) + 40, 8, 0x1006);
    expect(parseElf(bytes).phdrAddr).toBe(0x7fff_f000 + 64);
  });

  it('reports the PT_PHDR address when there is one', () => {
    const bytes = writeElfExecutable(bareMetalInput());
    const f = new ElfFields(bytes);
    f.set(f.phdr(1), 4, 6); // the data PT_LOAD becomes PT_PHDR
    f.set(f.phdr(1) + 16, 8, 0x8000_0040);
    const img = parseElf(bytes);
    expect(img.phdrAddr).toBe(0x8000_0040);
    expect(img.segments).toHaveLength(1);
  });

  it('accepts a static ET_DYN as type dyn without relocating', () => {
    const bytes = writeElfExecutable(minimalInput());
    new ElfFields(bytes).set(16, 2, 3);
    const img = parseElf(bytes);
    expect(img.type).toBe('dyn');
    expect(img.entry).toBe(0x8000_0000);
  });

  it('loadSegments writes the file image and zero-fills the rest of memsz', () => {
    const img = parseElf(writeElfExecutable(lowAddressInput()));
    const writes: [number, number][] = [];
    const zeros: [number, number][] = [];
    loadSegments(img, (addr, b) => writes.push([addr, b.length]), (addr, len) => zeros.push([addr, len]));
    expect(writes).toEqual([[0x1_0000, 70], [0x1_1000, 14], [0x1_2000, 64]]);
    expect(zeros).toEqual([[0x1_2040, 0x2010]]);
  });
});
