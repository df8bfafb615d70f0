// RV64C self-checking guest tests: every compressed instruction the assembler emits, checked against its 32-bit meaning.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { check, outcome, resetCases, testProgram } from './harness.js';

describe('RV64C', () => {
  it('compressed ALU, loads/stores, jumps and branches', () => {
    resetCases();
    const body = [
      check('  li x8, 0\n  c.li x8, -32\n  mv x14, x8', 'x14', -32),
      check('  li x14, 5\n  c.addi x14, -6', 'x14', -1),
      check('  li x14, 0x7fffffff\n  c.addiw x14, 1', 'x14', -0x80000000),
      check('  c.lui x14, 0xfffe1\n  ', 'x14', -0x1f000),
      check('  mv x9, sp\n  c.addi16sp sp, -64\n  sub x14, x9, sp\n  c.addi16sp sp, 64', 'x14', 64),
      check('  c.addi4spn x8, sp, 16\n  sub x14, x8, sp', 'x14', 16),
      check('  li x14, 3\n  c.slli x14, 62', 'x14', '0xc000000000000000'),
      check('  li x8, -1\n  c.srli x8, 60\n  mv x14, x8', 'x14', 15),
      check('  li x8, -64\n  c.srai x8, 3\n  mv x14, x8', 'x14', -8),
      check('  li x8, 0xff\n  c.andi x8, -16\n  mv x14, x8', 'x14', 0xf0),
      check('  li x8, 9\n  li x9, 4\n  c.sub x8, x9\n  mv x14, x8', 'x14', 5),
      check('  li x8, 0xf0\n  li x9, 0xff\n  c.xor x8, x9\n  mv x14, x8', 'x14', 0x0f),
      check('  li x8, 0xf0\n  li x9, 0x0f\n  c.or x8, x9\n  mv x14, x8', 'x14', 0xff),
      check('  li x8, 0xf0\n  li x9, 0x3c\n  c.and x8, x9\n  mv x14, x8', 'x14', 0x30),
      check('  li x8, 0x7fffffff\n  li x9, 1\n  c.addw x8, x9\n  mv x14, x8', 'x14', -0x80000000),
      check('  li x8, 0\n  li x9, 1\n  c.subw x8, x9\n  mv x14, x8', 'x14', -1),
      check('  li x5, 77\n  c.mv x14, x5', 'x14', 77),
      check('  li x14, 10\n  li x5, 7\n  c.add x14, x5', 'x14', 17),
      check('  la x8, scratch\n  li x9, -3\n  c.sw x9, 4(x8)\n  c.lw x10, 4(x8)\n  mv x14, x10', 'x14', -3),
      check('  la x8, scratch\n  li x9, 0x123456789\n  c.sd x9, 8(x8)\n  c.ld x10, 8(x8)\n  mv x14, x10', 'x14', '0x123456789'),
      check('  li x9, -5\n  c.swsp x9, 12(sp)\n  c.lwsp x14, 12(sp)', 'x14', -5),
      check('  li x9, 0x1122334455\n  c.sdsp x9, 24(sp)\n  c.ldsp x14, 24(sp)', 'x14', '0x1122334455'),
      check('  li x14, 0\n  c.j 1f\n  li x14, 9\n1: addi x14, x14, 1', 'x14', 1),
      check('  la x5, 1f\n  li x14, 0\n  c.jr x5\n  li x14, 9\n1: addi x14, x14, 2', 'x14', 2),
      check('  la x5, 1f\n  c.jalr x5\n2: j 3f\n1: la x6, 2b\n  sub x14, ra, x6\n  c.jr ra\n3:', 'x14', 0),
      check('  li x8, 0\n  li x14, 0\n  c.beqz x8, 1f\n  li x14, 9\n1: c.bnez x8, 2f\n  addi x14, x14, 4\n2:', 'x14', 4),
      check('  li x8, 1\n  li x14, 0\n  c.bnez x8, 1f\n  li x14, 9\n1: c.beqz x8, 2f\n  addi x14, x14, 8\n2:', 'x14', 8),
      check('  c.nop\n  li x14, 1', 'x14', 1),
    ].join('\n');
    expect(outcome(body)).toBe('pass');
  });

  it('a 32-bit instruction straddling a page boundary decodes from both pages', () => {
    resetCases();
    const extra = `
  .p2align 12
  .fill 4092, 1, 0
straddle_start:
  c.nop                   # page offset 0xffc
straddle_insn:
  .option push
  .option norvc
  addi x14, x14, 0x123    # 4 bytes at page offset 0xffe: one half in each page
  .option pop
  ret`;
    const body = check('  li x14, 0\n  call straddle_start', 'x14', 0x123);
    const prog = assemble(testProgram(body, extra));
    expect((prog.symbols.find((s) => s.name === 'straddle_insn')!.value & 0xfff).toString(16)).toBe('ffe');
    expect(outcome(body, extra)).toBe('pass');
  });

  it('the illegal all-zero halfword and reserved encodings trap with mtval = the bits', () => {
    resetCases();
    const handler = `
  .align 2
handler:
  csrr x20, mcause
  csrr x21, mtval
  csrr x22, mepc
  addi x22, x22, 2
  csrw mepc, x22
  mret`;
    const body = [
      check('  la t0, handler\n  csrw mtvec, t0\n  li x20, -1\n  .half 0\n  mv x14, x20', 'x14', 2),
      check('  mv x14, x21', 'x14', 0),
      check('  li x20, -1\n  .half 0x6001\n  mv x14, x21', 'x14', 0x6001), // c.lui x0? no: c.lui with rd=0, imm=0 is reserved
      check('  mv x14, x20', 'x14', 2),
    ].join('\n');
    expect(outcome(body, handler)).toBe('pass');
  });
});
