// The Lab end to end: one event per call per matching ops (ip, parent), untraced/notrace silence, unregister, toggling, modes.
import { describe, expect, it } from 'vitest';
import { FtraceLabError } from '../../src/errors.js';
import { Lab, type LabTraceEvent } from '../../src/lab/index.js';
import { callersOf, calledFunction, siteText, smallLab, textRange } from './helpers.js';

const byName = (evs: LabTraceEvent[], name: string) => evs.filter((e) => e.symbol === name);

describe('Lab: function tracer events', () => {
  for (const scheme of ['list', 'callops'] as const) {
    it(`${scheme}: one event per call per matching ops, with rec->ip and the caller as parent`, async () => {
      const lab = await smallLab({ scheme });
      const f = calledFunction(lab);
      const rec = lab.ftrace.records().find((r) => r.symbol === f.name)!;
      await lab.ftrace.register({ filter: f.name });
      await lab.ftrace.register({ filter: [f.name, 'tracee_relevant'] });
      const r = await lab.run();
      expect(r.reason).toBe('halted');
      expect(r.exitCode).toBe(0);
      const evs = lab.trace.drain();
      const mine = byName(evs, f.name);
      expect(mine).toHaveLength(2 * f.calls); // two ops match f
      const callers = callersOf(lab, f.index);
      for (const e of mine) {
        expect(e.ip).toBe(rec.ip);
        expect(callers).toContain(e.parentSymbol);
        expect(e.hart).toBe(0);
      }
      const rel = byName(evs, 'tracee_relevant');
      expect(rel).toHaveLength(7); // only the second ops matches
      for (const e of rel) expect(e.parentSymbol).toBe('ftrace_ops_sample_run');
      expect(evs).toHaveLength(2 * f.calls + 7); // nothing untraced shows up
    });
  }

  it('notrace functions yield no events; the async iterator yields the rest', async () => {
    const lab = await smallLab();
    const f = calledFunction(lab);
    await lab.ftrace.register({ filter: 'kfunc_*', notrace: f.name });
    await lab.run();
    const evs: LabTraceEvent[] = [];
    for await (const e of lab.trace.events()) evs.push(e);
    expect(evs.length).toBeGreaterThan(0);
    expect(byName(evs, f.name)).toHaveLength(0);
    expect(evs.every((e) => e.symbol.startsWith('kfunc_'))).toBe(true);
  });

  it('unregister stops events and returns every site to the disabled bytes', async () => {
    const lab = await smallLab({ scheme: 'list' });
    const boot = siteText(lab);
    const h = await lab.ftrace.register({});
    expect(siteText(lab)).not.toBe(boot);
    await lab.ftrace.unregister(h);
    expect(siteText(lab)).toBe(boot);
    expect(lab.ftrace.records().every((r) => r.count === 0)).toBe(true);
    const r = await lab.run();
    expect(r.exitCode).toBe(0);
    expect(lab.trace.drain()).toHaveLength(0);
  });

  for (const scheme of ['list', 'callops'] as const) {
    it(`${scheme}: 1,000 register/unregister toggles leave the text byte-identical to the boot state`, async () => {
      const lab = await smallLab({ scheme });
      const boot = textRange(lab);
      const a = await lab.ftrace.register({ filter: 'kfunc_1*' });
      const b = lab.ftrace.create({ filter: 'tracee_* kfunc_2' });
      for (let i = 0; i < 1000; i++) {
        if (i % 2) await lab.ftrace.unregister(b);
        else await lab.ftrace.register(b);
        if (i % 3 === 0) await lab.ftrace.setFilter(a, i % 2 ? 'kfunc_1*' : 'kfunc_2*');
      }
      await lab.ftrace.unregister(a);
      expect(lab.ftrace.isRegistered(b)).toBe(false);
      expect(Buffer.from(textRange(lab)).equals(Buffer.from(boot))).toBe(true);
      // and the machine still traces afterwards
      await lab.ftrace.register(b);
      await lab.run();
      expect(byName(lab.trace.drain(), 'tracee_relevant')).toHaveLength(7);
    });
  }

  it('gives the same events in deterministic and parallel mode (multiset of (ip, parent) per hart)', async () => {
    const multiset = async (mode: 'deterministic' | 'parallel') => {
      const lab = await smallLab({ harts: 2, mode, scheme: 'list' });
      await lab.ftrace.register({ filter: 'kfunc_* tracee_relevant' });
      const r = await lab.run({ maxInsns: 1e8 });
      expect(r.reason).toBe('halted');
      const per = [0, 1].map((h) =>
        lab.trace
          .drain()
          .filter((e) => e.hart === h)
          .map((e) => `${e.ip.toString(16)}<${e.parentIp.toString(16)}`)
          .sort(),
      );
      return per;
    };
    const det = await multiset('deterministic');
    const par = await multiset('parallel');
    expect(det[0]!.length).toBeGreaterThan(10);
    expect(par).toEqual(det);
  });
});

describe('Lab: bad input', () => {
  it('unknown function, empty/invalid glob, unknown ops, double registration: typed errors, lab still usable', async () => {
    const lab = await smallLab();
    const other = await smallLab();
    const foreign = other.ftrace.create({});
    const expectCode = async (p: Promise<unknown> | (() => unknown), code: string) => {
      let err: unknown;
      try {
        await (typeof p === 'function' ? p() : p);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FtraceLabError);
      expect((err as FtraceLabError).code).toBe(code);
    };
    await expectCode(lab.ftrace.register({ filter: 'no_such_function' }), 'FTRACE_NO_MATCH');
    await expectCode(lab.ftrace.register({ filter: '' }), 'FTRACE_BAD_GLOB');
    await expectCode(lab.ftrace.register({ filter: 'kfunc_[12' }), 'FTRACE_BAD_GLOB');
    await expectCode(lab.ftrace.register({ tracer: 'bogus' as never }), 'LAB_BAD_OPTION');
    await expectCode(lab.ftrace.unregister(foreign), 'LAB_UNKNOWN_OPS');
    const h = await lab.ftrace.register({ filter: 'tracee_relevant' });
    await expectCode(lab.ftrace.register(h), 'LAB_BUSY');
    await expectCode(lab.ftrace.setFilter(h, 'nope_*'), 'FTRACE_NO_MATCH');
    await lab.ftrace.unregister(h);
    await expectCode(lab.ftrace.unregister(h), 'FTRACE_NOT_REGISTERED');
    await expectCode(Lab.create({ harts: 0 }), 'LAB_BAD_OPTION');
    await expectCode(Lab.create({ scheme: 'x86' as never }), 'LAB_BAD_OPTION');
    // still usable: register correctly and trace
    await lab.ftrace.register({ filter: 'tracee_relevant' });
    const r = await lab.run();
    expect(r.exitCode).toBe(0);
    const evs = lab.trace.drain();
    expect(evs).toHaveLength(7);
    expect(evs.every((e) => e.symbol === 'tracee_relevant')).toBe(true);
  });
});
