// The engine side of user mode (CTRL_FLAG_HOST_ECALL): U-mode ecall stops run() at the ecall, other U-mode exceptions
// stop with their cause, M-mode traps are untouched, and nothing counts as a trap storm.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/index.js';
import { instantiateEngine } from '../../src/machine/engine.js';
import {
  CTRL_BASE, CTRL_FLAG_HOST_ECALL, CTRL_FLAGS, H_FAULT_CAUSE, H_FAULT_TVAL, HART_BASE, STOP_ECALL, STOP_FAULT_LOOP,
  STOP_USER_TRAP,
} from '../../src/machine/layout.js';

/** M-mode boot that drops to U-mode (satp Bare) at `user`; an M-mode trap handler that spins at `mtrap`. */
function boot(user: string): Machine {
  const m = Machine.create({ ram: 0x100000 });
  m.loadProgram(assemble(`
  .globl _start
_start:
  la t0, mtrap
  csrw mtvec, t0
  la t0, user
  csrw mepc, t0
  li t0, 0x1800
  csrc mstatus, t0
  mret
  .align 2
mtrap:
  j mtrap
user:
${user}
`, { file: 'hook.s' }));
  return m;
}

function setFlag(m: Machine, on: boolean): void {
  const v = new DataView(m.wasm.buffer);
  const f = v.getUint32(CTRL_BASE + CTRL_FLAGS, true);
  v.setUint32(CTRL_BASE + CTRL_FLAGS, on ? f | CTRL_FLAG_HOST_ECALL : f & ~CTRL_FLAG_HOST_ECALL, true);
}

const faultWord = (m: Machine, off: number): bigint => new DataView(m.wasm.buffer).getBigUint64(HART_BASE + off, true);

describe('CTRL_FLAG_HOST_ECALL', () => {
  it('a U-mode ecall stops run() with STOP_ECALL and pc at the ecall, as often as it is resumed there', () => {
    const m = boot('  li a0, 5\n  ecall\n  li a0, 6\n  ecall\n');
    setFlag(m, true);
    const e = instantiateEngine(m.wasm);
    expect(e.run(0, 1000)).toBe(STOP_ECALL);
    const h = m.hart(0);
    expect(h.priv).toBe(0);
    const at = h.pc;
    expect(m.memory.readU32(at)).toBe(0x00000073);
    expect(faultWord(m, H_FAULT_CAUSE)).toBe(8n);
    for (let i = 0; i < 100; i++) expect(e.run(0, 1000)).toBe(STOP_ECALL); // no storm: the host decides
    expect(h.pc).toBe(at);
    h.pc = at + 4n;
    expect(e.run(0, 1000)).toBe(STOP_ECALL);
    expect(h.x('a0')).toBe(6n);
    expect(h.csr('mcause')).toBe(0n); // no trap was entered
  });

  it('other U-mode exceptions stop with STOP_USER_TRAP, cause and tval, hart state unchanged', () => {
    const m = boot('  li t0, 0x7000000\n  ld a0, 0(t0)\n');
    setFlag(m, true);
    const e = instantiateEngine(m.wasm);
    expect(e.run(0, 1000)).toBe(STOP_USER_TRAP);
    expect(faultWord(m, H_FAULT_CAUSE)).toBe(5n); // load access fault (Bare: outside RAM)
    expect(faultWord(m, H_FAULT_TVAL)).toBe(0x7000000n);
    expect(m.hart(0).priv).toBe(0);
    expect(m.memory.readU32(m.hart(0).pc) & 0x7f).toBe(0x03); // still at the load
  });

  it('without the flag a U-mode ecall traps to M-mode as usual', () => {
    const m = boot('  ecall\n');
    setFlag(m, false);
    const e = instantiateEngine(m.wasm);
    expect(e.run(0, 1000)).toBe(0);
    expect(m.hart(0).priv).toBe(3);
    expect(m.hart(0).csr('mcause')).toBe(8n);
  });

  it('M-mode exceptions still enter the M-mode handler with the flag on (storms are still storms)', () => {
    const m = Machine.create({ ram: 0x100000 });
    m.loadProgram(assemble(`  .globl _start\n_start:\n  la t0, bad\n  csrw mtvec, t0\nbad:\n  .word 0xffffffff\n`, { file: 'm.s' }));
    setFlag(m, true);
    expect(instantiateEngine(m.wasm).run(0, 10_000)).toBe(STOP_FAULT_LOOP);
    expect(m.hart(0).csr('mcause')).toBe(2n);
  });
});
