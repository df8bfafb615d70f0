// Sv39 guest tests: gigapages and 4 KiB pages, hardware A/D updates, SUM/MXR, page-fault causes and stval, sfence.vma, MPRV.
import { describe, expect, it } from 'vitest';
import { check, outcome, resetCases } from './harness.js';
import { EXTRA, SETUP } from './sv39-setup.js';

const reset = '  li x20, -1\n  li x21, -1';
const ALIAS = '  la x1, scratch\n  li x2, 0x40000000\n  sub x13, x1, x2      # x13 = scratch seen through the VA 0x40000000 alias';

describe('Sv39', () => {
  it('translation, A/D bits, SUM/MXR, page faults, sfence.vma', () => {
    resetCases();
    const body = [
      check('  la x1, scratch\n  li x2, 5\n  sd x2, 0(x1)\n  ld x14, 0(x1)', 'x14', 5),
      check('  la x1, pt_root\n  ld x14, 8(x1)\n  andi x14, x14, 0xc0', 'x14', 0), // A/D still clear
      // user page from S with SUM = 0: load page fault, stval = VA
      check(`${reset}\n${ALIAS}\n  ld x4, 0(x13)\n  mv x14, x20`, 'x14', 13),
      check('  sub x14, x21, x13', 'x14', 0),
      // SUM = 1: the load works and hardware sets A (not D)
      check(`${reset}\n  li t0, 0x40000\n  csrs sstatus, t0\n${ALIAS}\n  ld x14, 0(x13)`, 'x14', 5),
      check('  la x1, pt_root\n  ld x14, 8(x1)\n  andi x14, x14, 0xc0', 'x14', 0x40),
      // a store sets D
      check(`${ALIAS}\n  li x4, 6\n  sd x4, 0(x13)\n  la x1, pt_root\n  ld x14, 8(x1)\n  andi x14, x14, 0xc0`, 'x14', 0xc0),
      check('  la x1, scratch\n  ld x14, 0(x1)', 'x14', 6),
      // read-only 4 KiB page: load ok, store faults with cause 15
      check('  li x1, 0xc0000000\n  ld x14, 0(x1)', 'x14', 0x1111),
      check(`${reset}\n  li x1, 0xc0000000\n  sd x0, 8(x1)\n  mv x14, x20`, 'x14', 15),
      check('  li x1, 0xc0000008\n  sub x14, x21, x1', 'x14', 0),
      // execute-only page: load faults unless MXR
      check(`${reset}\n  li x1, 0xc0001000\n  ld x4, 0(x1)\n  mv x14, x20`, 'x14', 13),
      check(`${reset}\n  li t0, 0x80000\n  csrs sstatus, t0\n  li x1, 0xc0001000\n  ld x14, 0(x1)\n  csrc sstatus, t0`, 'x14', 0x1111),
      // unmapped, misaligned superpage, non-canonical
      check(`${reset}\n  ld x4, 0(x0)\n  mv x14, x20`, 'x14', 13),
      check(`${reset}\n  li x1, 0x100000000\n  ld x4, 0(x1)\n  mv x14, x20`, 'x14', 13),
      check(`${reset}\n  li x1, 0x8000000000\n  sd x4, 0(x1)\n  mv x14, x20`, 'x14', 15),
      // fetch from a page without X: instruction page fault, stval = target
      check(`${reset}\n  li x1, 0xc0000000\n  jalr ra, 0(x1)\n  mv x14, x20`, 'x14', 12),
      check('  li x1, 0xc0000000\n  sub x14, x21, x1', 'x14', 0),
      // remap VA 0xc0000000 to target2: visible after sfence.vma
      check('  la x4, pt_l0\n  la x5, target2\n  srli x5, x5, 12\n  slli x5, x5, 10\n  ori x5, x5, 0x43\n  sd x5, 0(x4)\n  sfence.vma\n  li x1, 0xc0000000\n  ld x14, 0(x1)', 'x14', 0x2222),
      // misaligned access across a page boundary through translation completes
      check('  la x1, target\n  li x2, 0x40000000\n  sub x1, x1, x2\n  li x2, 4092\n  add x1, x1, x2\n  li x2, 0x0807060504030201\n  sd x2, 0(x1)\n  ld x14, 0(x1)', 'x14', '0x0807060504030201'),
    ].join('\n');
    expect(outcome(SETUP + body, EXTRA)).toBe('pass');
  });

  it('MPRV makes M-mode loads use the MPP translation', () => {
    resetCases();
    // build the tables but stay in M: set MPRV with MPP = S and read through the alias
    const setup = SETUP.replace(/  li t0, 0x1800\n  csrc mstatus, t0\n[\s\S]*in_smode:\n/, '');
    const body = [
      check('  la x1, scratch\n  li x2, 77\n  sd x2, 0(x1)', 'x2', 77),
      check(`${reset}\n  li t0, 0x1800\n  csrc mstatus, t0\n  li t0, 0x40800\n  csrs mstatus, t0\n  li t0, 0x20000\n  csrs mstatus, t0\n${ALIAS}\n  ld x14, 0(x13)\n  li t0, 0x20000\n  csrc mstatus, t0`, 'x14', 77),
      // without MPRV the alias is not mapped in M (bare): access fault
      check(`${reset}\n${ALIAS}\n  ld x4, 0(x13)\n  mv x14, x20`, 'x14', 5),
    ].join('\n');
    expect(outcome(setup + body, EXTRA)).toBe('pass');
  });
});
