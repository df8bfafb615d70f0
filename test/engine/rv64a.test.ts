// RV64A self-checking guest tests: LR/SC success and failure rules, every AMO in .w and .d, misaligned AMO traps.
import { describe, expect, it } from 'vitest';
import { check, outcome, resetCases } from './harness.js';

/** amo on a word initialised to init with operand src: expects the old value in x14 and the memory result. */
function amo(op: string, width: 'w' | 'd', init: string | number, src: string | number, old: string | number, mem: string | number): string {
  const ld = width === 'w' ? 'lw' : 'ld';
  const st = width === 'w' ? 'sw' : 'sd';
  return [
    check(`  la x10, scratch\n  li x1, ${init}\n  ${st} x1, 0(x10)\n  li x2, ${src}\n  ${op}.${width} x14, x2, (x10)`, 'x14', old),
    check(`  ${ld} x14, 0(x10)`, 'x14', mem),
  ].join('\n');
}

describe('RV64A', () => {
  it('every AMO, word and doubleword', () => {
    resetCases();
    const body = [
      amo('amoswap', 'w', 5, 9, 5, 9),
      amo('amoadd', 'w', '0x7fffffff', 1, '0x7fffffff', -0x80000000),
      amo('amoxor', 'w', 0xff, 0x0f, 0xff, 0xf0),
      amo('amoand', 'w', 0xff, 0x0f, 0xff, 0x0f),
      amo('amoor', 'w', 0xf0, 0x0f, 0xf0, 0xff),
      amo('amomin', 'w', -5, 3, -5, -5),
      amo('amomax', 'w', -5, 3, -5, 3),
      amo('amominu', 'w', -5, 3, -5, 3),
      amo('amomaxu', 'w', -5, 3, -5, -5),
      amo('amoswap', 'd', '0x123456789', 9, '0x123456789', 9),
      amo('amoadd', 'd', -1, 1, -1, 0),
      amo('amoxor', 'd', -1, '0xffffffff', -1, '0xffffffff00000000'),
      amo('amoand', 'd', -1, '0x100000000', -1, '0x100000000'),
      amo('amoor', 'd', '0x100000000', 1, '0x100000000', '0x100000001'),
      amo('amomin', 'd', -5, 3, -5, -5),
      amo('amomax', 'd', -5, 3, -5, 3),
      amo('amominu', 'd', -5, 3, -5, 3),
      amo('amomaxu', 'd', -5, 3, -5, -5),
      // .w result is sign-extended from the old 32-bit value
      check('  la x10, scratch\n  li x1, 0x80000000\n  sw x1, 0(x10)\n  amoadd.w x14, x0, (x10)', 'x14', -0x80000000),
      // rd = x0 still performs the operation
      check('  la x10, scratch\n  sw x0, 0(x10)\n  li x2, 4\n  amoadd.w x0, x2, (x10)\n  lw x14, 0(x10)', 'x14', 4),
    ].join('\n');
    expect(outcome(body)).toBe('pass');
  });

  it('LR/SC', () => {
    resetCases();
    const body = [
      // sc without a reservation fails and does not store
      check('  la x10, scratch\n  li x1, 7\n  sw x1, 0(x10)\n  li x2, 9\n  sc.w x14, x2, (x10)', 'x14', 1),
      check('  lw x14, 0(x10)', 'x14', 7),
      // lr then sc succeeds and stores
      check('  lr.w x3, (x10)\n  addi x3, x3, 1\n  sc.w x14, x3, (x10)', 'x14', 0),
      check('  lw x14, 0(x10)', 'x14', 8),
      // a second sc (reservation consumed) fails
      check('  li x3, 100\n  sc.w x14, x3, (x10)', 'x14', 1),
      check('  lw x14, 0(x10)', 'x14', 8),
      // lr.d / sc.d and an increment loop
      check('  sd x0, 8(x10)\n  li x5, 50\n1: lr.d x3, (x11)\n  addi x3, x3, 2\n  sc.d x4, x3, (x11)\n  bnez x4, 1b\n  addi x5, x5, -1\n  bnez x5, 1b\n  ld x14, 0(x11)'.replace(/x11/g, 'x12').replace('  sd x0, 8(x10)', '  addi x12, x10, 8\n  sd x0, 0(x12)'), 'x14', 100),
      // sc to a different address than the reservation fails
      check('  lr.d x3, (x10)\n  addi x13, x10, 16\n  sc.d x14, x3, (x13)', 'x14', 1),
      // lr.w sign-extends
      check('  li x1, -2\n  sw x1, 0(x10)\n  lr.w x14, (x10)', 'x14', -2),
    ].join('\n');
    expect(outcome(body)).toBe('pass');
  });

  it('misaligned AMO and LR raise address-misaligned with mtval', () => {
    resetCases();
    const handler = `
  .align 2
handler:
  csrr x20, mcause
  csrr x21, mtval
  csrr x22, mepc
  addi x22, x22, 4
  csrw mepc, x22
  mret`;
    const setup = '  la t0, handler\n  csrw mtvec, t0\n  la x10, scratch\n  addi x11, x10, 2\n  li x20, -1';
    const body = [
      check(`${setup}\n  .option push\n  .option norvc\n  amoadd.w x14, x0, (x11)\n  .option pop\n  mv x14, x20`, 'x14', 6),
      check('  sub x14, x21, x11', 'x14', 0),
      check('  li x20, -1\n  .option push\n  .option norvc\n  lr.d x14, (x11)\n  .option pop\n  mv x14, x20', 'x14', 4),
      check('  li x20, -1\n  .option push\n  .option norvc\n  sc.w x14, x0, (x11)\n  .option pop\n  mv x14, x20', 'x14', 6),
    ].join('\n');
    expect(outcome(body, handler)).toBe('pass');
  });
});

describe('LR/SC reservation and the hart\'s own stores', () => {
  it('a store by the same hart to another address between LR and SC makes the SC fail; without it the SC succeeds', () => {
    expect(
      outcome(`
  la s0, scratch
  li gp, 2
  lr.d t0, (s0)
  sd zero, 64(s0)        # own store elsewhere: drops the reservation
  li t1, 7
  sc.d t2, t1, (s0)
  li t3, 1
  bne t2, t3, fail       # must fail (rd = 1)
  ld t4, 0(s0)
  beq t4, t1, fail       # and must not store
  li gp, 3
  lr.d t0, (s0)
  addi t5, t0, 1         # no store in between: a constrained loop must succeed
  sc.d t2, t5, (s0)
  bnez t2, fail
  ld t4, 0(s0)
  bne t4, t5, fail
  li gp, 4
  sd zero, 8(s0)         # stores take the fast path again after the SC
  lr.w t0, (s0)
  sw zero, 16(s0)
  sc.w t2, t1, (s0)
  beqz t2, fail
`),
    ).toBe('pass');
  });
});
