// Machine API and `ftrace-lab run` tests: loading, bad input, budgets, fault reports, UART capture, registers/CSRs/memory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main as runMain } from '../../src/cli/run.js';
import { writeElfExecutable } from '../../src/elf/writer.js';
import { assemble, toElf } from '../../src/isa/index.js';
import { Machine, MachineError, formatFault } from '../../src/machine/index.js';
import { runSource, testProgram } from './harness.js';

const HELLO = testProgram(`
  li t0, 0x10000000
  la t1, msg
1: lbu t2, 0(t1)
  beqz t2, 2f
  sb t2, 0(t0)
  lbu t3, 5(t0)           # LSR must say THR empty
  andi t3, t3, 0x60
  li t4, 0x60
  bne t3, t4, fail
  addi t1, t1, 1
  j 1b
2:`, 'msg: .asciz "hello, UART\\n"');

function tmpFile(name: string, bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'ftl-engine-'));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Runs the CLI verb with captured stdout/stderr. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await runMain(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('Machine', () => {
  it('captures UART output and halts through tohost', () => {
    const { machine, result } = runSource(HELLO);
    expect(result).toMatchObject({ reason: 'halted', exitCode: 0, exitValue: 1n });
    expect(machine.uartOutput).toBe('hello, UART\n');
    expect(result.instructions).toBeGreaterThan(50);
    expect(result.harts[0]!.instructions).toBe(result.instructions);
    expect(machine.minstret(0)).toBe(machine.hart(0).retired);
  });

  it('output larger than the UART ring is not lost (the host drains between slices)', () => {
    const src = testProgram(`
  li t0, 0x10000000
  li t1, 100000
  li t2, 0
1: andi t3, t2, 63
  addi t3, t3, 48
  sb t3, 0(t0)
  addi t2, t2, 1
  bne t2, t1, 1b`);
    const { machine, result } = runSource(src, { maxInsns: 2e6 });
    expect(result.reason).toBe('halted');
    const out = machine.uartOutput;
    expect(out.length).toBe(100000);
    expect(out.slice(0, 3)).toBe('012');
    expect(out.charCodeAt(99999)).toBe(48 + (99999 & 63));
  });

  it('reports the failing case number as the exit code', () => {
    const { result } = runSource(testProgram('  li gp, 42\n  j fail'));
    expect(result).toMatchObject({ reason: 'halted', exitCode: 42 });
  });

  it('a program that never halts stops with reason budget after exactly maxInsns', () => {
    const { machine, result } = runSource(testProgram('1: j 1b'), { maxInsns: 12345 });
    expect(result.reason).toBe('budget');
    expect(result.instructions).toBe(12345);
    expect(machine.run({ maxInsns: 100, slice: 7 }).instructions).toBe(100);
  });

  it('a trap storm stops with reason fault and a formatted report', () => {
    const { result } = runSource(testProgram('  li t0, 0x3000\n  csrw mtvec, t0\n  ecall'));
    expect(result.reason).toBe('fault');
    const text = formatFault(result.fault!);
    expect(text).toContain('instruction access fault');
    expect(text).toContain('0x0000000000003000');
  });

  it('rejects bad options and addresses with typed errors', () => {
    expect(() => Machine.create({ ram: 12345 })).toThrow(MachineError);
    expect(() => Machine.create({ harts: 0 })).toThrow(/harts/);
    const m = Machine.create({ ram: 0x10000 });
    expect(() => m.memory.readU32(0x1000)).toThrow(expect.objectContaining({ code: 'MACHINE_OUTSIDE_RAM' }));
    expect(() => m.memory.writeU64(0x80010000 - 4, 1n)).toThrow(MachineError);
    expect(() => m.hart(3)).toThrow(expect.objectContaining({ code: 'MACHINE_BAD_HART' }));
    expect(() => m.hart(0).x('x32')).toThrow(expect.objectContaining({ code: 'MACHINE_BAD_REGISTER' }));
    expect(() => m.hart(0).csr('nonsense')).toThrow(expect.objectContaining({ code: 'MACHINE_BAD_CSR' }));
    expect(() => m.hart(0).csr(0x7ff)).toThrow(/not implemented/);
    expect(() => m.run({ maxInsns: -1 })).toThrow(MachineError);
  });

  it('an ELF that loads outside RAM is rejected before anything runs', () => {
    const elf = writeElfExecutable({
      entry: 0x80000000,
      sections: [{ name: '.text', addr: 0x80000000 + 0x100000, data: new Uint8Array(16), exec: true }],
      symbols: [],
    });
    const m = Machine.create({ ram: 0x100000 });
    expect(() => m.loadElf(elf)).toThrow(expect.objectContaining({ code: 'ELF_OUTSIDE_RAM' }));
    const prog = assemble('_start: nop', { base: 0x70000000 });
    expect(() => m.loadProgram(prog)).toThrow(expect.objectContaining({ code: 'MACHINE_OUTSIDE_RAM' }));
  });

  it('registers, pc, CSRs and memory are readable and writable from the host', () => {
    const m = Machine.create({ ram: 0x100000 });
    m.loadProgram(assemble('_start:\n  add a0, a0, a1\n  ebreak\n1: j 1b'));
    const h = m.hart(0);
    h.setX('a0', 40);
    h.setX(11, 2n);
    h.setX(0, 5);
    h.setCsr('mscratch', 0x1234n);
    h.setCsr('mtvec', 0x80000004n); // ebreak traps to the j 1b loop (after add at +0 and ebreak at +2)
    m.run({ maxInsns: 10 });
    expect(h.x('a0')).toBe(42n);
    expect(h.x(0)).toBe(0n);
    expect(h.csr('mscratch')).toBe(0x1234n);
    expect(h.csr('mcause')).toBe(3n);
    expect(h.csr(0x341)).toBe(0x80000002n);
    m.memory.writeU64(0x80001000, 0x1122334455667788n);
    expect(m.memory.readU32(0x80001004)).toBe(0x11223344);
    expect([...m.memory.read(0x80001000, 2)]).toEqual([0x88, 0x77]);
  });

  it('stops at a host breakpoint and resumes past it', () => {
    const src = testProgram('  li x5, 0\n1: addi x5, x5, 1\nbp_here:\n  li x6, 10\n  blt x5, x6, 1b');
    const prog = assemble(src);
    const bp = prog.symbols.find((s) => s.name === 'bp_here')!.value;
    const m = Machine.create({ ram: 0x100000 });
    m.loadProgram(prog);
    m.hart(0).setBreakpoint(bp);
    let r = m.run({ maxInsns: 1e5 });
    expect(r.reason).toBe('breakpoint');
    expect(m.hart(0).pc).toBe(BigInt(bp));
    expect(m.hart(0).x(5)).toBe(1n);
    r = m.run({ maxInsns: 1e5 });
    expect(r.reason).toBe('breakpoint');
    expect(m.hart(0).x(5)).toBe(2n);
    m.hart(0).clearBreakpoint();
    r = m.run({ maxInsns: 1e5 });
    expect(r).toMatchObject({ reason: 'halted', exitCode: 0 });
  });
});

describe('ftrace-lab run', () => {
  it('prints UART output, exits with the guest exit code, --json stats', async () => {
    const path = tmpFile('hello.elf', toElf(assemble(HELLO)));
    const r = await cli([path, '--ram', '1M', '--json']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('hello, UART\n');
    const stats = JSON.parse(r.err.trim().split('\n').pop()!);
    expect(stats).toMatchObject({ exitCode: 0, stopReason: 'halted', harts: [{ instructions: stats.instructions }] });
    expect(typeof stats.mips).toBe('number');
    expect(typeof stats.seconds).toBe('number');
  });

  it('exit codes: guest failure, budget 124, trap storm 125, bad ELF 65, bad usage 64', async () => {
    const fail = tmpFile('fail.elf', toElf(assemble(testProgram('  li gp, 3\n  j fail'))));
    expect((await cli([fail])).code).toBe(3);
    const spin = tmpFile('spin.elf', toElf(assemble(testProgram('1: j 1b'))));
    const b = await cli([spin, '--max-insns', '1000', '--stats']);
    expect(b.code).toBe(124);
    expect(b.err).toMatch(/instructions: 1000 /);
    const storm = tmpFile('storm.elf', toElf(assemble(testProgram('  li t0, 0x3000\n  csrw mtvec, t0\n  ecall'))));
    const s = await cli([storm]);
    expect(s.code).toBe(125);
    expect(s.err).toContain('trap storm');
    const bad = tmpFile('bad.elf', new TextEncoder().encode('not an elf at all'));
    const e = await cli([bad]);
    expect(e.code).toBe(65);
    expect(e.err).toMatch(/ELF/);
    expect((await cli([])).code).toBe(64);
    expect((await cli([spin, '--ram', 'lots'])).code).toBe(64);
    expect((await cli([spin, '--bogus'])).code).toBe(64);
    expect((await cli([spin, '--ram', '1000'])).code).toBe(64);
    expect((await cli(['/nonexistent/file.elf'])).code).toBe(65);
  });
});
