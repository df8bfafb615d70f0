// The guest list func and tracers on the machine: STUB ops skipped, filter/notrace hash probes, count tracer, recursion guard.
import { describe, expect, it } from 'vitest';
import { FtraceOps, FTRACE_OPS_FL_STUB, FTRACE_OPS_FL_RECURSION, literalAddr } from '../../src/ftrace/index.js';
import { recursionMissed } from '../../src/guest/index.js';
import { dynamicCallCounts, expectedKernelResult, WORKLOAD_SYMBOLS } from '../../src/workload/index.js';
import { bootGuest, initFtrace } from './harness.js';

/** A callback that calls the traced tracee_irrelevant from inside the tracer (the recursion the guard must stop). */
const RECURSIVE_PROBE = `
\t.text
\t.globl recursive_probe
recursive_probe:
\taddi sp, sp, -16
\tsd ra, 8(sp)
\tcall tracee_irrelevant
\tld ra, 8(sp)
\taddi sp, sp, 16
\tret
`;

describe('list func', () => {
  for (const scheme of ['list', 'callops'] as const) {
    it(`${scheme}: skips STUB ops, applies filter and notrace hashes, calls every matching ops`, () => {
      const g = bootGuest({ scheme, functions: 60 });
      const { core, apply, rec, countOps } = initFtrace(g);
      const counts = dynamicCallCounts(g.img.kernel.graph);
      const fns = g.img.kernel.functions;
      const called = counts.map((c, i) => [c, i] as const).filter(([c]) => c > 0).map(([, i]) => i);
      const [nf, ff, gf] = [called[1]!, called[2]!, called[3]!];
      // A: function tracer on everything but nf (notrace)
      const a = new FtraceOps({ name: 'A', func: 'function_tracer_func' });
      core.setNotrace(a, fns[nf]!.name);
      // B: count tracer flagged STUB: the list func must never call it
      const b = countOps({ name: 'B', flags: FTRACE_OPS_FL_STUB });
      // C: count tracer filtered on ff and gf
      const c = countOps({ name: 'C' });
      core.setFilter(c.ops, [fns[ff]!.name, fns[gf]!.name]);
      apply(core.register(a));
      apply(core.register(b.ops));
      apply(core.register(c.ops));
      expect(g.run().exitCode).toBe(0);
      expect(g.u64(WORKLOAD_SYMBOLS.results)).toBe(expectedKernelResult(g.img.kernel, 1n));

      const ev = g.events(0);
      expect(ev.some((e) => e.ip === rec(fns[nf]!.name).ip)).toBe(false);
      const total = counts.reduce((x, y) => x + y, 0);
      expect(ev).toHaveLength(total - counts[nf]!);

      // The list func never calls B. Under callops, nf's only ops is B, so its literal names B and ftrace_caller calls
      // it without the list func (the kernel's ftrace_find_unique_ops does not look at STUB either).
      const bc = b.counts();
      for (const [ip, n] of bc.counts) {
        expect(n).toBe(scheme === 'callops' && ip === rec(fns[nf]!.name).ip ? counts[nf] : 0);
      }
      expect(bc.misses).toBe(0);

      const cc = c.counts();
      for (const [ip, n] of cc.counts) {
        const want = ip === rec(fns[ff]!.name).ip ? counts[ff] : ip === rec(fns[gf]!.name).ip ? counts[gf] : 0;
        expect(n).toBe(want);
      }
      expect(cc.misses).toBe(0);
      if (scheme === 'callops') {
        // nf is traced only by B (STUB): one ops -> the literal names B; ff is shared by A and C -> ftrace_list_ops
        expect(g.m.memory.readU64(literalAddr(rec(fns[ff]!.name).ip))).toBe(BigInt(g.sym('ftrace_list_ops')));
      }
    });
  }

  it('callops: a single ops is called straight from the literal (count tracer sees every call)', () => {
    const g = bootGuest({ scheme: 'callops', runSample: true, nrCalls: 37 });
    const { core, apply, rec, countOps } = initFtrace(g);
    const c = countOps({ name: 'only', dynamic: false });
    core.setFilter(c.ops, 'tracee_relevant');
    apply(core.register(c.ops));
    expect(g.m.memory.readU64(literalAddr(rec('tracee_relevant').ip))).toBe(BigInt(core.opsAddr(c.ops)!));
    expect(g.run().exitCode).toBe(0);
    expect(c.counts().counts.get(rec('tracee_relevant').ip)).toBe(37);
  });
});

describe('recursion guard', () => {
  it('list: a callback that calls a traced function is not re-entered; the drop is counted', () => {
    const g = bootGuest({ scheme: 'list', runSample: true, nrCalls: 20, extraSource: RECURSIVE_PROBE });
    const { core, apply, rec, countOps } = initFtrace(g);
    const c = countOps({ name: 'count' });
    core.setFilter(c.ops, ['tracee_relevant', 'tracee_irrelevant']);
    const probe = new FtraceOps({ name: 'probe', func: g.sym('recursive_probe') });
    core.setFilter(probe, 'tracee_relevant');
    apply(core.register(c.ops));
    apply(core.register(probe));
    expect(core.globalFunction().func).toBe(g.sym('ftrace_ops_list_func'));
    const r = g.run();
    expect(r.exitCode).toBe(0);
    const counts = c.counts().counts;
    expect(counts.get(rec('tracee_relevant').ip)).toBe(20);
    expect(counts.get(rec('tracee_irrelevant').ip)).toBe(0);
    expect(recursionMissed(g.m.memory, g.sym('ftrace_percpu'), 0)).toBe(20);
  });

  it('callops: the nested call reaches its single (direct) ops, as in the kernel, and nothing is dropped', () => {
    const g = bootGuest({ scheme: 'callops', runSample: true, nrCalls: 20, extraSource: RECURSIVE_PROBE });
    const { core, apply, rec, countOps } = initFtrace(g);
    const c = countOps({ name: 'count', dynamic: false });
    core.setFilter(c.ops, ['tracee_relevant', 'tracee_irrelevant']);
    const probe = new FtraceOps({ name: 'probe', func: g.sym('recursive_probe') });
    core.setFilter(probe, 'tracee_relevant');
    apply(core.register(c.ops));
    apply(core.register(probe));
    expect(g.run().exitCode).toBe(0);
    const counts = c.counts().counts;
    expect(counts.get(rec('tracee_relevant').ip)).toBe(20);
    expect(counts.get(rec('tracee_irrelevant').ip)).toBe(20);
    expect(recursionMissed(g.m.memory, g.sym('ftrace_percpu'), 0)).toBe(0);
  });

  it('list: a RECURSION ops alone goes through ftrace_ops_assist_func, which guards it too', () => {
    const g = bootGuest({ scheme: 'list', runSample: true, nrCalls: 5, extraSource: RECURSIVE_PROBE });
    const { core, apply } = initFtrace(g);
    const probe = new FtraceOps({ name: 'probe', func: g.sym('recursive_probe'), flags: FTRACE_OPS_FL_RECURSION, dynamic: false });
    core.setFilter(probe, ['tracee_relevant', 'tracee_irrelevant']);
    apply(core.register(probe));
    expect(core.globalFunction().func).toBe(g.sym('ftrace_ops_assist_func'));
    const r = g.run();
    expect(r.exitCode).toBe(0);
    // each tracee_relevant call enters the probe once; its nested tracee_irrelevant call is dropped
    expect(recursionMissed(g.m.memory, g.sym('ftrace_percpu'), 0)).toBe(5);
  });
});
