// RV64I self-checking guest tests: every base opcode, W-ops, shifts by 31/63, x0, branches both ways, loads/stores.
import { describe, expect, it } from 'vitest';
import { br, check, outcome, resetCases, ri, rr } from './harness.js';

const M64 = (v: bigint): bigint => BigInt.asIntN(64, v);

describe('RV64I', () => {
  it('register-register ALU ops', () => {
    resetCases();
    const body = [
      rr('add', 1, 2, 3),
      rr('add', '0x7fffffffffffffff', 1, M64(0x8000000000000000n)),
      rr('sub', 0, 1, -1),
      rr('sub', -5, -7, 2),
      rr('xor', 0xf0f0, 0xff00, 0x0ff0),
      rr('or', 0xf0f0, 0x0f0f, 0xffff),
      rr('and', 0xf0f0, 0xff00, 0xf000),
      rr('slt', -1, 0, 1),
      rr('slt', 0, -1, 0),
      rr('sltu', -1, 0, 0),
      rr('sltu', 0, -1, 1),
      rr('sll', 1, 63, M64(1n << 63n)),
      rr('sll', 1, 64, 1), // only the low 6 bits of rs2 count
      rr('srl', -1, 63, 1),
      rr('srl', M64(0x8000000000000000n), 1, '0x4000000000000000'),
      rr('sra', M64(0x8000000000000000n), 63, -1),
      rr('sra', -16, 2, -4),
      rr('addw', '0x7fffffff', 1, M64(0xffffffff80000000n)),
      rr('addw', '0x1ffffffff', 1, 0),
      rr('subw', 0, 1, -1),
      rr('subw', M64(0xffffffff80000000n), 1, '0x7fffffff'),
      rr('sllw', 1, 31, M64(0xffffffff80000000n)),
      rr('sllw', 1, 32, 1),
      rr('srlw', -1, 31, 1),
      rr('srlw', M64(0xffffffff80000000n), 0, M64(0xffffffff80000000n)),
      rr('sraw', '0x80000000', 31, -1),
      rr('sraw', '0x7fffffff', 30, 1),
    ].join('\n');
    expect(outcome(body)).toBe('pass');
  });

  it('register-immediate ALU ops and upper immediates', () => {
    resetCases();
    const body = [
      ri('addi', 5, -6, -1),
      ri('addi', 0, 2047, 2047),
      ri('addi', 0, -2048, -2048),
      ri('slti', -1, 0, 1),
      ri('slti', 1, -1, 0),
      ri('sltiu', 0, -1, 1), // immediate is sign-extended then compared unsigned
      ri('sltiu', -1, -1, 0),
      ri('xori', 0xff, -1, -256),
      ri('ori', 0x100, 0x0ff, 0x1ff),
      ri('andi', -1, 0x7ff, 0x7ff),
      ri('slli', 1, 63, M64(1n << 63n)),
      ri('srli', -1, 63, 1),
      ri('srai', M64(0x8000000000000000n), 63, -1),
      ri('addiw', '0x7fffffff', 1, M64(0xffffffff80000000n)),
      ri('addiw', '0x100000000', -1, -1),
      ri('slliw', 1, 31, M64(0xffffffff80000000n)),
      ri('srliw', -1, 31, 1),
      ri('sraiw', '0x80000000', 31, -1),
      check('  lui x14, 0x80000', 'x14', M64(0xffffffff80000000n)),
      check('  lui x14, 0x7ffff', 'x14', 0x7ffff000),
      check('1: auipc x14, 0\n  la x15, 1b\n  sub x14, x14, x15', 'x14', 0),
      check('1: auipc x14, 1\n  la x15, 1b\n  sub x14, x14, x15', 'x14', 4096),
    ].join('\n');
    expect(outcome(body)).toBe('pass');
  });

  it('x0 reads zero even after writes', () => {
    resetCases();
    const body = [
      check('  li x1, 5\n  add x0, x1, x1\n  mv x14, x0', 'x14', 0),
      check('  addi x0, x0, 7\n  add x14, x0, x0', 'x14', 0),
      check('  lui x0, 0x12345\n  mv x14, x0', 'x14', 0),
      check('  la x1, scratch\n  li x2, 99\n  sd x2, 0(x1)\n  ld x0, 0(x1)\n  mv x14, x0', 'x14', 0),
      check('  jal x0, 1f\n1: mv x14, x0', 'x14', 0),
    ].join('\n');
    expect(outcome(body)).toBe('pass');
  });

  it('branches in every direction, jal/jalr links', () => {
    resetCases();
    const body = [
      br('beq', 1, 1, true), br('beq', 1, 2, false),
      br('bne', 1, 2, true), br('bne', 3, 3, false),
      br('blt', -1, 0, true), br('blt', 0, -1, false), br('blt', 5, 5, false),
      br('bge', 0, -1, true), br('bge', 5, 5, true), br('bge', -1, 0, false),
      br('bltu', 0, -1, true), br('bltu', -1, 0, false),
      br('bgeu', -1, 0, true), br('bgeu', 0, -1, false), br('bgeu', 7, 7, true),
      // backward branch loop
      check('  li x14, 0\n  li x1, 10\n1: addi x14, x14, 2\n  addi x1, x1, -1\n  bnez x1, 1b', 'x14', 20),
      // jal link = pc + 4 (32-bit jal)
      check('  .option push\n  .option norvc\n  jal x5, 1f\n2: nop\n1: la x6, 2b\n  sub x14, x5, x6\n  .option pop', 'x14', 0),
      // jalr with rd == rs1, odd target bit cleared
      check('  la x5, 1f\n  addi x5, x5, 1\n  jalr x5, 0(x5)\n  j fail\n1: li x14, 3', 'x14', 3),
      // jalr link
      check('  la x6, 1f\n  .option push\n  .option norvc\n  jalr x1, 0(x6)\n3: j fail\n  .option pop\n1: la x7, 3b\n  sub x14, x1, x7', 'x14', 0),
    ].join('\n');
    expect(outcome(body)).toBe('pass');
  });

  it('loads and stores of every width with sign/zero extension', () => {
    resetCases();
    const setup = '  la x10, scratch\n  li x1, 0x8182838485868788\n  sd x1, 0(x10)';
    const body = [
      check(`${setup}\n  lb x14, 0(x10)`, 'x14', -120),
      check(`${setup}\n  lbu x14, 0(x10)`, 'x14', 0x88),
      check(`${setup}\n  lh x14, 2(x10)`, 'x14', M64(0xffffffffffff8586n)),
      check(`${setup}\n  lhu x14, 2(x10)`, 'x14', 0x8586),
      check(`${setup}\n  lw x14, 4(x10)`, 'x14', M64(0xffffffff81828384n)),
      check(`${setup}\n  lwu x14, 4(x10)`, 'x14', '0x81828384'),
      check(`${setup}\n  ld x14, 0(x10)`, 'x14', M64(0x8182838485868788n)),
      check(`${setup}\n  li x2, 0x11\n  sb x2, 7(x10)\n  ld x14, 0(x10)`, 'x14', '0x1182838485868788'),
      check(`${setup}\n  li x2, 0x2233\n  sh x2, 0(x10)\n  ld x14, 0(x10)`, 'x14', M64(0x8182838485862233n)),
      check(`${setup}\n  li x2, 0x44556677\n  sw x2, 4(x10)\n  ld x14, 0(x10)`, 'x14', '0x4455667785868788'),
      check(`${setup}\n  addi x11, x10, 16\n  ld x14, -16(x11)`, 'x14', M64(0x8182838485868788n)),
      // misaligned accesses complete
      check(`${setup}\n  lw x14, 1(x10)`, 'x14', M64(0xffffffff84858687n)),
      check(`${setup}\n  sd x0, 8(x10)\n  ld x14, 1(x10)`, 'x14', '0x0081828384858687'),
      check(`${setup}\n  li x2, 0x1122334455667788\n  sd x2, 3(x10)\n  ld x14, 3(x10)`, 'x14', '0x1122334455667788'),
      check(`${setup}\n  li x2, -1\n  sh x2, 5(x10)\n  lhu x14, 5(x10)`, 'x14', 0xffff),
    ].join('\n');
    expect(outcome(body)).toBe('pass');
  });

  it('fence is accepted', () => {
    resetCases();
    expect(outcome(check('  fence\n  fence rw, rw\n  li x14, 1', 'x14', 1))).toBe('pass');
  });
});
