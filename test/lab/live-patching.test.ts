// Patching while harts run, deterministic mode: protocol steps land between hart instructions where the seed puts them, the interleavings the protocols exist for do happen, and the trace stays exact.
import { describe, expect, it } from 'vitest';
import type { Lab, OpsHandle } from '../../src/lab/index.js';
import { GUEST_TRAP_EXIT_CODE } from '../../src/guest/index.js';
import { PatchError, PROTOCOL_NAMES, type PatchProtocol, type PatchStep, type ProtocolName } from '../../src/patch/index.js';
import { insnSteps, literalSteps, publishSteps } from '../../src/patch/plan-steps.js';
import { checkLiveTrace, callsPerPass, liveLab } from './live-helpers.js';

/**
 * From `at` instructions on, every `gap` instructions: enable tracing of `filter`, disable it, enable it again,
 * narrow the filter to kfunc_1*, then stop the workload (each update starts at its point or when the previous one
 * completed, whichever is later).
 */
function script(lab: Lab, at: number, filter: string, gap = 12_000): void {
  let h: OpsHandle | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  const then = (fn: () => Promise<unknown> | void) => (chain = chain.then(fn));
  lab.at(at, () => then(async () => (h = await lab.ftrace.register({ filter }))));
  lab.at(at + gap, () => then(() => lab.ftrace.unregister(h!)));
  lab.at(at + 2 * gap, () => then(() => lab.ftrace.register(h!)));
  lab.at(at + 3 * gap, () => then(() => lab.ftrace.setFilter(h!, 'kfunc_1*')));
  lab.at(at + 4 * gap, () => then(() => lab.stopWorkload()));
}

describe('live patching in deterministic mode', () => {
  for (const protocol of PROTOCOL_NAMES) {
    it(`${protocol}: updates land while both harts run; every trace is exact and attributed (3 seeds)`, async () => {
      for (const seed of [1, 2, 3]) {
        const lab = await liveLab({ protocol, seed, quantum: 7 });
        script(lab, 3000, 'kfunc_*');
        const r = await lab.run({ maxInsns: 5e7 });
        expect(r.reason).toBe('halted');
        expect(r.exitCode).toBe(0);
        expect(lab.updates.records.map((u) => u.report?.mode)).toEqual(['live', 'live', 'live', 'live']);
        const c = checkLiveTrace(lab);
        expect(c.wrongResults).toBe(0);
        expect(c.lost).toBe(0);
        expect(c.misattributed).toEqual([]);
        expect(c.inexact).toEqual([]);
        expect(c.exactPasses).toBeGreaterThan(10); // the exactness check looked at whole passes in every state
        expect(c.events.length).toBeGreaterThan(0);
      }
    }, 60_000);
  }

  it('breakpoint: with some seed a hart hits a planted c.ebreak and the handler emulates the new instruction; the trace stays exact', async () => {
    let found: { seed: number; hits: number } | null = null;
    for (let seed = 1; seed <= 40 && !found; seed++) {
      const lab = await liveLab({ protocol: 'breakpoint', seed, quantum: 5, kernel: { functions: 6, seed: 3, workload: 'loop' } });
      script(lab, 2000, 'kfunc_*', 3000);
      const r = await lab.run({ maxInsns: 5e7 });
      expect(r.exitCode).toBe(0);
      const hits = lab.patchCounters().reduce((a, c) => a + c.bpHits, 0);
      const c = checkLiveTrace(lab);
      expect(c.misattributed).toEqual([]);
      expect(c.inexact).toEqual([]);
      expect(c.wrongResults).toBe(0);
      if (hits > 0) found = { seed, hits };
    }
    expect(found).not.toBeNull();
  }, 120_000);

  it('atomic: with some seed a hart runs a whole pass on the OLD site word after the new one is in memory (before its fence.i IPI); the trace stays exact', async () => {
    let witness: string | null = null;
    for (let seed = 1; seed <= 60 && !witness; seed++) {
      const lab = await liveLab({ protocol: 'atomic', seed, quantum: 150, kernel: { functions: 4, seed: 5, workload: 'loop' } });
      const calls = callsPerPass(lab);
      // qs of every hart right after the last site word of the first update (the enable) landed
      let afterWrite: number[] | null = null;
      let updates = 0;
      lab.onPatchStep((step: PatchStep) => {
        if (step.op === 'ipi' && updates === 0 && !afterWrite) afterWrite = lab.patchCounters().map((c) => c.qs);
      });
      lab.at(4000, async (l) => {
        await l.ftrace.register({ filter: 'kfunc_*' });
        updates++;
        l.stopWorkload();
      });
      const r = await lab.run({ maxInsns: 5e7 });
      expect(r.exitCode).toBe(0);
      const c = checkLiveTrace(lab);
      expect(c.misattributed).toEqual([]);
      expect(c.inexact).toEqual([]);
      const end = lab.updates.records[0]!.report!.qsEnd!;
      const want = lab.ftrace.records().filter((rec) => calls(rec.ip) > 0).reduce((a, rec) => a + calls(rec.ip), 0);
      afterWrite!.forEach((snap, h) => {
        for (let q = snap + 1; q <= end[h]! && !witness; q++) {
          const got = c.events.filter((e) => e.hart === h && e.qs === q).length;
          if (got < want) witness = `seed ${seed}: hart ${h} pass ${q} began after the site words were written and traced ${got} of ${want} calls`;
        }
      });
    }
    expect(witness).not.toBeNull();
  }, 120_000);

  it('the checks catch a protocol that never flushes: passes after the update still run the old code', async () => {
    const noFlush: PatchProtocol = {
      name: 'no-flush',
      summary: 'writes only (broken on purpose)',
      needsGuestHandlers: false,
      steps: (plan) => [...publishSteps(plan), ...literalSteps(plan), ...insnSteps(plan)],
    };
    const lab = await liveLab({ protocol: noFlush, seed: 1, quantum: 7 });
    script(lab, 3000, 'kfunc_*');
    const r = await lab.run({ maxInsns: 5e7 });
    expect(r.exitCode).toBe(0);
    const c = checkLiveTrace(lab);
    expect(c.inexact.length).toBeGreaterThan(0);
    expect(c.inexact[0]).toMatch(/traced 0 times, expected [1-9]/);
  }, 60_000);

  it('freeing before the grace period (teardown: immediate) makes a hart execute poisoned memory, and the lab names it; rcu-tasks teardown never does', async () => {
    const run = async (seed: number, teardown: 'immediate' | 'rcu-tasks') => {
      const lab = await liveLab({ protocol: 'atomic', seed, quantum: 3, teardown, kernel: { functions: 6, seed: 3, workload: 'loop' } });
      let h: Promise<OpsHandle> | null = null;
      lab.at(3000, (l) => (h = l.ftrace.register({ filter: 'kfunc_*', module: true })));
      lab.at(9000, async (l) => {
        await l.ftrace.unregister(await h!);
        l.stopWorkload();
      });
      const r = await lab.run({ maxInsns: 1e7 });
      return { r, lab };
    };
    let hit: { seed: number; message: string } | null = null;
    for (let seed = 1; seed <= 80 && !hit; seed++) {
      const { r, lab } = await run(seed, 'immediate');
      if (r.exitCode === GUEST_TRAP_EXIT_CODE) {
        const t = lab.trapReport()!;
        expect(t.freed?.how).toBe('executed');
        expect(t.message).toMatch(/executed freed memory \(module callback of/);
        hit = { seed, message: t.message };
      } else {
        expect(r.exitCode).toBe(0);
      }
    }
    expect(hit).not.toBeNull();
    const safe = await run(hit!.seed, 'rcu-tasks');
    expect(safe.r.exitCode).toBe(0);
    expect(safe.lab.trapReport()).toBeNull();
    expect(safe.lab.updates.records[1]!.report!.counts.graceWaits).toBe(1);
  }, 120_000);

  it('replays: the same seed gives the same schedule (agent steps included) and the same trace', async () => {
    const once = async () => {
      const lab = await liveLab({ protocol: 'breakpoint', seed: 11, quantum: 5 });
      script(lab, 2500, 'kfunc_*');
      await lab.run({ maxInsns: 5e7 });
      return { log: lab.machine.scheduleLog(), trace: lab.trace.drain().map((e) => `${e.hart}:${e.qs}:${e.ip}:${e.op}`).join(',') };
    };
    const a = await once();
    const b = await once();
    expect(a.log).toContain(' A ');
    expect(a.log).toBe(b.log);
    expect(a.trace).toBe(b.trace);
  }, 60_000);

  it('an update made between two runs of a live guest runs the harts itself until it completes', async () => {
    const lab = await liveLab({ protocol: 'stop-machine', seed: 4, quantum: 9 });
    const first = await lab.run({ maxInsns: 20_000 });
    expect(first.reason).toBe('budget');
    const before = lab.retired;
    const h = await lab.ftrace.register({ filter: 'kfunc_2*' });
    expect(lab.retired).toBeGreaterThan(before); // the rendezvous needed the harts
    expect(lab.ftrace.lastReport!.mode).toBe('live');
    expect(lab.patchCounters().every((c) => c.ipis === 1)).toBe(true);
    await lab.ftrace.unregister(h);
    lab.stopWorkload();
    const r = await lab.run();
    expect(r.exitCode).toBe(0);
    const c = checkLiveTrace(lab);
    expect(c.misattributed).toEqual([]);
    expect(c.inexact).toEqual([]);
  }, 60_000);

  it('an update made before the first run, or after the guest halted, lands at once (nothing runs)', async () => {
    const lab = await liveLab({ protocol: 'breakpoint', kernel: { functions: 24, seed: 3, workload: 'loop', iterations: 3 } });
    const h = await lab.ftrace.register({ filter: 'kfunc_3' });
    expect(lab.ftrace.lastReport!.mode).toBe('quiescent');
    expect(lab.retired).toBe(0);
    const r = await lab.run();
    expect(r.reason).toBe('halted');
    await lab.ftrace.unregister(h);
    expect(lab.ftrace.lastReport!.mode).toBe('quiescent');
  });

  it('rejects an unknown protocol with a typed error that lists the valid names', async () => {
    await expect(liveLab({ protocol: 'rcu' as ProtocolName })).rejects.toThrow(/protocol must be one of atomic, stop-machine, breakpoint, stop-all/);
    const { createProtocol } = await import('../../src/patch/index.js');
    expect(() => createProtocol('text-poke')).toThrow(PatchError);
    expect(() => createProtocol('text-poke')).toThrow(/valid: atomic, stop-machine, breakpoint, stop-all/);
  });
});
