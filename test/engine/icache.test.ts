// Decode-cache (instruction staleness) tests: stores do not change decoded code until fence.i / host flush / slot eviction.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/index.js';
import { DC_SLOTS } from '../../src/machine/layout.js';
import { check, outcome, resetCases, testProgram } from './harness.js';

const ADDI_X14_2 = 0x00200713; // addi x14, x0, 2
const ADDI_X14_3 = 0x00300713; // addi x14, x0, 3

const SITES = `
  .align 2
site4:                    # 4-byte aligned 32-bit instruction
  .option push
  .option norvc
  addi x14, x0, 1
  .option pop
  ret
  .align 2
  c.nop
site2:                    # 32-bit instruction at an address = 2 mod 4
  .option push
  .option norvc
  addi x14, x0, 1
  .option pop
  ret
  .align 2
sitec:                    # two compressed instructions, later overwritten by one 32-bit instruction
  c.li x14, 1
  c.nop
  ret
`;

describe('decode cache (incoherent instruction fetch)', () => {
  it('a store to decoded code is not seen until fence.i (aligned, 2 mod 4, compressed overwritten by 32-bit)', () => {
    resetCases();
    const body = [
      // aligned site
      check('  call site4', 'x14', 1),
      check(`  la x1, site4\n  li x2, ${ADDI_X14_2}\n  sw x2, 0(x1)\n  call site4`, 'x14', 1), // stale
      check('  fence.i\n  call site4', 'x14', 2),
      // 2-byte aligned 32-bit instruction patched with two halfword stores
      check('  call site2', 'x14', 1),
      check(`  la x1, site2\n  li x2, ${ADDI_X14_3}\n  sh x2, 0(x1)\n  srli x2, x2, 16\n  sh x2, 2(x1)\n  call site2`, 'x14', 1),
      check('  fence.i\n  call site2', 'x14', 3),
      // c.li + c.nop overwritten by one 32-bit addi
      check('  call sitec', 'x14', 1),
      check(`  la x1, sitec\n  li x2, ${ADDI_X14_2}\n  sw x2, 0(x1)\n  call sitec`, 'x14', 1),
      check('  fence.i\n  call sitec', 'x14', 2),
    ].join('\n');
    expect(outcome(body, SITES)).toBe('pass');
  });

  it('coherent mode: stores (guest and host) are seen at once, including a straddling instruction', () => {
    resetCases();
    const body = [
      check('  call site4', 'x14', 1),
      check(`  la x1, site4\n  li x2, ${ADDI_X14_2}\n  sw x2, 0(x1)\n  call site4`, 'x14', 2),
      check('  call site2', 'x14', 1),
      check(`  la x1, site2\n  li x2, ${ADDI_X14_3}\n  sh x2, 0(x1)\n  srli x2, x2, 16\n  sh x2, 2(x1)\n  call site2`, 'x14', 3),
      check('  call sitec', 'x14', 1),
      check(`  la x1, sitec\n  li x2, ${ADDI_X14_2}\n  sw x2, 0(x1)\n  call sitec`, 'x14', 2),
    ].join('\n');
    expect(outcome(body, SITES, { coherent: true })).toBe('pass');
    const src = `
  .globl _start
_start:
1: call site4
  la x1, result
  sd x14, 0(x1)
  j 1b
${SITES}
  .data
  .align 3
result: .dword 0
`;
    const prog = assemble(src);
    const addr = (name: string): number => prog.symbols.find((s) => s.name === name)!.value;
    const m = Machine.create({ ram: 0x100000, coherent: true });
    m.loadProgram(prog);
    m.run({ maxInsns: 1000 });
    expect(m.memory.readU64(addr('result'))).toBe(1n);
    m.memory.writeU32(addr('site4'), ADDI_X14_2);
    m.run({ maxInsns: 1000 });
    expect(m.memory.readU64(addr('result'))).toBe(2n);
  });

  it('code that was never executed is decoded from the current bytes (lazy decode)', () => {
    resetCases();
    const body = check(`  la x1, site4\n  li x2, ${ADDI_X14_3}\n  sw x2, 0(x1)\n  call site4`, 'x14', 3);
    expect(outcome(body, SITES)).toBe('pass');
  });

  it('host writes are not seen until the host flushes the hart', () => {
    const src = `
  .globl _start
_start:
1: call site4
  la x1, result
  sd x14, 0(x1)
  j 1b
${SITES}
  .data
  .align 3
result: .dword 0
`;
    const prog = assemble(src);
    const addr = (name: string): number => prog.symbols.find((s) => s.name === name)!.value;
    const m = Machine.create({ ram: 0x100000 });
    m.loadProgram(prog);
    expect(m.run({ maxInsns: 1000 }).reason).toBe('budget');
    expect(m.memory.readU64(addr('result'))).toBe(1n);
    m.memory.writeU32(addr('site4'), ADDI_X14_2);
    m.run({ maxInsns: 1000 });
    expect(m.memory.readU64(addr('result'))).toBe(1n);
    m.flushIcache(0);
    m.run({ maxInsns: 1000 });
    expect(m.memory.readU64(addr('result'))).toBe(2n);
  });

  it('direct-mapped eviction: a page DC_SLOTS pages away replaces the slot, so the first page is decoded afresh', () => {
    resetCases();
    // far_code sits exactly DC_SLOTS pages after the page of site4's section
    const extra = `${SITES}
  .section .far, "ax"
far_code:
  li x15, 7
  ret
`;
    const src = testProgram(
      [
        check('  call site4', 'x14', 1),
        check(`  la x1, site4\n  li x2, ${ADDI_X14_2}\n  sw x2, 0(x1)\n  call site4`, 'x14', 1),
        check('  call far_code\n  call site4', 'x14', 2), // the slot of site4's page was evicted by far_code's page
      ].join('\n'),
      extra,
    );
    const prog = assemble(src, { sectionAddrs: { '.far': 0x80000000 + DC_SLOTS * 4096 } });
    const site4 = prog.symbols.find((s) => s.name === 'site4')!.value;
    expect(Math.floor((site4 - 0x80000000) / 4096)).toBe(0); // same slot as .far
    const m = Machine.create({ ram: 0x200000 });
    m.loadProgram(prog);
    const r = m.run({ maxInsns: 1e5 });
    expect(r.reason).toBe('halted');
    expect(r.exitValue).toBe(1n);
  });

  it("another hart's fence.i does not refresh this hart", () => {
    // hart 0 decodes site4, hart 1 patches it and executes fence.i; hart 0 still runs the old instruction
    const src = `
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, hart1
  call site4              # hart 0: decode the old instruction
  la x1, flag
  li x2, 1
  sd x2, 0(x1)
1: ld x2, 8(x1)           # wait for hart 1
  beqz x2, 1b
  call site4
  la x1, result
  sd x14, 0(x1)
  li gp, 1
  la t5, tohost
  sd gp, 0(t5)
2: j 2b
hart1:
  la x6, flag
3: ld x2, 0(x6)
  beqz x2, 3b
  la x3, site4
  li x4, ${ADDI_X14_2}
  sw x4, 0(x3)
  fence.i
  call site4
  la x5, result1
  sd x14, 0(x5)
  li x2, 1
  sd x2, 8(x6)
4: j 4b
${SITES}
  .data
  .align 6
  .globl tohost
tohost: .dword 0
flag: .dword 0, 0
result: .dword 0
result1: .dword 0
`;
    const prog = assemble(src);
    const addr = (name: string): number => prog.symbols.find((s) => s.name === name)!.value;
    const m = Machine.create({ ram: 0x100000, harts: 2 });
    m.loadProgram(prog);
    const r = m.run({ maxInsns: 1e6, slice: 50 });
    expect(r.reason).toBe('halted');
    expect(m.memory.readU64(addr('result1'))).toBe(2n); // hart 1 sees its own patch after its fence.i
    expect(m.memory.readU64(addr('result'))).toBe(1n); // hart 0 still executes what it decoded
  });
});
