// writeElfExecutable on bad input: an ElfError naming the problem, never a broken file.
import { describe, expect, it } from 'vitest';
import { ElfError, writeElfExecutable, type ElfWriteInput } from '../../src/elf/index.js';
import { bareMetalInput, minimalInput } from './sample-elves.js';

function expectWriteError(input: ElfWriteInput, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    writeElfExecutable(input);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ElfError);
  expect((caught as ElfError).code).toBe(code);
  expect((caught as ElfError).message).toMatch(message);
}

describe('writeElfExecutable rejects', () => {
  it('overlapping allocated sections', () => {
    const input = minimalInput();
    input.sections.push({ name: '.data', addr: 0x8000_0004, data: new Uint8Array(8), write: true, align: 4 });
    expectWriteError(input, 'ELF_OVERLAP', /\.text .* and \.data .* overlap/);
  });

  it('a symbol in an unknown section', () => {
    const input = minimalInput();
    input.symbols.push({ name: 'x', value: 0, section: '.nope' });
    expectWriteError(input, 'ELF_BAD_INPUT', /symbol x: unknown section "\.nope"/);
  });

  it('duplicate and reserved section names', () => {
    const dup = minimalInput();
    dup.sections.push({ ...dup.sections[0]!, addr: 0x9000_0000 });
    expectWriteError(dup, 'ELF_BAD_INPUT', /duplicate section name "\.text"/);
    const reserved = minimalInput();
    reserved.sections.push({ name: '.symtab', addr: 0, data: new Uint8Array(0), alloc: false });
    expectWriteError(reserved, 'ELF_BAD_INPUT', /reserved/);
  });

  it('misaligned sections and bad alignments', () => {
    const input = minimalInput();
    input.sections[0]!.addr = 0x8000_0002;
    input.sections[0]!.align = 4;
    expectWriteError(input, 'ELF_BAD_INPUT', /not aligned to 4/);
    input.sections[0]!.align = 3;
    expectWriteError(input, 'ELF_BAD_INPUT', /not a power of two/);
  });

  it('addresses and values that are negative, fractional or above 2^53', () => {
    const a = minimalInput();
    a.entry = -4;
    expectWriteError(a, 'ELF_RANGE', /entry/);
    const b = minimalInput();
    b.sections[0]!.addr = 2 ** 53;
    expectWriteError(b, 'ELF_RANGE', /section \.text address/);
    const c = minimalInput();
    c.symbols[0]!.value = 1.5;
    expectWriteError(c, 'ELF_RANGE', /symbol _start value/);
  });

  it('NOBITS sections with data, PROGBITS with a mismatched size, names with NUL', () => {
    const a = bareMetalInput();
    a.sections[4]!.data = new Uint8Array(4);
    expectWriteError(a, 'ELF_BAD_INPUT', /NOBITS but has 4 data bytes/);
    const b = minimalInput();
    b.sections[0]!.size = 100;
    expectWriteError(b, 'ELF_BAD_INPUT', /size 100 differs/);
    const c = minimalInput();
    c.symbols[0]!.name = 'a\0b';
    expectWriteError(c, 'ELF_BAD_INPUT', /NUL/);
  });

  it('input with nothing to load', () => {
    expectWriteError({ entry: 0, sections: [], symbols: [] }, 'ELF_NO_SEGMENTS', /nothing to load/);
    expectWriteError({ entry: 0, sections: [{ name: '.note', addr: 0, data: new Uint8Array(4), alloc: false }], symbols: [] }, 'ELF_NO_SEGMENTS', /nothing to load/);
    expectWriteError(undefined as unknown as ElfWriteInput, 'ELF_BAD_INPUT', /sections and symbols/);
  });
});
