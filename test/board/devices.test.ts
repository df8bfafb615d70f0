// Board devices seen by a bare-metal guest: boot ROM, PLIC + UART receive interrupt, sifive,test finisher.
import { describe, expect, it } from 'vitest';
import { finisherValue, pushUartInput, writeBootRom } from '../../src/board/board-io.js';
import { assemble } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/index.js';
import { testProgram } from '../engine/harness.js';

function machineWith(source: string, setup?: (m: Machine) => void) {
  const m = Machine.create({ ram: 0x100000 });
  m.loadProgram(assemble(source, { file: 'board.s' }));
  setup?.(m);
  return { m, r: m.run({ maxInsns: 1e6 }) };
}

describe('board devices', () => {
  it('the boot ROM at 0x1000 reads back what the host put there; writes are ignored', () => {
    const { m, r } = machineWith(testProgram(`
  li t0, 0x1000
  lwu a0, 0(t0)
  li a1, 0xedfe0dd0      # d0 0d fe ed: the FDT magic, big-endian in memory
  li gp, 2
  bne a0, a1, fail
  sw zero, 0(t0)
  lbu a0, 4(t0)
  li gp, 3
  li a1, 0x42
  bne a0, a1, fail`), (mm) => writeBootRom(mm.wasm, new Uint8Array([0xd0, 0x0d, 0xfe, 0xed, 0x42])));
    expect(r.reason).toBe('halted');
    expect(m.exitValue).toBe(1n);
  });

  it('UART receive raises PLIC source 10 on the enabled context; claim, read, complete', () => {
    const { m, r } = machineWith(testProgram(`
  li s0, 0x0c000000       # PLIC
  li t0, 1
  sw t0, 40(s0)           # priority[10] = 1
  li t1, 0x2000
  add t1, t1, s0
  li t0, 0x400
  sw t0, 0(t1)            # context 0 (hart 0 M-mode) enables source 10
  li t1, 0x200000
  add s1, t1, s0          # context 0: threshold, claim/complete at +4
  sw zero, 0(s1)
  li s2, 0x10000000       # UART
  li t0, 1
  sb t0, 1(s2)            # IER: received data available
  li t2, 1000
1:csrr t0, mip
  li t3, 0x800            # MEIP
  and t0, t0, t3
  bnez t0, 2f
  addi t2, t2, -1
  bnez t2, 1b
  li gp, 2
  j fail
2:lbu t0, 2(s2)           # IIR: 0x04 = received data
  li gp, 3
  li t3, 0x04
  bne t0, t3, fail
  lw a0, 4(s1)            # claim
  li gp, 4
  li t3, 10
  bne a0, t3, fail
  lw t0, 4(s1)            # nothing else pending while 10 is claimed
  li gp, 5
  bnez t0, fail
  lbu a1, 0(s2)           # RBR
  li gp, 6
  li t3, 0x5a
  bne a1, t3, fail
  lbu t0, 5(s2)           # LSR: no more data
  andi t0, t0, 1
  li gp, 7
  bnez t0, fail
  sw a0, 4(s1)            # complete
  csrr t0, mip
  li t3, 0x800
  and t0, t0, t3
  li gp, 8
  bnez t0, fail`), (mm) => pushUartInput(mm.wasm, new Uint8Array([0x5a])));
    expect(r.reason).toBe('halted');
    expect(m.exitValue).toBe(1n);
  });

  it.each([
    [0x5555, 0],
    [(3 << 16) | 0x3333, 3],
    [0x7777, 0],
  ])('the sifive,test finisher ends the run on 0x%s', (cmd, code) => {
    const { m, r } = machineWith(`
  .globl _start
_start:
  li t0, 0x100000
  li t1, ${cmd}
  sw t1, 0(t0)
1: j 1b
`);
    expect(r.reason).toBe('halted');
    expect(r.exitCode).toBe(code);
    expect(finisherValue(m.wasm)).toBe(cmd);
  });
});
