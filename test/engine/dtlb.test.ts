// The hot loop's data TLB under Sv39: cached translations must keep A/D, permission, SUM/MXR/MPRV and
// privilege semantics exact, and disappear on sfence.vma, satp writes and the host's flushTlb.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/index.js';
import { check, outcome, resetCases, testProgram } from './harness.js';
import { EXTRA, SETUP } from './sv39-setup.js';

const reset = '  li x20, -1\n  li x21, -1';
/** x1 = a data word on a page of its own (not the tohost page, whose stores are always slow): target2 + 256. */
const LOC = '  la x1, target2\n  addi x1, x1, 256';
/** x13 = LOC seen through the U-mode gigapage alias at VA 0x40000000 (V R W U, A = D = 0 at first). */
const ALIAS = `${LOC}\n  li x2, 0x40000000\n  sub x13, x1, x2`;
const SUM_ON = '  li t0, 0x40000\n  csrs sstatus, t0';
const SUM_OFF = '  li t0, 0x40000\n  csrc sstatus, t0';
/** x14 = the A and D bits of the alias PTE (pt_root[1]). */
const AD = '  la x1, pt_root\n  ld x14, 8(x1)\n  andi x14, x14, 0xc0';
/** Three loads through x13 (the first fills the TLB, the others hit it); result in x14. */
const LOADS3 = '  ld x14, 0(x13)\n  ld x14, 0(x13)\n  ld x14, 0(x13)';

/** Extra tables for a second address space: pt_root2 maps VA 0xc0000000 to target2 (read-only). */
const EXTRA2 = `${EXTRA}
pt_root2: .zero 4096
pt_l1b: .zero 4096
pt_l0b: .zero 4096
`;
const BUILD_ROOT2 = `
  la t0, pt_root
  la t1, pt_root2
  ld t2, 16(t0)
  sd t2, 16(t1)            # identity gigapage (code and data)
  la t2, pt_l1b
  srli t3, t2, 12
  slli t3, t3, 10
  ori t3, t3, 1
  sd t3, 24(t1)            # [3] -> pt_l1b
  la t4, pt_l0b
  srli t3, t4, 12
  slli t3, t3, 10
  ori t3, t3, 1
  sd t3, 0(t2)             # pt_l1b[0] -> pt_l0b
  la t5, target2
  srli t5, t5, 12
  slli t5, t5, 10
  ori t5, t5, 0x43
  sd t5, 0(t4)             # VA 0xc0000000 -> target2, V R A
`;
const satpOf = (root: string): string => `  la t0, ${root}\n  srli t0, t0, 12\n  li t1, 0x8000000000000000\n  or t0, t0, t1\n  csrw satp, t0`;

describe('data TLB (Sv39 fast path)', () => {
  it('a cached load translation does not let a store skip the D update or the write permission', () => {
    resetCases();
    const body = [
      check(`${LOC}\n  li x2, 41\n  sd x2, 0(x1)\n${SUM_ON}\n${ALIAS}\n${LOADS3}`, 'x14', 41),
      check(AD, 'x14', 0x40), // loads set A only
      check(`${ALIAS}\n  li x4, 42\n  sd x4, 0(x13)\n  sd x4, 0(x13)\n${AD}`, 'x14', 0xc0), // the store walked and set D
      check(`${LOC}\n  ld x14, 0(x1)`, 'x14', 42),
      // read-only page: cached for loads, stores still fault
      check('  li x1, 0xc0000000\n  ld x14, 0(x1)\n  ld x14, 0(x1)', 'x14', 0x1111),
      check(`${reset}\n  li x1, 0xc0000000\n  sd x0, 0(x1)\n  mv x14, x20`, 'x14', 15),
    ].join('\n');
    expect(outcome(SETUP + body, EXTRA)).toBe('pass');
  });

  it('SUM and MXR changes take effect on translations already cached', () => {
    resetCases();
    const body = [
      check(`${SUM_ON}\n${ALIAS}\n${LOADS3}\n  sd x14, 8(x13)`, 'x14', 0),
      check(`${reset}\n${SUM_OFF}\n${ALIAS}\n  ld x4, 0(x13)\n  mv x14, x20`, 'x14', 13),
      check(`${reset}\n${ALIAS}\n  sd x4, 8(x13)\n  mv x14, x20`, 'x14', 15),
      check(`${reset}\n${SUM_ON}\n${ALIAS}\n  li x4, 9\n  sd x4, 8(x13)\n  ld x14, 8(x13)\n  add x14, x14, x20`, 'x14', 8), // no trap: x20 = -1
      // execute-only page: readable only while MXR is set
      check('  li t0, 0x80000\n  csrs sstatus, t0\n  li x1, 0xc0001000\n  ld x14, 0(x1)\n  ld x14, 0(x1)', 'x14', 0x1111),
      check(`${reset}\n  li t0, 0x80000\n  csrc sstatus, t0\n  li x1, 0xc0001000\n  ld x4, 0(x1)\n  mv x14, x20`, 'x14', 13),
      check(`${reset}\n  li t0, 0x80000\n  csrs sstatus, t0\n  li x1, 0xc0001000\n  ld x14, 0(x1)\n  csrc sstatus, t0`, 'x14', 0x1111),
    ].join('\n');
    expect(outcome(SETUP + body, EXTRA)).toBe('pass');
  });

  it('sfence.vma drops a cached write permission; satp writes switch address spaces', () => {
    resetCases();
    const body = [
      check(`${SUM_ON}\n${ALIAS}\n  li x4, 5\n  sd x4, 0(x13)\n  sd x4, 0(x13)\n  ld x14, 0(x13)`, 'x14', 5),
      // make the alias read-only (A and D kept) and fence: the cached store translation must go
      check(`${reset}\n  la x1, pt_root\n  ld x2, 8(x1)\n  andi x2, x2, -5\n  sd x2, 8(x1)\n  sfence.vma\n${ALIAS}\n  sd x4, 0(x13)\n  mv x14, x20`, 'x14', 15),
      check(`${reset}\n${ALIAS}\n  ld x14, 0(x13)\n  add x14, x14, x20`, 'x14', 4), // loads still work: 5 + (-1)
      check(`${reset}\n  la x1, pt_root\n  ld x2, 8(x1)\n  ori x2, x2, 4\n  sd x2, 8(x1)\n  sfence.vma\n${ALIAS}\n  li x4, 6\n  sd x4, 0(x13)\n  ld x14, 0(x13)`, 'x14', 6),
      // a second address space maps VA 0xc0000000 elsewhere: a satp write alone switches
      check(`${BUILD_ROOT2}\n  li x1, 0xc0000000\n  ld x14, 0(x1)\n  ld x14, 0(x1)`, 'x14', 0x1111),
      check(`${satpOf('pt_root2')}\n  li x1, 0xc0000000\n  ld x14, 0(x1)`, 'x14', 0x2222),
      check(`${satpOf('pt_root')}\n  li x1, 0xc0000000\n  ld x14, 0(x1)`, 'x14', 0x1111),
    ].join('\n');
    expect(outcome(SETUP + body, EXTRA2)).toBe('pass');
  });

  it('MPRV: M-mode data accesses use the MPP privilege, and U and S translations are kept apart', () => {
    resetCases();
    const setup = SETUP.replace(/  li t0, 0x1800\n  csrc mstatus, t0\n[\s\S]*in_smode:\n/, '');
    /** Sets MPRV with MPP = mpp (0 U, 1 S) and SUM = sum, runs code, clears MPRV. */
    const mprv = (mpp: number, sum: number, code: string): string =>
      `  li t0, 0x41800\n  csrc mstatus, t0\n  li t0, ${(mpp << 11) | (sum << 18) | 0x20000}\n  csrs mstatus, t0\n${code}\n  li t0, 0x20000\n  csrc mstatus, t0`;
    const body = [
      check(`${LOC}\n  li x2, 77\n  sd x2, 0(x1)`, 'x2', 77),
      // S: the identity gigapage (no U bit) is readable, twice (cached)
      check(mprv(1, 0, `${LOC}\n  ld x14, 0(x1)\n  ld x14, 0(x1)`), 'x14', 77),
      // U: the same VA faults although S has it cached
      check(`${reset}\n${mprv(0, 0, `${LOC}\n  ld x4, 0(x1)`)}\n  mv x14, x20`, 'x14', 13),
      // U: the U alias works; cached for U
      check(mprv(0, 0, `${ALIAS}\n${LOADS3}`), 'x14', 77),
      // S without SUM: the U alias faults although U has it cached
      check(`${reset}\n${mprv(1, 0, `${ALIAS}\n  ld x4, 0(x13)`)}\n  mv x14, x20`, 'x14', 13),
      // S with SUM: works
      check(mprv(1, 1, `${ALIAS}\n  ld x14, 0(x13)`), 'x14', 77),
      // MPRV off: M-mode is bare again (the alias is not RAM: access fault)
      check(`${reset}\n${ALIAS}\n  ld x4, 0(x13)\n  mv x14, x20`, 'x14', 5),
    ].join('\n');
    expect(outcome(setup + body, EXTRA)).toBe('pass');
  });

  it('misaligned accesses inside a page, LR/SC reservations and tohost keep their slow-path semantics', () => {
    resetCases();
    const body = [
      check(`${SUM_ON}\n${ALIAS}\n  li x2, 0x1122334455667788\n  sd x2, 16(x13)\n  sd x2, 24(x13)\n  ld x14, 20(x13)`, 'x14', '0x5566778811223344'),
      check(`${ALIAS}\n  li x2, 0x0a0b0c0d\n  sw x2, 19(x13)\n  lwu x14, 19(x13)`, 'x14', 0x0a0b0c0d),
      check(`${ALIAS}\n  lhu x14, 21(x13)`, 'x14', 0x0a0b),
      // a store between LR and SC (through a cached translation) drops the reservation
      check(`${ALIAS}\n  addi x1, x13, 32\n  sd x0, 8(x1)\n  lr.d x5, (x1)\n  sd x0, 8(x1)\n  li x6, 3\n  sc.d x14, x6, (x1)`, 'x14', 1),
      check(`${ALIAS}\n  addi x1, x13, 32\n  lr.d x5, (x1)\n  li x6, 3\n  sc.d x14, x6, (x1)`, 'x14', 0),
      check(`${ALIAS}\n  ld x14, 32(x13)`, 'x14', 3),
      // stores to the tohost page (scratch shares it) before the verdict's store to tohost
      check('  la x1, scratch\n  li x2, 4\n  sd x2, 0(x1)\n  sd x2, 8(x1)\n  ld x14, 8(x1)', 'x14', 4),
    ].join('\n');
    // the verdict itself is a store to tohost made from S-mode through the identity mapping
    expect(outcome(SETUP + body, EXTRA)).toBe('pass');
  });

  it('self-modifying code under translation: incoherent keeps the decoded copy until fence.i, coherent sees the store', () => {
    const smc = (fence: string): string => `
${SETUP}
  li x15, 0
  li x14, 0
again:
  la x1, site
  li x2, 0x00700713        # addi x14, x0, 7
site:
  addi x14, x0, 1
  bnez x15, done
  li x15, 1
  sw x2, 0(x1)
  sw x2, 0(x1)
${fence}
  j again
done:
  li gp, 2
  li x7, EXPECT
  bne x14, x7, fail
`;
    const run = (fence: string, expectValue: number, coherent: boolean): string =>
      outcome(smc(fence).replace('EXPECT', String(expectValue)), EXTRA, { coherent });
    expect(run('', 1, false)).toBe('pass');
    expect(run('  fence.i', 7, false)).toBe('pass');
    expect(run('', 7, true)).toBe('pass');
  });

  it('the host flushTlb drops cached translations after it edits page tables', () => {
    const src = testProgram(`${SETUP}
  li x1, 0xc0000000
spin:
  ld x14, 0(x1)
  j spin
`, EXTRA);
    const prog = assemble(src, { file: 'tlb.s' });
    const sym = (n: string): number => prog.symbols.find((s) => s.name === n)!.value;
    const m = Machine.create({ ram: 0x100000 });
    m.loadProgram(prog);
    const h = m.hart(0);
    expect(m.run({ maxInsns: 2000 }).reason).toBe('budget');
    expect(h.x(14)).toBe(0x1111n);
    // point VA 0xc0000000 at target2 from the host
    m.memory.writeU64(sym('pt_l0'), (BigInt(sym('target2')) >> 12n << 10n) | 0x43n);
    m.run({ maxInsns: 2000 });
    expect(h.x(14)).toBe(0x1111n); // still the cached translation
    h.flushTlb();
    m.run({ maxInsns: 2000 });
    expect(h.x(14)).toBe(0x2222n);
  });
});
