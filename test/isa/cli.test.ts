// CLI verbs `asm` and `disasm`: output formats, exit statuses and error reporting.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main as asmMain, parseAsmArgs } from '../../src/cli/asm.js';
import { main as disasmMain } from '../../src/cli/disasm.js';
import { parseElf } from '../../src/elf/reader.js';
import { tempDir } from './oracle-helpers.js';
import { capture } from '../capture-output.js';


afterEach(() => vi.restoreAllMocks());

const SRC = `.globl _start
.type _start, @function
_start:
  li a0, 42
  call helper
  j _start
.size _start, .-_start
.type helper, @function
helper:
  addi a0, a0, 1
  ret
.size helper, .-helper
`;

describe('asm / disasm verbs', () => {
  it('writes an ELF (by extension) that disasm lists, and a flat binary for .bin', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.s'), SRC);
    const io = capture();
    expect(await asmMain([join(dir, 'p.s'), '-o', join(dir, 'p.elf')])).toBe(0);
    expect(await asmMain([join(dir, 'p.s'), '-o', join(dir, 'p.bin'), '--base', '0x1000'])).toBe(0);
    const elf = parseElf(readFileSync(join(dir, 'p.elf')));
    expect(elf.entry).toBe(0x80000000);
    expect(elf.eFlags & 1).toBe(1);
    const bin = readFileSync(join(dir, 'p.bin'));
    expect(Array.from(bin.subarray(0, 2))).toEqual([0x13, 0x05]); // li a0,42 = addi a0,zero,42 (too big for c.li)
    expect(await disasmMain([join(dir, 'p.elf')])).toBe(0);
    expect(await disasmMain([join(dir, 'p.elf'), '--symbol', 'helper'])).toBe(0);
    const out = io.out();
    expect(out).toContain('Disassembly of section .text:');
    expect(out).toContain('0000000080000000 <_start>:');
    expect(out).toMatch(/jalr\t\S*\(ra\)|jalr\t-?\d+\(ra\)/);
    const helperListing = out.slice(out.lastIndexOf('file format'));
    expect(helperListing).toContain('<helper>:');
    expect(helperListing).not.toContain('<_start>:');
    expect(helperListing).toMatch(/addi\ta0,a0,1\n.*ret\n$/);
  });
  it('reports assembly errors with file:line:column and exit status 65', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.s'), 'nop\n  lw a0, 4(q1)\n');
    const io = capture();
    expect(await asmMain([join(dir, 'bad.s')])).toBe(65);
    expect(io.err()).toContain(`${join(dir, 'bad.s')}:2:12: error: expected an integer register, got 'q1'`);
  });
  it('rejects bad command lines with 64 and bad ELF files / symbols with 65', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'junk.elf'), 'not an elf');
    writeFileSync(join(dir, 'p.s'), SRC);
    const io = capture();
    expect(await asmMain([])).toBe(64);
    expect(await asmMain(['x.s', '--base', 'zz'])).toBe(64);
    expect(await disasmMain(['--bogus'])).toBe(64);
    expect(await disasmMain([join(dir, 'junk.elf')])).toBe(65);
    expect(await asmMain([join(dir, 'p.s'), '-o', join(dir, 'p.elf')])).toBe(0);
    expect(await disasmMain([join(dir, 'p.elf'), '--symbol', 'nope'])).toBe(65);
    expect(io.err()).toContain("no symbol 'nope'");
  });
  it('derives the output name and format', () => {
    expect(parseAsmArgs(['prog.s'])).toMatchObject({ output: 'prog.elf', format: 'elf' });
    expect(parseAsmArgs(['prog.s', '-o', 'x.bin', '--march', 'rv64ima'])).toMatchObject({ format: 'bin', march: 'rv64ima' });
    expect(parseAsmArgs(['prog.s', '--section-addr', '.data=0x90000000'])).toMatchObject({ sectionAddrs: { '.data': 0x90000000 } });
  });
});
