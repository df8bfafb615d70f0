// The stop-all patch protocol: every hart's icache is flushed (stale decode otherwise), writes are verified and tear-free.
import { describe, expect, it } from 'vitest';
import { FtraceLabError } from '../../src/errors.js';
import { applyPlanStopped, type PatchPlan } from '../../src/ftrace/index.js';
import { Lab } from '../../src/lab/index.js';
import { PatchError, StopAllApply, TextPoker, type PatchableMachine, type PatchProtocol, type PatchReport } from '../../src/patch/index.js';
import { smallLab } from './helpers.js';

/** A broken protocol for contrast: writes the bytes but never flushes any icache. */
class NoFlushApply implements PatchProtocol {
  readonly name = 'no-flush';
  async apply(plan: PatchPlan, m: PatchableMachine): Promise<PatchReport> {
    applyPlanStopped(plan, m.text);
    return { protocol: this.name, writes: 0, flushedHarts: 0, stoppedMs: 0 };
  }
}

/** Run the sample driver part-way, enable tracing of tracee_relevant, finish; return the events seen. */
async function enableMidRun(protocol: PatchProtocol): Promise<number> {
  const lab = await smallLab({ protocol, kernel: { functions: 10, seed: 3, runSample: true, nrCalls: 400 } });
  const first = await lab.run({ maxInsns: 2500 }); // well inside the driver loop: tracee_relevant is decoded
  expect(first.reason).toBe('budget');
  await lab.ftrace.register({ filter: 'tracee_relevant' });
  const r = await lab.run();
  expect(r.exitCode).toBe(0);
  return lab.trace.drain().length;
}

describe('StopAllApply', () => {
  it('flushes every hart so already-decoded sites take the new code (a no-flush protocol keeps running the old)', async () => {
    const withFlush = await enableMidRun(new StopAllApply());
    const without = await enableMidRun(new NoFlushApply());
    expect(withFlush).toBeGreaterThan(100);
    expect(withFlush).toBeLessThan(400);
    expect(without).toBe(0);
  });

  it('reports its writes and flushes all harts', async () => {
    const lab = await smallLab({ harts: 2 });
    await lab.ftrace.register({ filter: 'tracee_relevant' });
    const rep = lab.ftrace.lastReport!;
    expect(rep.protocol).toBe('stop-all');
    expect(rep.flushedHarts).toBe(2);
    expect(rep.writes).toBeGreaterThan(0);
  });

  it('patches a running parallel machine (pause, apply, flush, resume) and the guest still finishes correctly', async () => {
    const lab = await Lab.create({ harts: 2, mode: 'parallel', kernel: { functions: 10, runSample: true, nrCalls: 300_000 }, bufferSizeKb: 4096 });
    const run = lab.run({ maxInsns: 1e9 });
    await new Promise((r) => setTimeout(r, 20));
    const h = await lab.ftrace.register({ filter: 'tracee_relevant' });
    await lab.ftrace.unregister(h);
    await lab.ftrace.register(h);
    const r = await run;
    expect(r.reason).toBe('halted');
    expect(r.exitCode).toBe(0);
    const evs = lab.trace.drain();
    // how many calls were traced depends on timing; which function and caller do not
    expect(evs.every((e) => e.symbol === 'tracee_relevant' && e.parentSymbol === 'ftrace_ops_sample_run' && e.hart === 0)).toBe(true);
  });
});

describe('TextPoker', () => {
  it('writes 2/4/8-byte aligned and odd-sized stores correctly and rejects addresses outside RAM', async () => {
    const lab = await smallLab();
    const t = new TextPoker(lab.machine.memory);
    const at = lab.symbol('ftrace_heap_end') - 64;
    const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed) & 0xff);
    for (const [off, n] of [[0, 8], [8, 4], [12, 2], [15, 3], [20, 8]] as const) {
      const b = bytes(n, off);
      t.write(at + off, b);
      expect([...t.read(at + off, n)]).toEqual([...b]);
    }
    expect(() => t.write(0x1000, new Uint8Array(8))).toThrow(PatchError);
    try {
      t.write(0x1000, new Uint8Array(8));
    } catch (e) {
      expect(e).toBeInstanceOf(FtraceLabError);
      expect((e as FtraceLabError).code).toBe('PATCH_OUTSIDE_RAM');
    }
  });
});
