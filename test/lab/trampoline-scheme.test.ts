// The `trampoline` scheme: per-ops trampolines in the window after ftrace_caller, reach fallback, moves between targets, RCU-tasks teardown.
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/lab/index.js';
import { dynamicCallCounts } from '../../src/workload/index.js';

async function lab(functions = 60): Promise<Lab> {
  return Lab.create({ harts: 1, scheme: 'trampoline', bufferSizeKb: 256, ram: 32 << 20, kernel: { functions, seed: 5, runSample: true, nrCalls: 7 } });
}

describe('trampoline scheme', () => {
  it('sites traced by one ops call its own trampoline when the frozen auipc reaches it, else ftrace_caller; the trace stays exact', async () => {
    const l = await lab();
    const caller = l.symbol('ftrace_caller');
    const h = await l.ftrace.register({ filter: 'kfunc_*' });
    const tramp = l.core.trampolineStats();
    expect(tramp.trampolines).toBe(1);
    expect(tramp.windowFull).toBe(0);
    const traced = l.ftrace.records().filter((r) => r.count === 1);
    expect(tramp.sitesOwn + tramp.sitesFallback).toBe(traced.length);
    expect(tramp.sitesOwn).toBeGreaterThan(0);
    expect(tramp.sitesFallback).toBeGreaterThan(0); // some sites' auipc hi20 does not cover the window
    const addr = traced.find((r) => r.state.call !== caller)!.state.call!;
    expect(addr).toBeGreaterThanOrEqual(l.symbol('ftrace_tramp_window'));
    expect(addr).toBeLessThan(l.symbol('ftrace_tramp_window_end'));
    for (const r of traced) {
      if (r.state.call === caller) expect(l.core.scheme.canReach(r, addr)).toBe(false);
      else expect(r.state.call).toBe(addr);
    }
    expect(l.ftrace.trampolineStats()).toEqual(tramp);
    const run = await l.run();
    expect(run.exitCode).toBe(0);
    const k = l.guest.image!.kernel;
    const counts = dynamicCallCounts(k.graph);
    const evs = l.trace.drain();
    for (const [i, f] of k.functions.entries()) expect(evs.filter((e) => e.symbol === f.name), f.name).toHaveLength(counts[i]!);
    expect(evs.every((e) => e.op === l.core.opsAddr(h.ops))).toBe(true);
  });

  it('moves a site between its own trampoline and ftrace_caller as ops come and go, and frees the trampoline after the grace period', async () => {
    const l = await lab();
    const caller = l.symbol('ftrace_caller');
    const a = await l.ftrace.register({ filter: 'kfunc_*' });
    const tAddr = l.ftrace.records().find((r) => r.count === 1 && r.state.call !== caller)!.state.call!;
    const rec = l.ftrace.records().find((r) => r.count === 1 && r.state.call === tAddr)!;
    const b = await l.ftrace.register({ filter: rec.symbol });
    expect(rec.state.call).toBe(caller); // two ops: the shared trampoline and the list func
    const toCaller = l.ftrace.plan().sites.filter((s) => s.ip === rec.ip);
    expect(toCaller).toHaveLength(1);
    await l.ftrace.unregister(b);
    expect(rec.state.call).toBe(tAddr); // back to A's own trampoline
    expect(l.ftrace.plan().frees.map((f) => f.what)).toContain(`trampoline of ${b.name}`); // B's own (never called) goes too
    await l.ftrace.unregister(a);
    const frees = l.ftrace.plan().frees.filter((f) => f.what === `trampoline of ${a.name}`);
    expect(frees).toEqual([expect.objectContaining({ addr: tAddr })]);
    expect(l.heap.liveAt(tAddr)).toBeUndefined();
    expect(l.heap.freedAt(tAddr)?.what).toBe(`trampoline of ${a.name}`);
    expect(l.machine.memory.read(tAddr, 4)).toEqual(new Uint8Array([0xff, 0xff, 0xff, 0xff])); // poisoned
    const steps = l.previewSteps({ ...l.ftrace.plan(), frees });
    const gp = steps.findIndex((s) => s.op === 'grace-period');
    expect(gp).toBeGreaterThanOrEqual(0);
    expect(steps.findIndex((s) => s.op === 'free')).toBeGreaterThan(gp); // RCU-tasks: free only after the grace period
  });

  it('trampoline-far: no site falls back; out-of-reach sites get their auipc rewritten and back to ftrace_caller when disabled', async () => {
    const l = await Lab.create({ harts: 1, scheme: 'trampoline-far', bufferSizeKb: 256, ram: 32 << 20, kernel: { functions: 60, seed: 5, runSample: true, nrCalls: 7 } });
    expect(l.protocol.name).toBe('stop-machine');
    const boot = l.ftrace.records().map((r) => Buffer.from(l.machine.memory.read(r.funcAddr, 8)).toString('hex')).join();
    const h = await l.ftrace.register({ filter: 'kfunc_*' });
    const s = l.ftrace.trampolineStats();
    expect(s.sitesFallback).toBe(0);
    expect(s.sitesOwn).toBe(l.ftrace.records().filter((r) => r.count === 1).length);
    expect(l.ftrace.plan().sites.some((w) => w.new.length === 8)).toBe(true); // some auipc+jalr pairs
    const r = await l.run();
    expect(r.exitCode).toBe(0);
    const k = l.guest.image!.kernel;
    const counts = dynamicCallCounts(k.graph);
    const evs = l.trace.drain();
    for (const [i, f] of k.functions.entries()) expect(evs.filter((e) => e.symbol === f.name), f.name).toHaveLength(counts[i]!);
    await l.ftrace.unregister(h);
    expect(l.ftrace.records().map((x) => Buffer.from(l.machine.memory.read(x.funcAddr, 8)).toString('hex')).join()).toBe(boot);
  });

  it('when the window is full, later ops get no trampoline and their sites use ftrace_caller', async () => {
    const l = await lab();
    const caller = l.symbol('ftrace_caller');
    const names = l.ftrace.records().map((r) => r.symbol).filter((n) => n.startsWith('kfunc_'));
    for (const n of names.slice(0, 40)) await l.ftrace.register({ filter: n });
    const s = l.ftrace.trampolineStats();
    expect(s.windowFull).toBeGreaterThan(0);
    expect(s.trampolines + s.windowFull).toBe(40);
    expect(s.sitesOwn + s.sitesFallback).toBe(40);
    const r = await l.run();
    expect(r.exitCode).toBe(0);
    const withCaller = l.ftrace.records().filter((x) => x.count === 1 && x.state.call === caller);
    expect(withCaller.length).toBeGreaterThanOrEqual(s.windowFull);
  });
});
