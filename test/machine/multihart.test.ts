// Many harts on one shared memory: spinlocks (AMO and LR/SC), IPIs, wfi, timers, cross-hart icache, replay.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { Machine, type MachineOptions, type RunResult } from '../../src/machine/index.js';
import { DeterministicScheduler } from '../../src/machine/sched/deterministic.js';
import { crossHartIcache, ipiPingPong, spinlockCounter, timerInterrupt } from './programs.js';

function boot(source: string, opts: MachineOptions): Machine {
  const m = Machine.create({ ram: 0x100000, ...opts });
  m.loadProgram(assemble(source, { file: 'multihart.s' }));
  return m;
}

async function runIn(mode: 'deterministic' | 'parallel', source: string, opts: MachineOptions & { maxInsns?: number }): Promise<RunResult> {
  const m = boot(source, { mode, ...opts });
  // Parallel workers start at different times and harts spin while they wait for each other, so the
  // instruction count is not bounded by the work: give parallel runs a large budget (they end by halting).
  return m.start({ maxInsns: mode === 'parallel' ? 5e9 : (opts.maxInsns ?? 5e7) });
}

function expectPass(r: RunResult): void {
  expect({ reason: r.reason, exit: r.exitValue }).toEqual({ reason: 'halted', exit: 1n });
}

describe.each(['deterministic', 'parallel'] as const)('%s mode', (mode) => {
  it('4 harts x 100,000 increments under an amoswap spinlock give an exact count', async () => {
    const r = await runIn(mode, spinlockCounter(4, 100_000, false), { harts: 4, seed: 7, quantum: 200 });
    expectPass(r);
    expect(r.harts).toHaveLength(4);
    for (const h of r.harts) expect(h.instructions).toBeGreaterThan(100_000 * 5);
  });

  it('4 harts x 100,000 increments under an LR/SC spinlock give an exact count', async () => {
    const r = await runIn(mode, spinlockCounter(4, 100_000, true), { harts: 4, seed: 11, quantum: 200 });
    expectPass(r);
  });

  it('passes a message with IPIs between two harts sleeping in wfi', async () => {
    expectPass(await runIn(mode, ipiPingPong(), { harts: 2, seed: 3, quantum: 50, maxInsns: 1e6 }));
  });

  it('delivers a timer interrupt to a hart in wfi, not before mtimecmp', async () => {
    expectPass(await runIn(mode, timerInterrupt(), { harts: 1, maxInsns: 1e6 }));
  });

  it('keeps running stale code on another hart until that hart executes fence.i', async () => {
    expectPass(await runIn(mode, crossHartIcache(), { harts: 2, seed: 5, quantum: 20, maxInsns: 2e7 }));
  });
});

describe('deterministic scheduler', () => {
  const src = spinlockCounter(3, 2_000, true);
  const run = (seed: number, quantum = 7) => {
    const m = boot(src, { harts: 3, seed, quantum });
    const r = m.run({ maxInsns: 1e7 });
    const regs = m.harts.map((h) => Array.from({ length: 32 }, (_, i) => h.x(i)).concat([h.pc, h.minstret]));
    return { m, r, log: m.scheduleLog(), state: JSON.stringify(regs, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) };
  };

  it('gives byte-identical schedule logs and final states for one seed', () => {
    const a = run(42);
    const b = run(42);
    expectPass(a.r);
    expect(a.log.length).toBeGreaterThan(1000);
    expect(b.log).toBe(a.log);
    expect(b.state).toBe(a.state);
    expect(b.r).toEqual(a.r);
  });

  it('gives different schedules for different seeds', () => {
    expect(run(1).log).not.toBe(run(2).log);
  });

  it('interleaves at every instruction with quantum 1', () => {
    const { log } = run(9, 1);
    const budgets = new Set(log.trim().split('\n').map((l) => l.split(' ')[2]));
    expect([...budgets]).toEqual(['1']);
  });

  it('replays a recorded schedule exactly', () => {
    const a = run(77);
    const m = boot(src, { harts: 3, replay: DeterministicScheduler.parseLog(a.log) });
    const r = m.run({ maxInsns: 1e7 });
    expect(r).toEqual(a.r);
    expect(m.scheduleLog()).toBe(a.log);
  });

  it('runs host actions at a given step, between two instructions', () => {
    // Hart 0 spins until the host writes a nonzero word (at step 500), then records minstret.
    const source = `
  .globl _start
_start:
  li gp, 2
  la t0, flag
1: ld t1, 0(t0)
  beqz t1, 1b
  csrr t2, minstret
  sd t2, 8(t0)
  li t5, 0x80000000
  la t5, tohost
  li gp, 1
  sd gp, 0(t5)
2: j 2b
  .data
  .align 6
  .globl tohost
tohost: .dword 0
flag: .dword 0, 0
`;
    const prog = assemble(source);
    const flag = Number(prog.symbols.find((s) => s.name === 'flag')!.value);
    const m = Machine.create({ ram: 0x100000, harts: 1, seed: 1, quantum: 1 });
    m.loadProgram(prog);
    m.at(500, { write: { addr: flag, bytes: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]) } });
    expectPass(m.run({ maxInsns: 1e5 }));
    // quantum 1: one instruction per step, so the write landed after exactly 500 retired instructions
    // (the spin loop then needs at most one more iteration, 3 instructions, to see it).
    const seenAt = m.memory.readU64(flag + 8);
    expect(seenAt).toBeGreaterThanOrEqual(500n);
    expect(seenAt).toBeLessThanOrEqual(504n);
  });

  it('rejects a replay that diverges from what is runnable, leaving the machine usable', () => {
    const m = boot(src, { harts: 3, replay: [{ hart: 5, budget: 1 }] });
    expect(() => m.run({ maxInsns: 10 })).toThrow(/not runnable/);
  });
});

describe('parallel mode control', () => {
  it('pauses all harts at instruction boundaries, allows inspection and single-step, then resumes', async () => {
    const m = boot(spinlockCounter(2, 3_000_000, false), { harts: 2, mode: 'parallel' });
    const done = m.start({ maxInsns: 1e9 });
    await new Promise((r) => setTimeout(r, 100));
    await m.pause();
    const before = m.hart(1).minstret;
    await new Promise((r) => setTimeout(r, 50));
    expect(m.hart(1).minstret).toBe(before); // parked: nothing retires
    m.step(1);
    expect(m.hart(1).minstret).toBe(before + 1n);
    m.resume();
    expectPass(await done);
  });

  it('rejects step() while harts are running, and run() on a parallel machine', async () => {
    const m = boot(spinlockCounter(2, 200_000, false), { harts: 2, mode: 'parallel' });
    expect(() => m.run()).toThrow(/start\(\)/);
    const done = m.start({ maxInsns: 1e9 }); // the workers are running from here until the promise settles
    expect(() => m.step(0)).toThrow(/pause/);
    expectPass(await done);
  });

  it('emits halted when the guest ends the run', async () => {
    const m = boot(spinlockCounter(2, 1000, true), { harts: 2, mode: 'parallel' });
    let heard: RunResult | undefined;
    m.on('halted', (r) => (heard = r));
    const r = await m.start({ maxInsns: 1e8 });
    expect(heard).toBe(r);
  });
});
