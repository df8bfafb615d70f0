// F/D self-checking guest tests: rounding modes, exception flags, NaN rules, conversions, fcsr, mstatus.FS, NaN-boxing.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/index.js';
import { outcome, resetCases } from './harness.js';

const s64 = (v: bigint): string => BigInt.asIntN(64, v).toString();
const FS_ON = '  li t0, 0x6000\n  csrs mstatus, t0';
let n = 100;

const D = (f: string, bits: bigint): string => `  li t0, ${s64(bits)}\n  fmv.d.x ${f}, t0`;
const S = (f: string, bits: number): string => `  li t0, ${bits}\n  fmv.w.x ${f}, t0`;

/** Runs setup + op (result in x14 or f3), checks x14 (an f3 result is read raw with fmv.x.d) and fflags. */
function fcase(setup: string[], op: string, expect: bigint, flags: number, fresult = true): string {
  return `
  li gp, ${++n}
  fsflags zero
${setup.join('\n')}
  ${op}
  ${fresult ? 'fmv.x.d x14, f3' : ''}
  li x7, ${s64(expect)}
  bne x14, x7, fail
  frflags x14
  li x7, ${flags}
  bne x14, x7, fail`;
}

/** Expects code to raise an illegal-instruction exception. */
function illegal(code: string): string {
  return `
  li gp, ${++n}
  la t0, 1f
  csrw mtvec, t0
  li x14, 0
${code}
  j 2f
  .align 2
1: csrr x14, mcause
  la t0, unexpected_trap
  csrw mtvec, t0
2: li x7, 2
  bne x14, x7, fail`;
}

const run = (body: string): string => outcome(`  .option arch, +f, +d\n${FS_ON}\n${body}`);

const ONE = 0x3ff0000000000000n;
const TWO = 0x4000000000000000n;
const THREE = 0x4008000000000000n;
const ZERO = 0n;
const NZERO = 0x8000000000000000n;
const INF = 0x7ff0000000000000n;
const QNAN = 0x7ff8000000000000n;
const SNAN = 0x7ff0000000000001n;
const DMAX = 0x7fefffffffffffffn;
const BOX = 0xffffffff00000000n;
const NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;

describe('F and D extensions', () => {
  it('rounds double arithmetic in every mode and raises NX', () => {
    resetCases();
    const body = [
      fcase([D('f1', ONE), D('f2', TWO)], 'fadd.d f3, f1, f2', THREE, 0),
      fcase([D('f1', ONE), D('f2', THREE)], 'fdiv.d f3, f1, f2', 0x3fd5555555555555n, NX),
      fcase([D('f1', ONE), D('f2', THREE)], 'fdiv.d f3, f1, f2, rup', 0x3fd5555555555556n, NX),
      fcase([D('f1', ONE), D('f2', THREE)], 'fdiv.d f3, f1, f2, rtz', 0x3fd5555555555555n, NX),
      fcase([D('f1', ONE | NZERO), D('f2', THREE)], 'fdiv.d f3, f1, f2, rdn', 0xbfd5555555555556n, NX),
      fcase([D('f1', TWO)], 'fsqrt.d f3, f1', 0x3ff6a09e667f3bcdn, NX),
      fcase([D('f1', 0x4010000000000000n)], 'fsqrt.d f3, f1', TWO, 0),
      // 1 + 2^-53 is a tie: RNE keeps 1, RMM and RUP go up
      fcase([D('f1', ONE), D('f2', 0x3ca0000000000000n)], 'fadd.d f3, f1, f2', ONE, NX),
      fcase([D('f1', ONE), D('f2', 0x3ca0000000000000n)], 'fadd.d f3, f1, f2, rmm', ONE + 1n, NX),
      fcase([D('f1', ONE), D('f2', 0x3ca0000000000000n)], 'fadd.d f3, f1, f2, rup', ONE + 1n, NX),
      // x - x is +0, except -0 when rounding down
      fcase([D('f1', THREE)], 'fsub.d f3, f1, f1', ZERO, 0),
      fcase([D('f1', THREE)], 'fsub.d f3, f1, f1, rdn', NZERO, 0),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('raises NV, DZ, OF and UF with IEEE results', () => {
    resetCases();
    const body = [
      fcase([D('f1', ZERO)], 'fdiv.d f3, f1, f1', QNAN, NV),
      fcase([D('f1', INF), D('f2', INF | NZERO)], 'fadd.d f3, f1, f2', QNAN, NV),
      fcase([D('f1', ONE | NZERO)], 'fsqrt.d f3, f1', QNAN, NV),
      fcase([D('f1', NZERO)], 'fsqrt.d f3, f1', NZERO, 0),
      fcase([D('f1', ONE), D('f2', ZERO)], 'fdiv.d f3, f1, f2', INF, DZ),
      fcase([D('f1', DMAX), D('f2', TWO)], 'fmul.d f3, f1, f2', INF, OF | NX),
      fcase([D('f1', DMAX), D('f2', TWO)], 'fmul.d f3, f1, f2, rtz', DMAX, OF | NX),
      // min normal / 2 is an exact subnormal: no UF
      fcase([D('f1', 0x0010000000000000n), D('f2', TWO)], 'fdiv.d f3, f1, f2', 0x0008000000000000n, 0),
      // min subnormal / 2: tiny and inexact -> 0 (tie to even) with UF, or back up under RUP
      fcase([D('f1', 1n), D('f2', TWO)], 'fdiv.d f3, f1, f2', ZERO, UF | NX),
      fcase([D('f1', 1n), D('f2', TWO)], 'fdiv.d f3, f1, f2, rup', 1n, UF | NX),
      // quiet NaN input: canonical NaN, no flag; signalling NaN: NV
      fcase([D('f1', 0x7ff8000000000123n), D('f2', ONE)], 'fmul.d f3, f1, f2', QNAN, 0),
      fcase([D('f1', SNAN), D('f2', ONE)], 'fmul.d f3, f1, f2', QNAN, NV),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('fuses multiply-add with one rounding; inf*0 is invalid even with a quiet NaN addend', () => {
    resetCases();
    const body = [
      // (1+2^-52)(1-2^-52) - 1 = -2^-104 exactly
      fcase([D('f1', ONE + 1n), D('f2', 0x3feffffffffffffen), D('f4', ONE)], 'fmsub.d f3, f1, f2, f4', 0xb970000000000000n, 0),
      fcase([D('f1', TWO), D('f2', THREE), D('f4', ONE)], 'fnmadd.d f3, f1, f2, f4', 0xc01c000000000000n, 0), // -(6)-1
      fcase([D('f1', TWO), D('f2', THREE), D('f4', ONE)], 'fnmsub.d f3, f1, f2, f4', 0xc014000000000000n, 0), // -(6)+1
      fcase([D('f1', INF), D('f2', ZERO), D('f4', QNAN)], 'fmadd.d f3, f1, f2, f4', QNAN, NV),
      fcase([S('f1', 0x40000000), S('f2', 0x40400000), S('f4', 0x3f800000)], 'fmadd.s f3, f1, f2, f4', BOX | 0x40e00000n, 0),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('fmin/fmax follow minimumNumber/maximumNumber; feq is quiet, flt/fle signal', () => {
    resetCases();
    const body = [
      fcase([D('f1', NZERO), D('f2', ZERO)], 'fmin.d f3, f1, f2', NZERO, 0),
      fcase([D('f1', ZERO), D('f2', NZERO)], 'fmax.d f3, f1, f2', ZERO, 0),
      fcase([D('f1', QNAN), D('f2', ONE)], 'fmin.d f3, f1, f2', ONE, 0),
      fcase([D('f1', SNAN), D('f2', ONE)], 'fmax.d f3, f1, f2', ONE, NV),
      fcase([D('f1', SNAN), D('f2', QNAN)], 'fmax.d f3, f1, f2', QNAN, NV),
      fcase([D('f1', QNAN), D('f2', ONE)], 'feq.d x14, f1, f2', 0n, 0, false),
      fcase([D('f1', SNAN), D('f2', ONE)], 'feq.d x14, f1, f2', 0n, NV, false),
      fcase([D('f1', QNAN), D('f2', ONE)], 'flt.d x14, f1, f2', 0n, NV, false),
      fcase([D('f1', NZERO), D('f2', ZERO)], 'fle.d x14, f1, f2', 1n, 0, false),
      fcase([D('f1', NZERO), D('f2', ZERO)], 'flt.d x14, f1, f2', 0n, 0, false),
      fcase([D('f1', NZERO), D('f2', ZERO)], 'feq.d x14, f1, f2', 1n, 0, false),
      fcase([D('f1', INF | NZERO)], 'fclass.d x14, f1', 1n, 0, false),
      fcase([D('f1', 1n)], 'fclass.d x14, f1', 0x20n, 0, false),
      fcase([D('f1', SNAN)], 'fclass.d x14, f1', 0x100n, 0, false),
      fcase([D('f1', THREE), D('f2', NZERO)], 'fsgnjx.d f3, f1, f2', THREE | NZERO, 0),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('converts between integers and floats with saturation and the right flags', () => {
    resetCases();
    const half = (v: bigint) => v; // readability
    const body = [
      fcase([D('f1', 0x4004000000000000n)], 'fcvt.w.d x14, f1, rne', 2n, NX, false), // 2.5
      fcase([D('f1', 0x4004000000000000n)], 'fcvt.w.d x14, f1, rmm', 3n, NX, false),
      fcase([D('f1', half(0xc004000000000000n))], 'fcvt.w.d x14, f1, rdn', -3n & 0xffffffffffffffffn, NX, false),
      fcase([D('f1', QNAN)], 'fcvt.w.d x14, f1', 0x7fffffffn, NV, false),
      fcase([D('f1', 0x4202a05f20000000n)], 'fcvt.w.d x14, f1', 0x7fffffffn, NV, false), // 1e10
      fcase([D('f1', ONE | NZERO)], 'fcvt.wu.d x14, f1', 0n, NV, false),
      fcase([D('f1', 0xbfd3333333333333n)], 'fcvt.wu.d x14, f1, rtz', 0n, NX, false), // -0.3
      fcase([D('f1', 0x41efffffffe00000n)], 'fcvt.wu.d x14, f1', 0xffffffffffffffffn, 0, false), // 2^32-1, sign-extended
      fcase([D('f1', 0x43e0000000000000n)], 'fcvt.l.d x14, f1', 0x7fffffffffffffffn, NV, false), // 2^63
      fcase([D('f1', INF | NZERO)], 'fcvt.l.d x14, f1', 0x8000000000000000n, NV, false),
      fcase([D('f1', 0x43e0000000000000n)], 'fcvt.lu.d x14, f1', 0x8000000000000000n, 0, false),
      fcase(['  li t1, 0x7fffffffffffffff'], 'fcvt.d.l f3, t1', 0x43e0000000000000n, NX),
      fcase(['  li t1, 0x7fffffffffffffff'], 'fcvt.d.l f3, t1, rtz', 0x43dfffffffffffffn, NX),
      fcase(['  li t1, -1'], 'fcvt.d.wu f3, t1', 0x41efffffffe00000n, 0),
      fcase(['  li t1, -1'], 'fcvt.s.w f3, t1', BOX | 0xbf800000n, 0),
      fcase(['  li t1, 0x1000001'], 'fcvt.s.l f3, t1', BOX | 0x4b800000n, NX),
      // double -> single: 1 + 2^-24 is a tie; a huge double overflows
      fcase([D('f1', 0x3ff0000010000000n)], 'fcvt.s.d f3, f1', BOX | 0x3f800000n, NX),
      fcase([D('f1', 0x3ff0000010000000n)], 'fcvt.s.d f3, f1, rup', BOX | 0x3f800001n, NX),
      fcase([D('f1', DMAX)], 'fcvt.s.d f3, f1', BOX | 0x7f800000n, OF | NX),
      fcase([S('f1', 0x7f800001)], 'fcvt.d.s f3, f1', QNAN, NV),
      fcase([S('f1', 0x00000001)], 'fcvt.d.s f3, f1', 0x36a0000000000000n, 0),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('NaN-boxes singles: results are boxed, unboxed inputs read as the canonical NaN', () => {
    resetCases();
    const body = [
      fcase([S('f1', 0x3f800000), S('f2', 0x40400000)], 'fdiv.s f3, f1, f2', BOX | 0x3eaaaaabn, NX),
      fcase([S('f1', 0x3f800000), S('f2', 0x40400000)], 'fdiv.s f3, f1, f2, rtz', BOX | 0x3eaaaaaan, NX),
      fcase([D('f1', 0x3f800000n)], 'fadd.s f3, f1, f1', BOX | 0x7fc00000n, 0),
      fcase([D('f1', 0x3f800000n)], 'fclass.s x14, f1', 0x200n, 0, false),
      fcase([D('f1', 0x3f800000n), S('f2', 0xbf800000)], 'fsgnj.s f3, f1, f2', BOX | 0xffc00000n, 0),
      fcase([D('f1', 0x12345678cafef00dn)], 'fmv.x.w x14, f1', 0xffffffffcafef00dn, 0, false),
      fcase(['  li t1, 0x123456789'], 'fmv.w.x f3, t1', BOX | 0x23456789n, 0),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('loads and stores f registers, including the compressed forms', () => {
    resetCases();
    const body = [
      fcase([D('f1', 0x0123456789abcdefn), '  la a4, scratch', '  fsw f1, 0(a4)', '  sw zero, 4(a4)'], 'flw f3, 0(a4)', BOX | 0x89abcdefn, 0),
      fcase([D('f1', 0x0123456789abcdefn), '  la a4, scratch', '  c.fsd f9, 8(a4)', '  fmv.d f9, f1', '  c.fsd f9, 16(a4)'], 'c.fld f11, 16(a4)\n  fmv.d f3, f11', 0x0123456789abcdefn, 0),
      fcase([D('f1', THREE), '  mv t2, sp', '  la sp, scratch', '  c.fsdsp f1, 24(sp)'], 'c.fldsp f3, 24(sp)\n  mv sp, t2', THREE, 0),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('fcsr, frm and fflags; DYN uses frm; reserved rounding modes are illegal', () => {
    resetCases();
    const faddRm5 = (0x01 << 25) | (3 << 20) | (2 << 15) | (5 << 12) | (1 << 7) | 0x53;
    const body = [
      fcase(['  li t1, 3', '  fsrm t1', D('f1', ONE), D('f2', THREE)], 'fdiv.d f3, f1, f2', 0x3fd5555555555556n, NX), // frm = RUP
      fcase(['  li t1, 0xff', '  fscsr t1'], 'frcsr x14', 0xffn, 0x1f, false),
      fcase(['  li t1, 0x1ff', '  fscsr t1', '  frrm t1', '  fsrm zero', '  frcsr t2', '  slli t1, t1, 8', '  or x14, t1, t2'], 'nop', 0x71fn, 0x1f, false),
      illegal('  li t1, 7\n  fsrm t1\n  fadd.d f1, f2, f3'),
      illegal('  li t1, 5\n  fsrm t1\n  fadd.d f1, f2, f3'),
      illegal(`  fsrm zero\n  .word ${faddRm5}`),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('mstatus.FS: Off makes FP instructions and fcsr illegal; writes make it Dirty and set SD', () => {
    resetCases();
    const off = '  li t0, 0x6000\n  csrc mstatus, t0';
    const body = [
      illegal(`${off}\n  fadd.d f1, f2, f3`),
      illegal(`${off}\n  fld f1, 0(sp)`),
      illegal(`${off}\n  frcsr t1`),
      illegal(`${off}\n  c.fldsp f1, 0(sp)`),
      // Initial (1): a comparison without flags leaves it; an f write makes it Dirty and sets SD in mstatus and sstatus
      `
  li gp, ${++n}
  li t0, 0x6000
  csrc mstatus, t0
  li t0, 0x2000
  csrs mstatus, t0
  fmv.x.d t1, f1
  csrr x14, mstatus
  srli x14, x14, 13
  andi x14, x14, 3
  li x7, 1
  bne x14, x7, fail
  fmv.d.x f1, zero
  csrr x14, mstatus
  srli x14, x14, 13
  andi x14, x14, 3
  li x7, 3
  bne x14, x7, fail
  csrr x14, sstatus
  srli x14, x14, 63
  li x7, 1
  bne x14, x7, fail
  csrr x14, misa
  andi x14, x14, 0x28
  li x7, 0x28
  bne x14, x7, fail`,
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('the host reads and writes f registers', () => {
    const prog = assemble(`
  .globl _start
_start:
  li t0, 0x6000
  csrs mstatus, t0
  fadd.d f2, f1, f1
  li t0, 1
  la t1, tohost
  sd t0, 0(t1)
1: j 1b
  .data
tohost: .dword 0
`, { march: 'rv64gc' });
    const m = Machine.create({ ram: 0x10000 });
    m.loadProgram(prog);
    const h = m.hart(0);
    h.setF('ft1', THREE);
    expect(m.run({ maxInsns: 100 }).reason).toBe('halted');
    expect(h.f(2)).toBe(0x4018000000000000n);
    expect(h.f('f1')).toBe(THREE);
    expect(() => h.f(32)).toThrow(expect.objectContaining({ code: 'MACHINE_BAD_REGISTER' }));
    expect(() => h.setF('x1', 0)).toThrow(expect.objectContaining({ code: 'MACHINE_BAD_REGISTER' }));
  });
});
