// Debugger breakpoints (machine.breakpoints, gdb's Z0): a machine-wide list every hart checks before executing;
// guest memory and decode caches never see a patched instruction.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/index.js';
import { testProgram } from '../engine/harness.js';

/** Calls `bump` 5 times (a0 counts the calls); `other` sits on the same page and is never executed. */
const SRC = testProgram(`
  li s0, 0
  li s1, 5
1: call bump
  addi s0, s0, 1
  blt s0, s1, 1b
  li t0, 5
  bne a0, t0, fail
  j pass
bump:
  addi a0, a0, 1
  ret
other:
  addi a0, a0, 100
  ret
`);

function setup(harts = 1) {
  const prog = assemble(SRC);
  const sym = (n: string) => prog.symbols.find((s) => s.name === n)!.value;
  const m = Machine.create({ ram: 0x100000, harts, seed: 3, quantum: 7 });
  m.loadProgram(prog);
  return { m, bump: sym('bump'), other: sym('other') };
}

describe('machine.breakpoints', () => {
  it('stops every time a hart reaches an armed address, with pc there, and resumes past it', () => {
    const { m, bump } = setup();
    const before = m.memory.read(bump, 4);
    m.breakpoints.add(bump);
    expect([...m.memory.read(bump, 4)]).toEqual([...before]); // nothing written into guest memory
    let hits = 0;
    for (;;) {
      const r = m.run({ maxInsns: 1e5 });
      if (r.reason !== 'breakpoint') {
        expect(r).toMatchObject({ reason: 'halted', exitCode: 0 });
        break;
      }
      hits++;
      expect(m.hart(0).pc).toBe(BigInt(bump));
      expect(m.hart(0).x('a0')).toBe(BigInt(hits - 1)); // stopped before the addi executed
    }
    expect(hits).toBe(5);
  });

  it('an armed address that is never executed (same page) does not stop the hart', () => {
    const { m, other } = setup();
    m.breakpoints.add(other);
    expect(m.run({ maxInsns: 1e5 })).toMatchObject({ reason: 'halted', exitCode: 0 });
  });

  it('step() executes the instruction at a breakpoint; remove() disarms; several at once', () => {
    const { m, bump, other } = setup();
    m.breakpoints.add(other);
    m.breakpoints.add(bump);
    expect(m.breakpoints.list()).toEqual([BigInt(other), BigInt(bump)]);
    expect(m.run({ maxInsns: 1e5 }).reason).toBe('breakpoint');
    m.step(0);
    expect(m.hart(0).x('a0')).toBe(1n);
    expect(m.hart(0).pc).toBe(BigInt(bump) + 2n);
    expect(m.breakpoints.remove(bump)).toBe(true);
    expect(m.breakpoints.remove(bump)).toBe(false);
    expect(m.run({ maxInsns: 1e5 })).toMatchObject({ reason: 'halted', exitCode: 0 });
  });

  it('applies to every hart (each of 3 harts stops at the same address)', () => {
    const { m, bump } = setup(3);
    m.breakpoints.add(bump);
    const stoppedHarts = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const r = m.run({ maxInsns: 1e5 });
      if (r.reason !== 'breakpoint') break;
      stoppedHarts.add(r.hart!);
      expect(m.hart(r.hart!).pc).toBe(BigInt(bump));
    }
    expect([...stoppedHarts].sort()).toEqual([0, 1, 2]);
  });

  it('a run or slice that starts at a breakpoint address stops there (the previous one ended just before it)', () => {
    /** Runs to the end; counts breakpoint stops per hart (each stop is resumed, which executes the instruction). */
    const hits = (m: Machine, run: { maxInsns: number }) => {
      const per = m.harts.map(() => 0);
      for (let i = 0; i < 100_000; i++) {
        const r = m.run(run);
        if (r.reason === 'breakpoint') {
          expect(m.hart(r.hart!).pc).toBe(BigInt(bump));
          per[r.hart!]!++;
        } else if (r.reason !== 'budget') {
          expect(r).toMatchObject({ reason: 'halted', exitCode: 0 });
          expect(per[r.hart!]).toBe(5); // the hart that ended the program stopped at each of its 5 calls
          // every other hart stopped at every call it made: s0 counts the calls that returned (one more may be under way)
          m.harts.forEach((h, i) => expect(per[i]! - Number(h.x('s0'))).toBeOneOf([0, 1]));
          return per;
        }
      }
      throw new Error('did not halt');
    };
    const prog = assemble(SRC);
    const bump = prog.symbols.find((s) => s.name === 'bump')!.value;
    for (const how of ['list', 'hart'] as const) {
      const arm = (m: Machine) => (how === 'list' ? m.breakpoints.add(bump) : m.harts.forEach((h) => h.setBreakpoint(bump)));
      // one instruction per run(): every run starts where the last one ended
      const one = Machine.create({ ram: 0x100000 });
      one.loadProgram(prog);
      arm(one);
      expect(hits(one, { maxInsns: 1 }), how).toEqual([5]);
      // quantum 1: every scheduling decision is a one-instruction slice, so each arrival starts a slice
      for (const engine of ['interp', 'jit'] as const) {
        const m = Machine.create({ ram: 0x100000, harts: 2, seed: 3, quantum: 1, engine });
        m.loadProgram(prog);
        arm(m);
        expect(hits(m, { maxInsns: 1e6 }).reduce((a, b) => a + b), `${how} ${engine}`).toBeGreaterThanOrEqual(9);
      }
    }
  });

  it('rejects more than 64 breakpoints with a typed error', () => {
    const { m } = setup();
    for (let i = 0; i < 64; i++) m.breakpoints.add(0x80010000 + 4 * i);
    expect(() => m.breakpoints.add(0x80020000)).toThrow(/at most 64/);
    m.breakpoints.clear();
    expect(m.breakpoints.list()).toEqual([]);
  });
});
