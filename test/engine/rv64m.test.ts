// RV64M self-checking guest tests: multiplies (high parts, signedness), division/remainder by zero and overflow, W forms.
import { describe, expect, it } from 'vitest';
import { outcome, resetCases, rr } from './harness.js';

const MIN = '0x8000000000000000';
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

describe('RV64M', () => {
  it('multiplies', () => {
    resetCases();
    const body = [
      rr('mul', 7, -3, -21),
      rr('mul', '0x100000000', '0x100000000', 0),
      rr('mulh', -1, -1, 0),
      rr('mulh', MIN, MIN, '0x4000000000000000'),
      rr('mulh', MIN, -1, 0),
      rr('mulh', '0x7fffffffffffffff', 2, 0),
      rr('mulhu', -1, -1, s64(0xfffffffffffffffen)),
      rr('mulhu', '0x100000000', '0x100000000', 1),
      rr('mulhsu', -1, -1, -1),
      rr('mulhsu', 2, -1, 1),
      rr('mulhsu', MIN, 2, -1),
      rr('mulw', '0x7fffffff', 2, -2),
      rr('mulw', '0x100000003', 5, 15),
    ].join('\n');
    expect(outcome(body)).toBe('pass');
  });

  it('divides, including by zero and overflow', () => {
    resetCases();
    const body = [
      rr('div', 20, -6, -3),
      rr('div', -20, 6, -3),
      rr('div', 1, 0, -1),
      rr('div', MIN, -1, s64(0x8000000000000000n)),
      rr('divu', 20, 6, 3),
      rr('divu', -1, 0, -1),
      rr('divu', MIN, -1, 0),
      rr('rem', 20, -6, 2),
      rr('rem', -20, 6, -2),
      rr('rem', 5, 0, 5),
      rr('rem', MIN, -1, 0),
      rr('remu', 20, 6, 2),
      rr('remu', 5, 0, 5),
      rr('remu', -1, 10, 5),
      rr('divw', -20, 6, -3),
      rr('divw', '0x80000000', -1, s64(0xffffffff80000000n)),
      rr('divw', 7, 0, -1),
      rr('divw', '0x1fffffff6', 2, -5), // upper bits ignored
      rr('divuw', '0xffffffff', 2, '0x7fffffff'),
      rr('divuw', 7, 0, -1),
      rr('divuw', '0x80000000', 1, s64(0xffffffff80000000n)),
      rr('remw', -20, 6, -2),
      rr('remw', '0x80000000', -1, 0),
      rr('remw', '0x180000005', 0, s64(0xffffffff80000005n)),
      rr('remw', '0xffffffff', 0, -1),
      rr('remuw', '0xffffffff', 10, 5),
      rr('remuw', '0x80000000', 0, s64(0xffffffff80000000n)),
    ].join('\n');
    expect(outcome(body)).toBe('pass');
  });
});
