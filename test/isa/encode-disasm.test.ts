// Unit tests of the encoder API (what code patchers call) and of the disassembler's objdump-style output.
import { describe, expect, it } from 'vitest';
import {
  EncodeError, INSN_TABLE, assemble, cNop, csrName, csrNumber, decode, disassembleRange, disassembleWord, encode, encodeAuipc, encodeJal,
  encodeJalr, findSection, insnBytes, nop, splitHiLo, xRegNumber,
} from '../../src/isa/index.js';

describe('encoder API', () => {
  it('encodes by mnemonic with named or numbered registers', () => {
    expect(encode('jalr', { rd: 't0', rs1: 't0', imm: 0 })).toEqual({ word: 0x000282e7, length: 4 });
    expect(encode('addi', { rd: 10, rs1: 'a0', imm: 1 }).word).toBe(0x00150513);
    expect(encode('c.addi', { rd: 'a0', imm: 1 })).toEqual({ word: 0x0505, length: 2 });
    expect(encode('csrrs', { rd: 'a0', csr: 'mhartid', rs1: 'zero' }).word).toBe(0xf1402573);
    expect(encode('fence', { pred: 'rw', succ: 'w' }).word).toBe(0x0310000f);
    expect(encode('amoadd.w.aqrl', { rd: 'a0', rs2: 'a1', rs1: 'a2' }).word).toBe(0x06b6252f);
    expect(encode('fadd.d', { rd: 'fa0', rs1: 'fa1', rs2: 'fa2' }).word).toBe(0x02c5f553); // rm defaults to dyn
    expect(encode('fadd.d', { rd: 'fa0', rs1: 'fa1', rs2: 'fa2', rm: 'rtz' }).word).toBe(0x02c59553);
  });
  it('has helpers for patch sequences', () => {
    expect(nop()).toBe(0x00000013);
    expect(cNop()).toBe(0x0001);
    expect(encodeAuipc('t0', 0)).toBe(0x00000297);
    expect(encodeJalr('t0', 't0', 0)).toBe(0x000282e7);
    expect(encodeJal('zero', -4)).toBe(0xffdff06f);
    expect(Array.from(insnBytes({ word: 0x00000297, length: 4 }))).toEqual([0x97, 0x02, 0, 0]);
    for (const off of [0, 1, -1, 0x7ff, 0x800, -0x800, -0x801, 0x12345678, -0x7ffff800]) {
      const { hi20, lo12 } = splitHiLo(off);
      expect(((hi20 << 12) + lo12) | 0).toBe(off);
      expect(lo12).toBeGreaterThanOrEqual(-2048);
      expect(lo12).toBeLessThan(2048);
    }
  });
  it('throws typed errors for bad operands', () => {
    expect(() => encode('addi', { rd: 'a0', rs1: 'a0', imm: 4096 })).toThrow(EncodeError);
    expect(() => encode('addi', { rd: 'q7', rs1: 'a0', imm: 0 })).toThrow(/not a valid xreg/);
    expect(() => encode('frob')).toThrow(expect.objectContaining({ code: 'ISA_UNKNOWN_INSN' }));
    expect(() => encode('c.lw', { rd: 'a0', rs1: 'sp', imm: 4 })).toThrow(/x8-x15/);
    expect(() => encode('jal', { rd: 'ra', imm: 3 })).toThrow(/multiple of 2/);
  });
  it('decodes what it encodes for every row (fields survive a round trip)', () => {
    for (const row of INSN_TABLE) {
      const d = decode(row.match | (row.length === 4 ? 0 : 0));
      if (!d || d.row !== row) continue; // all-zero operands reserved (c.addi4spn with imm 0) or another row
      expect(encode(row.mnemonic, d.fields as never).word, row.mnemonic).toBe(d.word);
    }
  });
  it('knows register and CSR names', () => {
    expect(xRegNumber('fp')).toBe(8);
    expect(csrNumber('satp')).toBe(0x180);
    expect(csrNumber('pmpaddr63')).toBe(0x3ef);
    expect(csrName(0x7a5)).toBe('tcontrol');
    expect(csrName(0xf15)).toBe('mconfigptr');
  });
});

describe('disassembler', () => {
  const dis = (word: number, pc = 0x80000000) => disassembleWord(word, pc).text;
  it('prints objdump aliases and expands compressed instructions', () => {
    expect(dis(0x0505)).toBe('addi\ta0,a0,1'); // c.addi a0,1
    expect(dis(0x4515)).toBe('li\ta0,5'); // c.li a0,5
    expect(dis(0x852e)).toBe('mv\ta0,a1'); // c.mv
    expect(dis(0x8082)).toBe('ret');
    expect(dis(0x0001)).toBe('nop');
    expect(dis(0x00000013)).toBe('nop');
    expect(dis(0x00b50533)).toBe('add\ta0,a0,a1');
    expect(dis(0xf1402573)).toBe('csrr\ta0,mhartid');
    expect(dis(0x30529073)).toBe('csrw\tmtvec,t0');
    expect(dis(0xc0002573)).toBe('rdcycle\ta0');
    expect(dis(0x0ff0000f)).toBe('fence');
    expect(dis(0x757d)).toBe('lui\ta0,0xfffff'); // c.lui
    expect(dis(0x6582)).toBe('ld\ta1,0(sp)'); // c.ldsp
    expect(dis(0x000282e7)).toBe('jalr\tt0,0(t0)');
    expect(dis(0x010080e7)).toBe('jalr\t16(ra)');
    expect(dis(0x0000)).toBe('unimp');
    expect(dis(0xffffffff)).toBe('.4byte\t0xffffffff');
  });
  it('shows branch targets as addresses', () => {
    const d = disassembleWord(0xc101, 0x80000020); // c.beqz a0, .
    expect(d).toMatchObject({ length: 2, mnemonic: 'beqz', operands: 'a0,80000020', target: 0x80000020 });
    expect(disassembleWord(0xc101, 0x80000020, { noAliases: true, symbolize: () => 'f+0x4' }).text).toBe('c.beqz\ta0,80000020 <f+0x4>');
  });
  it('lists a range with symbol headers and <sym+off> targets like objdump', () => {
    const prog = assemble('.globl _start\n_start: li a0, 1\n1: addi a0, a0, -1\n bnez a0, 1b\n j done\ndone: ret');
    const text = findSection(prog, '.text')!;
    expect(disassembleRange(text.data, text.addr, prog.symbols)).toBe(
      [
        '0000000080000000 <_start>:',
        '    80000000:\t4505              \tli\ta0,1',
        '    80000002:\t157d              \taddi\ta0,a0,-1',
        '    80000004:\tfd7d              \tbnez\ta0,80000002 <_start+0x2>',
        '    80000006:\ta009              \tj\t80000008 <done>',
        '',
        '0000000080000008 <done>:',
        '    80000008:\t8082              \tret',
        '',
      ].join('\n'),
    );
  });
});
