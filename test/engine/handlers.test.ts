// Run-loop handler forms: specialised cases (li, mv, c.mv, beqz/bnez), both lengths, pc-relative links, exact budgets around M ops.
import { describe, expect, it } from 'vitest';
import { check, outcome, resetCases, runSource } from './harness.js';

/** The same checks as 32-bit instructions (.option norvc) and as compressed ones where a form exists. */
function bothLengths(cases: string): string {
  return `  .option push\n  .option norvc\n${cases}\n  .option pop\n${cases}`;
}

describe('run-loop handlers', () => {
  it('li, mv and c.mv forms, including x0 as destination', () => {
    resetCases();
    const body = bothLengths(
      [
        check('  li x5, 0x55\n  addi x14, x0, -7', 'x14', -7),
        check('  li x5, 0x55\n  addi x0, x0, 5\n  add x14, x0, x0', 'x14', 0),
        check('  li x5, 0x1234\n  addi x14, x5, 0', 'x14', 0x1234),
        check('  li x5, 0x99\n  mv x14, x5\n  mv x0, x5\n  add x14, x14, x0', 'x14', 0x99),
        check('  li x5, 0x77\n  add x14, x0, x5', 'x14', 0x77),
        check('  li x8, 3\n  addi x8, x8, 0\n  mv x14, x8', 'x14', 3),
      ].join('\n'),
    );
    expect(outcome(body)).toBe('pass');
  });

  it('branches against zero and jumps without a link, both lengths', () => {
    resetCases();
    const body = bothLengths(
      [
        check('  li x8, 0\n  li x14, 0\n  beqz x8, 1f\n  li x14, 9\n1: bnez x8, 2f\n  addi x14, x14, 4\n2:', 'x14', 4),
        check('  li x8, -1\n  li x14, 0\n  bnez x8, 1f\n  li x14, 9\n1: beqz x8, 2f\n  addi x14, x14, 8\n2:', 'x14', 8),
        check('  li x14, 1\n  beq x0, x0, 1f\n  li x14, 9\n1:', 'x14', 1),
        check('  li x9, 5\n  li x14, 0\n1: addi x14, x14, 2\n  addi x9, x9, -1\n  bnez x9, 1b', 'x14', 10),
        check('  li x14, 1\n  j 1f\n  li x14, 9\n1:', 'x14', 1),
        check('  li x14, 2\n  la x6, 1f\n  jr x6\n  li x14, 9\n1:', 'x14', 2),
        check('  li x14, 3\n  la x6, 1f\n  addi x6, x6, 1\n  jalr x0, 0(x6)\n  li x14, 9\n1:', 'x14', 3),
      ].join('\n'),
    );
    expect(outcome(body)).toBe('pass');
  });

  it('auipc results and jal/jalr links are pc-relative for both lengths', () => {
    resetCases();
    const body = [
      check('  .option push\n  .option norvc\n1: auipc x14, 0\n  la x7, 1b\n  sub x14, x14, x7\n  .option pop', 'x14', 0),
      check('  .option push\n  .option norvc\n1: auipc x14, 1\n  la x7, 1b\n  sub x14, x14, x7\n  .option pop', 'x14', 0x1000),
      check('  .option push\n  .option norvc\n1: jal x14, 2f\n2: la x7, 1b\n  sub x14, x14, x7\n  .option pop', 'x14', 4),
      check('  la x6, 2f\n1: c.jalr x6\n2: la x7, 1b\n  sub x14, ra, x7', 'x14', 2),
      check('  .option push\n  .option norvc\n  la x6, 2f\n1: jalr x14, 0(x6)\n2: la x7, 1b\n  sub x14, x14, x7\n  .option pop', 'x14', 4),
    ].join('\n');
    expect(outcome(body)).toBe('pass');
  });

  it('stops after exactly the budget in loops of high multiplies and divisions', () => {
    const src = `
_start:
  li a0, 0
  li a1, 1234
1: mulhu t0, a1, a1
  addi a0, a0, 1
  divu t1, a1, a0
  addi a0, a0, 1
  mulh t2, a1, a1
  remw t3, a1, a0
  addi a0, a0, 1
  j 1b
`;
    // 2 setup instructions, then 8 per iteration with a0 += 3: after 2 + 8k + 3 instructions a0 = 3k + 1
    for (const k of [0, 1, 7, 1000]) {
      const { machine, result } = runSource(src, { maxInsns: 2 + 8 * k + 3 });
      expect(result.reason).toBe('budget');
      expect(result.instructions).toBe(2 + 8 * k + 3);
      expect(machine.hart(0).x('a0')).toBe(BigInt(3 * k + 1));
      expect(machine.hart(0).x('t1')).toBe(1234n / BigInt(3 * k + 1));
    }
  });
});
