// Privileged-architecture guest tests: CSR forms and access rules, every trap cause, delegation to S, U-mode, interrupts, wfi.
import { describe, expect, it } from 'vitest';
import { check, outcome, resetCases, runSource, testProgram } from './harness.js';

/** M handler: records mcause/mtval/mepc in x20/x21/x22, skips the 4-byte trapping instruction; a7=0x99 returns to M. */
const HANDLERS = `
  .align 2
handler:
  csrr x20, mcause
  csrr x21, mtval
  csrr x22, mepc
  bgez x20, 3f            # interrupt: resume at mepc with MIE off (MPIE cleared)
  li x23, 0x80
  csrc mstatus, x23
  mret
3:
  li x23, 1
  bne x20, x23, 2f
  csrw mepc, ra           # instruction access fault: return to the caller
  mret
2: li x23, 0x99
  bne a7, x23, 1f
  li x23, 0x1800
  csrs mstatus, x23
  li a7, 0
1: addi x24, x22, 4
  csrw mepc, x24
  mret
  .align 2
shandler:
  csrr x25, scause
  csrr x26, stval
  csrr x27, sepc
  bgez x25, 3f            # interrupt: resume at sepc with SIE off
  li x24, 0x20
  csrc sstatus, x24
  sret
3:
  addi x24, x27, 4
  csrw sepc, x24
  sret
`;
const SETUP = '  .option norvc\n  la t0, handler\n  csrw mtvec, t0\n  la t0, shandler\n  csrw stvec, t0\n  li x20, -1';
const TO_U = (label: string): string => `  li t0, 0x1800\n  csrc mstatus, t0\n  la t0, ${label}\n  csrw mepc, t0\n  mret\n${label}:`;
const TO_S = (label: string): string => `  li t0, 0x1800\n  csrc mstatus, t0\n  li t0, 0x800\n  csrs mstatus, t0\n  la t0, ${label}\n  csrw mepc, t0\n  mret\n${label}:`;
const TO_M = '  li a7, 0x99\n  ecall';
/** Back to M through a (never delegated) illegal instruction. */
const TO_M_ILL = '  li a7, 0x99\n  .word 0xffffffff';
const reset = '  li x20, -1\n  li x21, -1\n  li x25, -1';

function run(body: string): string {
  return outcome(SETUP + '\n' + body, HANDLERS);
}

describe('privileged architecture', () => {
  it('every CSR instruction form on mscratch', () => {
    resetCases();
    const body = [
      check('  li x1, 0x55\n  csrw mscratch, x1\n  li x2, 0xf0\n  csrrw x14, mscratch, x2', 'x14', 0x55),
      check('  csrr x14, mscratch', 'x14', 0xf0),
      check('  li x1, 0x0f\n  csrrs x14, mscratch, x1', 'x14', 0xf0),
      check('  csrr x14, mscratch', 'x14', 0xff),
      check('  li x1, 0x3c\n  csrrc x14, mscratch, x1', 'x14', 0xff),
      check('  csrr x14, mscratch', 'x14', 0xc3),
      check('  csrrwi x14, mscratch, 17', 'x14', 0xc3),
      check('  csrrsi x14, mscratch, 8', 'x14', 17),
      check('  csrrci x14, mscratch, 1', 'x14', 25),
      check('  csrr x14, mscratch', 'x14', 24),
      check('  csrrs x14, mscratch, x0\n  csrrc x0, mscratch, x0\n  csrrw x0, mscratch, x0\n  csrr x15, mscratch\n  add x14, x14, x15', 'x14', 24),
      check('  li x1, -1\n  csrw mscratch, x1\n  csrr x14, mscratch', 'x14', -1),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('machine information CSRs, misa and XLEN fields', () => {
    resetCases();
    const body = [
      check('  csrr x14, misa\n  srli x14, x14, 62', 'x14', 2),
      check('  csrr x14, misa\n  li x1, 0x3ffffff\n  and x14, x14, x1', 'x14', 0x14112d), // I M A F D C S U
      check('  csrr x14, mhartid', 'x14', 0),
      check('  csrr x14, mvendorid\n  csrr x15, marchid\n  csrr x16, mimpid\n  csrr x17, mconfigptr\n  or x14, x14, x15\n  or x14, x14, x16\n  or x14, x14, x17', 'x14', 0),
      check('  csrr x14, mstatus\n  srli x14, x14, 32\n  andi x14, x14, 15', 'x14', 10),
      check('  csrr x14, sstatus\n  srli x14, x14, 32', 'x14', 2),
      check('  csrw tselect, x0\n  li x1, -1\n  csrw tdata1, x1\n  csrr x14, tdata1', 'x14', 0),
      check('  li x1, 0x1fffffffffffff\n  csrw pmpaddr0, x1\n  csrr x14, pmpaddr0', 'x14', '0x1fffffffffffff'),
      check('  li x1, 0x1f\n  csrw pmpcfg0, x1\n  csrr x14, pmpcfg0', 'x14', 0x1f),
      check('  csrw pmpaddr63, x1\n  csrr x14, pmpaddr63', 'x14', 0x1f),
      check('  li x1, 0x8000000000000000\n  csrw mstatus, x1\n  csrr x14, mstatus\n  srli x14, x14, 63', 'x14', 0),
      check('  li x1, -1\n  csrw medeleg, x1\n  csrr x14, medeleg\n  csrw medeleg, x0', 'x14', 0xb3ff),
      check('  li x1, -1\n  csrw mideleg, x1\n  csrr x14, mideleg\n  csrw mideleg, x0', 'x14', 0x222),
      check('  li x1, -1\n  csrw mie, x1\n  csrr x14, mie\n  csrw mie, x0', 'x14', 0xaaa),
      check('  li x1, 0x80000003\n  csrw mtvec, x1\n  csrr x14, mtvec\n  la t0, handler\n  csrw mtvec, t0', 'x14', 0x80000001),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('counters: minstret/mcycle writes, instret increments, mcountinhibit', () => {
    resetCases();
    const body = [
      check('  csrwi minstret, 0\n  csrr x14, minstret', 'x14', 0),
      check('  li x1, 1000\n  csrw minstret, x1\n  nop\n  nop\n  csrr x14, minstret', 'x14', 1002),
      check('  csrr x1, instret\n  csrr x2, instret\n  sub x14, x2, x1', 'x14', 1),
      check('  csrr x1, cycle\n  nop\n  csrr x2, cycle\n  sub x14, x2, x1', 'x14', 2),
      check('  csrwi mcountinhibit, 4\n  csrr x1, minstret\n  nop\n  csrr x2, minstret\n  csrwi mcountinhibit, 0\n  sub x14, x2, x1', 'x14', 0),
      check('  csrwi mcycle, 5\n  csrr x14, mcycle', 'x14', 5),
      check('  csrr x14, mhpmcounter3\n  csrw mhpmcounter3, x1\n  csrr x15, hpmcounter31\n  or x14, x14, x15', 'x14', 0),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('exceptions: illegal (mtval = bits), unknown/read-only CSR, ebreak, ecall from M, access faults', () => {
    resetCases();
    const body = [
      check(`${reset}\n  .word 0xffffffff\n  mv x14, x20`, 'x14', 2),
      check('  li x1, 0xffffffff\n  sub x14, x21, x1', 'x14', 0),
      check(`${reset}\n  csrr x1, 0x7ff\n  mv x14, x20`, 'x14', 2),
      check('  li x1, 0x7ff020f3\n  sub x14, x21, x1', 'x14', 0), // csrr x5? no: the encoding of csrrs x1, 0x7ff, x0
      check(`${reset}\n  csrw mhartid, x0\n  mv x14, x20`, 'x14', 2),
      check(`${reset}\n  csrrs x14, mhartid, x0\n  mv x14, x20`, 'x14', -1),
      check(`${reset}\n  csrw pmpcfg1, x0\n  mv x14, x20`, 'x14', 2),
      check(`${reset}\n1: ebreak\n  la x1, 1b\n  sub x14, x22, x1\n  bnez x14, fail\n  mv x14, x20`, 'x14', 3),
      check(`${reset}\n  ecall\n  mv x14, x20`, 'x14', 11),
      check(`${reset}\n  li x1, 0x20000\n  ld x2, 8(x1)\n  mv x14, x20`, 'x14', 5),
      check('  mv x14, x21', 'x14', 0x20008),
      check(`${reset}\n  li x1, 0x20000\n  sw x2, 0(x1)\n  mv x14, x20`, 'x14', 7),
      check(`${reset}\n  li x1, 0x80000000\n  li x2, 0x100000\n  add x1, x1, x2\n  sd x0, 0(x1)\n  mv x14, x20`, 'x14', 7), // just past 1 MiB of RAM
      check(`${reset}\n  li x1, 0x4000\n  jalr ra, 0(x1)\n  mv x14, x20`, 'x14', 1),
      check('  mv x14, x21', 'x14', 0x4000),
      check('  mv x14, x22', 'x14', 0x4000),
      check(`${reset}\n  li x1, 0x10000000\n  ld x2, 0x100(x1)\n  mv x14, x20`, 'x14', 5), // beyond the UART window
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('U-mode: ecall cause 8, privileged CSRs and instructions trap, counteren gates counters', () => {
    resetCases();
    const body = [
      check(`${reset}\n${TO_U('umode1')}\n  ecall\n${TO_M}\n  mv x14, x20`, 'x14', 8), // last trap: the a7=0x99 ecall from U
      check(`${reset}\n${TO_U('umode2')}\n  ecall\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 8),
      check(`${reset}\n${TO_U('umode3')}\n  csrr x1, mstatus\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 2),
      check(`${reset}\n${TO_U('umode4')}\n  csrr x1, sstatus\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 2),
      check(`${reset}\n  csrw mcounteren, x0\n${TO_U('umode5')}\n  csrr x1, cycle\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 2),
      check(`${reset}\n  csrwi mcounteren, 7\n  csrwi scounteren, 7\n${TO_U('umode6')}\n  csrr x1, instret\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', -1),
      check(`${reset}\n${TO_U('umode7')}\n  csrrw x1, cycle, x0\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 2),
      check(`${reset}\n${TO_U('umode8')}\n  mret\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 2),
      check(`${reset}\n${TO_U('umode9')}\n  wfi\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 2),
      check(`${reset}\n${TO_U('umode10')}\n  sret\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 2),
      check(`${reset}\n${TO_U('umode11')}\n  sfence.vma\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 2),
      // mret semantics: MPP -> U after mret, MPIE -> 1
      check(`${TO_U('umode12')}\n${TO_M}\n  csrr x14, mstatus\n  srli x14, x14, 7\n  andi x14, x14, 1`, 'x14', 1),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('S-mode: delegation to S, sret to U, TSR/TW/TVM, sstatus/sie/sip views', () => {
    resetCases();
    const body = [
      // ecall from U delegated to S (medeleg bit 8), then sret back to U, then back to M
      check(`${reset}\n  li t0, 0x100\n  csrw medeleg, t0\n${TO_U('umode_s1')}\n  ecall\n  mv x28, x25\n${TO_M_ILL}\n  csrw medeleg, x0\n  mv x14, x28`, 'x14', 8),
      check('  mv x14, x20', 'x14', 2), // M saw only the illegal instruction
      // ecall from S is not delegated: M gets cause 9
      check(`${reset}\n${TO_S('smode2')}\n  ecall\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 9),
      // an illegal instruction in S delegated to S: stval = bits, sstatus.SPP = 1 on entry
      check(`${reset}\n  li t0, 4\n  csrw medeleg, t0\n${TO_S('smode3')}\n  .word 0xffffffff\n  csrr x29, sstatus\n  mv x28, x25\n${TO_M}\n  csrw medeleg, x0\n  mv x14, x28`, 'x14', 2),
      check('  srli x14, x29, 5\n  andi x14, x14, 1', 'x14', 1), // sret set SPIE
      check('  li x1, 0xffffffff\n  sub x14, x26, x1', 'x14', 0),
      // sret from S into U (SPP = 0): then ecall from U reaches M as cause 8
      check(`${reset}\n${TO_S('smode4')}\n  li t0, 0x100\n  csrc sstatus, t0\n  la t0, smode4_user\n  csrw sepc, t0\n  sret\nsmode4_user:\n  ecall\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 8),
      // TSR: sret in S traps to M
      check(`${reset}\n  li t0, 0x400000\n  csrs mstatus, t0\n${TO_S('smode5')}\n  sret\n  mv x28, x20\n${TO_M}\n  li t0, 0x400000\n  csrc mstatus, t0\n  mv x14, x28`, 'x14', 2),
      // TW: wfi in S traps
      check(`${reset}\n  li t0, 0x200000\n  csrs mstatus, t0\n${TO_S('smode6')}\n  wfi\n  mv x28, x20\n${TO_M}\n  li t0, 0x200000\n  csrc mstatus, t0\n  mv x14, x28`, 'x14', 2),
      // TVM: satp and sfence.vma trap in S; without TVM they do not
      check(`${reset}\n  li t0, 0x100000\n  csrs mstatus, t0\n${TO_S('smode7')}\n  csrr x1, satp\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 2),
      check(`${reset}\n${TO_S('smode8')}\n  sfence.vma\n  mv x28, x20\n${TO_M}\n  li t0, 0x100000\n  csrc mstatus, t0\n  mv x14, x28`, 'x14', 2),
      check(`${reset}\n${TO_S('smode9')}\n  csrr x1, satp\n  sfence.vma\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', -1), // no trap without TVM
      // S cannot touch M CSRs
      check(`${reset}\n${TO_S('smode10')}\n  csrr x1, mscratch\n  mv x28, x20\n${TO_M}\n  mv x14, x28`, 'x14', 2),
      // sie/sip are masked views through mideleg
      check('  li x1, -1\n  csrw mie, x1\n  csrw mideleg, x0\n  csrr x14, sie', 'x14', 0),
      check('  li x1, 0x222\n  csrw mideleg, x1\n  csrr x14, sie\n  csrw mie, x0\n  csrw mideleg, x0', 'x14', 0x222),
      check('  li x1, 2\n  csrw mideleg, x1\n  csrsi sip, 2\n  csrr x14, mip\n  csrci sip, 2\n  csrw mideleg, x0\n  andi x14, x14, 2', 'x14', 2),
    ].join('\n');
    expect(run(body)).toBe('pass');
  });

  it('interrupts: CLINT msip and mtimecmp, vectored mtvec, wfi wake-up, delegated SSIP', () => {
    resetCases();
    const clint = '0x2000000';
    const body = [
      // machine software interrupt through the CLINT msip word
      check(`${reset}\n  li x1, 8\n  csrw mie, x1\n  li x2, ${clint}\n  li x3, 1\n  sw x3, 0(x2)\n  csrsi mstatus, 8\n  nop\n  csrci mstatus, 8\n  sw x0, 0(x2)\n  mv x14, x20`, 'x14', '0x8000000000000003'),
      // vectored mode: the handler at base + 4*3
      check(`${reset}\n  la t0, vectors\n  ori t0, t0, 1\n  csrw mtvec, t0\n  li x2, ${clint}\n  li x3, 1\n  sw x3, 0(x2)\n  li x10, 0\n  csrsi mstatus, 8\n  nop\n  csrci mstatus, 8\n  la t0, handler\n  csrw mtvec, t0\n  mv x14, x10`, 'x14', 3),
      // timer: mtimecmp = mtime + 5; wfi sleeps until the host advances time, then the interrupt is taken
      check(`${reset}\n  li x1, 0x80\n  csrw mie, x1\n  li x2, ${clint}\n  li x4, 0xbff8\n  add x4, x4, x2\n  ld x5, 0(x4)\n  addi x5, x5, 5\n  li x6, 0x4000\n  add x6, x6, x2\n  sd x5, 0(x6)\n  csrsi mstatus, 8\n  wfi\n  csrci mstatus, 8\n  li x5, -1\n  sd x5, 0(x6)\n  mv x14, x20`, 'x14', '0x8000000000000007'),
      // SSIP delegated to S, taken in S (cause 1 | interrupt bit)
      check(`${reset}\n  csrw mie, x0\n  li x1, 2\n  csrw mideleg, x1\n  csrw mie, x1\n${TO_S('smode_int')}\n  csrsi sstatus, 2\n  csrsi sip, 2\n  nop\n  csrci sstatus, 2\n  mv x28, x25\n${TO_M}\n  csrw mie, x0\n  csrw mideleg, x0\n  csrci mip, 2\n  mv x14, x28`, 'x14', '0x8000000000000001'),
      // wfi with an interrupt pending but globally disabled does not stop
      check(`${reset}\n  li x1, 2\n  csrw mie, x1\n  csrsi mip, 2\n  wfi\n  csrci mip, 2\n  csrw mie, x0\n  li x14, 5`, 'x14', 5),
    ].join('\n');
    const vectors = `
  .align 6
vectors:
  j fail
  j fail
  j fail
  j msi_vec
msi_vec:
  li x10, 3
  li x2, ${clint}
  sw x0, 0(x2)
  mret`;
    expect(outcome(SETUP + '\n' + body, HANDLERS + vectors)).toBe('pass');
  });

  it('a trap storm stops with a fault report', () => {
    const src = testProgram('  li t0, 0x5000\n  csrw mtvec, t0\n  .word 0');
    const { result } = runSource(src);
    expect(result.reason).toBe('fault');
    expect(result.fault).toMatchObject({ cause: 1n, pc: 0x5000n, tval: 0x5000n, mode: 'M' });
  });

  it('wfi with nothing that could ever wake the hart reports wfi', () => {
    const { result } = runSource(testProgram('  csrw mie, x0\n  wfi\n  j fail'));
    expect(result.reason).toBe('wfi');
  });
});
