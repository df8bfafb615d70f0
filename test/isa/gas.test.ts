// Optional oracle: GNU as + ld (when installed) produce the same .text and .data bytes as our assembler for a
// sample that exercises labels, branch relaxation, .align padding, la/call/tail, %pcrel pairs and data.
// (li constants are expanded like LLVM; GNU as picks different but equivalent sequences for some values, so the
// sample avoids those.)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, findSection } from '../../src/isa/index.js';
import { has, tempDir } from './oracle-helpers.js';

const hasGas = has('riscv64-unknown-elf-as') && has('riscv64-unknown-elf-ld') && has('riscv64-unknown-elf-objcopy');
const SAMPLE = new URL('./data/gas-compare.s', import.meta.url).pathname;

describe.skipIf(!hasGas)('oracle: GNU as + ld', () => {
  it('gives identical .text and .data', () => {
    const dir = tempDir();
    const o = join(dir, 'p.o');
    const elf = join(dir, 'p.elf');
    execFileSync('riscv64-unknown-elf-as', ['-march=rv64imac_zicsr_zifencei', '-mno-relax', SAMPLE, '-o', o]);
    execFileSync('riscv64-unknown-elf-ld', ['--no-relax', '-Ttext=0x80000000', '-Tdata=0x80010000', o, '-o', elf]);
    execFileSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', '-j', '.text', elf, join(dir, 'text.bin')]);
    execFileSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', '-j', '.data', elf, join(dir, 'data.bin')]);
    const prog = assemble(readFileSync(SAMPLE, 'utf8'), { sectionAddrs: { '.data': 0x80010000 } });
    const text = findSection(prog, '.text')!.data;
    const gasText = readFileSync(join(dir, 'text.bin'));
    // ld pads the end of .text to the section alignment with nops; compare our bytes as a prefix
    expect(Array.from(gasText.subarray(0, text.length))).toEqual(Array.from(text));
    expect(gasText.length - text.length).toBeLessThan(16);
    expect(Array.from(readFileSync(join(dir, 'data.bin')))).toEqual(Array.from(findSection(prog, '.data')!.data));
  });
});
