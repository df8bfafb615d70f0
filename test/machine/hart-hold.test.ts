// Holding one hart (pauseHart/resumeHart) while the others run, hart states, stopping a parallel run, and the loop workload's iteration count.
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/lab/index.js';
import { expectedKernelResult } from '../../src/workload/index.js';
import { WORKLOAD_SYMBOLS } from '../../src/workload/guest-image.js';

/** Polls `cond` every few ms until it holds (a deadline, not a sleep used as synchronisation). */
async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const liveLab = (mode: 'parallel' | 'deterministic', harts = 2) =>
  Lab.create({ harts, mode, seed: 4, bufferSizeKb: 16, ram: 32 << 20, kernel: { functions: 40, seed: 2, workload: 'loop' } });

describe('loop workload', () => {
  it('runs the kernel `iterations` times on every hart, then halts with the same result as one run', async () => {
    const lab = await Lab.create({ harts: 2, seed: 1, ram: 32 << 20, kernel: { functions: 40, seed: 2, workload: 'loop', iterations: 3 } });
    const r = await lab.run({ maxInsns: 1e8 });
    expect(r.reason).toBe('halted');
    expect(r.exitCode).toBe(0);
    const want = expectedKernelResult(lab.guest.image!.kernel, 1n);
    const results = lab.symbol(WORKLOAD_SYMBOLS.results);
    for (let h = 0; h < 2; h++) expect(lab.machine.memory.readU64(results + 8 * h)).toBe(want);
    const once = await Lab.create({ harts: 2, seed: 1, ram: 32 << 20, kernel: { functions: 40, seed: 2, workload: 'loop', iterations: 1 } });
    const r1 = await once.run({ maxInsns: 1e8 });
    expect(r.instructions).toBeGreaterThan(2.5 * r1.instructions);
  });

  it('iterations 0 runs until the budget, and a bad iteration count is a typed error', async () => {
    const lab = await liveLab('deterministic');
    expect((await lab.run({ maxInsns: 3e6 })).reason).toBe('budget');
    await expect(Lab.create({ kernel: { functions: 10, workload: 'loop', iterations: -1 } })).rejects.toMatchObject({ code: 'LAB_BAD_OPTION' });
  });
});

describe('deterministic mode: a held hart is not scheduled', () => {
  it('gives every instruction to the other hart, and the run says pause when all are held', async () => {
    const lab = await liveLab('deterministic');
    const m = lab.machine;
    await m.pauseHart(1);
    expect(m.hartState(1)).toBe('paused');
    expect(m.isHartPaused(1)).toBe(true);
    const r = m.run({ maxInsns: 200_000 });
    expect(r.harts[1]!.instructions).toBe(0);
    expect(r.harts[0]!.instructions).toBe(200_000);
    await m.pauseHart(0);
    expect(m.run({ maxInsns: 200_000 }).reason).toBe('pause');
    m.resumeHart(0);
    m.resumeHart(1);
    const r2 = m.run({ maxInsns: 200_000 });
    expect(r2.harts[0]!.instructions).toBeGreaterThan(0);
    expect(r2.harts[1]!.instructions).toBeGreaterThan(0);
  });
});

describe('parallel mode: hold one hart while the other runs', () => {
  it('parks hart 1 (its counter stops) while hart 0 advances, resumes it, and stop() ends the run', async () => {
    const lab = await liveLab('parallel');
    const m = lab.machine;
    const run = lab.run({ maxInsns: 1e13 });
    await until(() => m.hart(0).retired > 1_000_000n && m.hart(1).retired > 1_000_000n, 'both harts to run');
    expect([m.hartState(0), m.hartState(1)]).toEqual(['running', 'running']);
    await m.pauseHart(1);
    expect(m.hartState(1)).toBe('paused');
    const held = m.hart(1).retired;
    const other = m.hart(0).retired;
    await until(() => m.hart(0).retired > other + 5_000_000n, 'hart 0 to go on');
    expect(m.hart(1).retired).toBe(held);
    // A global pause/resume (what a patch protocol does) does not release the held hart.
    await m.pause();
    m.resume();
    const other2 = m.hart(0).retired;
    await until(() => m.hart(0).retired > other2 + 5_000_000n, 'hart 0 after a global pause');
    expect(m.hart(1).retired).toBe(held);
    m.resumeHart(1);
    await until(() => m.hart(1).retired > held + 1_000_000n, 'hart 1 to resume');
    m.stop();
    const r = await run;
    expect(r.reason).toBe('budget');
    expect(m.hartState(0)).toBe('idle');
  });

  it('stop() also ends a run whose harts are held', async () => {
    const lab = await liveLab('parallel');
    const m = lab.machine;
    const run = lab.run({ maxInsns: 1e13 });
    await until(() => m.hart(1).retired > 100_000n, 'hart 1 to run');
    await m.pauseHart(0);
    await m.pauseHart(1);
    m.stop();
    expect((await run).reason).toBe('budget');
  });
});
