// Direct calls: a BPF-style fentry/fexit trampoline attached through register_ftrace_direct, alone and sharing a function with a tracer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/lab/index.js';
import { dynamicCallCounts } from '../../src/workload/index.js';

const ELF = () => new Uint8Array(readFileSync(join('test', 'fixtures', 'bin', 'calls.rv64imac.elf')));

/** chain8(x) = 3x + 1, called 5000 times by chain7: entries and exits alternate (one hart). */
function checkChain8(lab: Lab, recs: ReturnType<Awaited<ReturnType<Lab['ftrace']['attachFentryFexit']>>['records']>): void {
  expect(recs).toHaveLength(10_000);
  const chain7 = lab.symbol('chain7');
  for (let i = 0; i < recs.length; i += 2) {
    const [entry, exit] = [recs[i]!, recs[i + 1]!];
    expect(entry.kind).toBe('entry');
    expect(exit.kind).toBe('exit');
    expect(exit.a0).toBe((entry.a0 * 3n + 1n) & 0xffffffffffffffffn);
    expect(entry.parentIp).toBe(exit.parentIp);
    expect(entry.parentIp).toBeGreaterThan(chain7);
    expect(entry.parentIp).toBeLessThan(chain7 + 64);
  }
}

describe('direct calls and the fentry/fexit trampoline', () => {
  for (const scheme of ['direct', 'callops'] as const) {
    it(`${scheme}: records every call's argument and return value and the program still computes right`, async () => {
      const lab = await Lab.create({ elf: ELF(), scheme });
      const att = await lab.ftrace.attachFentryFexit('chain8', { capacity: 12_000 });
      const rec = lab.ftrace.records().find((r) => r.symbol === 'chain8')!;
      expect(rec.state.literal).toBe(lab.core.opsAddr(att.handle.ops)); // CALL_OPS literal = the direct ops
      const reach = lab.core.scheme.canReach(rec, att.trampoline);
      expect(rec.state.call).toBe(reach ? att.trampoline : lab.symbol('ftrace_caller'));
      const r = await lab.run({ maxInsns: 1e8 });
      expect(r.exitCode).toBe(0);
      checkChain8(lab, att.records());
      expect(att.lost()).toBe(0);
    });
  }

  it('shares a function with the function tracer: the list func calls call_direct_funcs and ftrace_caller exits into the trampoline', async () => {
    const lab = await Lab.create({ elf: ELF(), scheme: 'direct' });
    const att = await lab.ftrace.attachFentryFexit('chain8', { capacity: 12_000 });
    const alone = lab.ftrace.records().find((r) => r.symbol === 'chain8')!.state;
    const tracer = await lab.ftrace.register({ filter: ['chain8', 'chain7'] });
    const rec = lab.ftrace.records().find((r) => r.symbol === 'chain8')!;
    expect(rec.state).toEqual({ call: lab.symbol('ftrace_caller'), literal: lab.symbol('ftrace_list_ops') });
    const r = await lab.run({ maxInsns: 1e8 });
    expect(r.exitCode).toBe(0);
    checkChain8(lab, att.records());
    const evs = lab.trace.drain();
    expect(evs.filter((e) => e.symbol === 'chain8')).toHaveLength(5000);
    expect(evs.filter((e) => e.symbol === 'chain8').every((e) => e.parentSymbol === 'chain7')).toBe(true);
    await lab.ftrace.unregister(tracer);
    expect(rec.state).toEqual(alone); // back to the direct trampoline (or ftrace_caller's fast path)
  });

  it('refuses a second direct trampoline on a function, and direct calls on a scheme without them, with typed errors', async () => {
    const lab = await Lab.create({ elf: ELF(), scheme: 'direct' });
    await lab.ftrace.attachFentryFexit('chain8');
    await expect(lab.ftrace.attachFentryFexit('chain8')).rejects.toMatchObject({ code: 'FTRACE_BUSY' });
    await expect(lab.ftrace.attachFentryFexit('no_such_function')).rejects.toMatchObject({ code: 'LAB_BAD_OPTION' });
    const list = await Lab.create({ elf: ELF(), scheme: 'list' });
    await expect(list.ftrace.attachFentryFexit('chain8')).rejects.toMatchObject({ code: 'FTRACE_BAD_OPS', message: expect.stringContaining('CALL_OPS') });
    const r = await list.run({ maxInsns: 1e8 });
    expect(r.exitCode).toBe(0); // the refused attach left the machine usable
  });

  it('per-call instruction cost: empty direct trampoline < fentry/fexit < function tracer through ftrace_caller', async () => {
    const cost = async (setup: (l: Lab) => Promise<unknown>): Promise<number> => {
      const lab = await Lab.create({ elf: ELF(), scheme: 'callops' }); // no per-ops trampolines: the tracer goes through ftrace_caller
      await setup(lab);
      const before = lab.retired;
      expect((await lab.run({ maxInsns: 1e8 })).exitCode).toBe(0);
      return lab.retired - before;
    };
    const base = await cost(async () => {});
    const per = async (setup: (l: Lab) => Promise<unknown>) => ((await cost(setup)) - base) / 5000;
    const tracer = await per((l) => l.ftrace.register({ filter: 'chain8' }));
    const stub = await per((l) => l.ftrace.register({ filter: 'chain8', direct: 'ftrace_stub_direct_tramp' }));
    const fentry = await per((l) => l.ftrace.attachFentryFexit('chain8', { capacity: 10_000 }));
    for (const v of [tracer, stub, fentry]) expect(Number.isInteger(v)).toBe(true); // the same path on every call
    expect(stub).toBeLessThanOrEqual(5); // jalr to the trampoline (or ftrace_caller's 4-instruction fast path) + jr t0
    expect(stub).toBeLessThan(fentry);
    expect(fentry).toBeLessThan(tracer);
  });

  it('detaching frees the trampoline and its map after the grace period', async () => {
    const lab = await Lab.create({ elf: ELF(), scheme: 'direct' });
    const att = await lab.ftrace.attachFentryFexit('chain8');
    await lab.ftrace.unregister(att.handle);
    const frees = lab.ftrace.plan().frees.map((f) => f.addr);
    expect(frees).toEqual(expect.arrayContaining([att.trampoline, att.map]));
    expect(lab.heap.freedAt(att.trampoline)?.what).toContain('fentry/fexit trampoline');
    const r = await lab.run({ maxInsns: 1e8 });
    expect(r.exitCode).toBe(0);
  });
});

describe('one lab moving a site between targets (direct scheme: per-ops trampolines, list func, direct calls)', () => {
  it('own trampoline -> ftrace_caller + list func -> own trampoline -> direct -> list with call_direct_funcs -> own trampoline; exact each time', async () => {
    const lab = await Lab.create({ harts: 1, scheme: 'direct', bufferSizeKb: 256, ram: 32 << 20, kernel: { functions: 60, seed: 5, runSample: true, nrCalls: 7 } });
    const caller = lab.symbol('ftrace_caller');
    const listOps = lab.symbol('ftrace_list_ops');
    const a = await lab.ftrace.register({ filter: 'kfunc_*' });
    const tramp = lab.ftrace.records().find((r) => r.count === 1 && r.state.call !== caller)!.state.call!;
    const rec = lab.ftrace.records().find((r) => r.state.call === tramp && r.symbol.startsWith('kfunc_'))!;
    const aAddr = lab.core.opsAddr(a.ops)!;
    const states: unknown[] = [rec.state];
    expect(rec.state).toEqual({ call: tramp, literal: aAddr }); // its own trampoline (the literal still names the ops)
    const b = await lab.ftrace.register({ filter: rec.symbol });
    states.push(rec.state);
    expect(rec.state).toEqual({ call: caller, literal: listOps });
    await lab.ftrace.unregister(b);
    expect(rec.state).toEqual({ call: tramp, literal: aAddr });
    await lab.ftrace.unregister(a);
    const d = await lab.ftrace.register({ filter: rec.symbol, direct: 'ftrace_stub_direct_tramp' });
    const stub = lab.symbol('ftrace_stub_direct_tramp');
    expect(rec.state.call === stub || rec.state.call === caller).toBe(true);
    expect(rec.state.literal).toBe(lab.core.opsAddr(d.ops));
    const c = await lab.ftrace.register({ filter: 'kfunc_*' });
    expect(rec.state).toEqual({ call: caller, literal: listOps }); // direct + tracer: list func, call_direct_funcs
    await lab.ftrace.unregister(d);
    const cTramp = lab.ftrace.records().find((r) => r.symbol === rec.symbol)!.state.call;
    expect(cTramp).not.toBe(caller); // back on an own trampoline (c's)
    expect(lab.ftrace.trampolineStats().trampolines).toBe(1);
    const run = await lab.run();
    expect(run.exitCode).toBe(0);
    const k = lab.guest.image!.kernel;
    const counts = dynamicCallCounts(k.graph);
    const evs = lab.trace.drain();
    for (const [i, f] of k.functions.entries()) expect(evs.filter((e) => e.symbol === f.name), f.name).toHaveLength(counts[i]!);
    void states;
  });
});
