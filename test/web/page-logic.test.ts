// The page's portable logic in Node: sessions (determinism, runs, holds), the site inspector's data, sweep rows, isolation text.
import { describe, expect, it } from 'vitest';
import type { LabTraceEvent } from '../../src/lab/trace-events.js';
import { checkIsolation, fallbackMessage } from '../../web/src/isolation.js';
import { PROTOCOL_NAMES, createProtocol } from '../../web/src/protocols.js';
import { LabSession, labOptionsFor, type SessionConfig } from '../../web/src/session.js';
import { siteView } from '../../web/src/site-view.js';
import { EventDigest, TraceTail } from '../../web/src/trace-tail.js';
import { parseRows } from '../../web/src/ui/sweep-panel.js';
import { chartData } from '../../web/src/sweep-chart.js';

const cfg = (over: Partial<SessionConfig> = {}): SessionConfig => ({
  mode: 'deterministic',
  harts: 2,
  seed: 5,
  scheme: 'callops',
  protocol: 'stop-all',
  guest: { kind: 'kernel', functions: 60, prefix: 'foo_', seed: 2 },
  ...over,
});

async function tracedRun(c: SessionConfig, insns = 1_500_000) {
  const s = await LabSession.boot(c);
  await s.register({ filter: 'foo_1*', notrace: '', tracer: 'function' });
  await s.runFor(insns);
  return { s, retired: s.hartInfo().map((h) => h.retired), events: s.digest.events, digest: s.digest.hex() };
}

describe('LabSession (deterministic)', () => {
  it('gives the same retired counts, events and digest for the same seed, and another digest for another seed', async () => {
    const a = await tracedRun(cfg());
    const b = await tracedRun(cfg());
    expect(a.events).toBeGreaterThan(100);
    expect({ r: a.retired, e: a.events, d: a.digest }).toEqual({ r: b.retired, e: b.events, d: b.digest });
    expect(a.retired.reduce((x, y) => x + y)).toBe(1_500_000n);
    const c = await tracedRun(cfg({ seed: 6 }));
    expect(c.digest).not.toBe(a.digest);
  });

  it('runs freely until stop(), keeps the tail bounded, and a held hart gets no instructions', async () => {
    const s = await LabSession.boot(cfg());
    await s.register({ filter: '', notrace: 'foo_2*', tracer: 'function' });
    await s.pauseHart(1);
    s.start();
    expect(s.state).toBe('running');
    const t0 = performance.now();
    while (s.hartInfo()[0]!.retired < 3_000_000n && performance.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 5));
    await s.stop();
    expect(s.state).toBe('stopped');
    const info = s.hartInfo();
    expect(info[0]!.retired).toBeGreaterThanOrEqual(3_000_000n);
    expect(info[1]!.retired).toBe(0n);
    expect(info[1]!.state).toBe('paused');
    expect(s.tail.size).toBeLessThanOrEqual(s.tail.capacity);
    expect(s.tail.total).toBeGreaterThan(0);
    for (let i = 0; i < Math.min(s.tail.size, 2000); i++) expect(s.tail.at(i).symbol.startsWith('foo_2')).toBe(false);
  });

  it('restores ops and tracefs settings on a new session, and reports what cannot be restored', async () => {
    const a = await LabSession.boot(cfg());
    await a.register({ filter: 'foo_3', notrace: '', tracer: 'count' });
    await a.setTracefsFilter('set_ftrace_filter', 'foo_4*');
    await a.setTracer('function');
    const b = await LabSession.boot(cfg({ scheme: 'list' }));
    expect(await b.restoreFrom([...a.userOps.values()], a.tracefsState)).toEqual([]);
    expect(b.lab.ftrace.registered().map((h) => h.tracer).sort()).toEqual(['count', 'function']);
    expect(b.lab.tracefs.read('set_ftrace_filter')).toContain('foo_4');
    const c = await LabSession.boot(cfg({ guest: { kind: 'kernel', functions: 20, prefix: 'bar_', seed: 1 } }));
    const problems = await c.restoreFrom([...a.userOps.values()], a.tracefsState);
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.join('\n')).toMatch(/foo_3|foo_4/);
  });

  it('passes the tracer name through: one the library cannot register is its typed error, and nothing is registered', async () => {
    const s = await LabSession.boot(cfg());
    await expect(s.register({ filter: 'foo_1', notrace: '', tracer: 'no_such_tracer' })).rejects.toMatchObject({ code: 'LAB_BAD_OPTION' });
    await expect(s.register({ filter: 'zzz*', notrace: '', tracer: 'function' })).rejects.toMatchObject({ code: 'FTRACE_NO_MATCH' });
    expect(s.userOps.size).toBe(0);
    expect(s.lab.ftrace.registered()).toHaveLength(0);
  });

  it('rejects exact runs outside deterministic mode and while running', async () => {
    const s = await LabSession.boot(cfg());
    s.start();
    await expect(s.runFor(10)).rejects.toThrow(/running/);
    await s.stop();
    const p = await LabSession.boot(cfg({ mode: 'parallel' }));
    await expect(p.runFor(10)).rejects.toThrow(/deterministic/);
  });
});

describe('LabSession (parallel, Node workers)', () => {
  it('starts workers, stops them, and starts again', async () => {
    const s = await LabSession.boot(cfg({ mode: 'parallel' }));
    for (let round = 0; round < 2; round++) {
      const before = s.hartInfo().map((h) => h.retired);
      s.start();
      const t0 = performance.now();
      while (s.hartInfo().some((h, i) => h.retired < before[i]! + 1_000_000n) && performance.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 5));
      expect(s.hartInfo().map((h) => h.state)).toEqual(['running', 'running']);
      await s.stop();
      expect(s.state).toBe('stopped');
      expect(s.hartInfo().map((h) => h.state)).toEqual(['stopped', 'stopped']);
    }
  });
});

describe('site inspector data', () => {
  it('shows the area before and after the last plan, marks its writes, and names the call target', async () => {
    const s = await LabSession.boot(cfg({ scheme: 'callops' }));
    const idle = siteView(s.lab, 'foo_7');
    expect(idle.writes).toEqual([]);
    expect(idle.before).toEqual(idle.after);
    await s.register({ filter: 'foo_7', notrace: '', tracer: 'function' });
    const v = siteView(s.lab, 'foo_7');
    expect(v.refcount).toBe(1);
    expect(v.writes.map((w) => w.what)).toEqual(['foo_7 literal', 'foo_7 insn']);
    const at = (rows: typeof v.after, addr: number) => rows.find((r) => r.addr === addr)!;
    expect(at(v.before, v.ip).text).toBe('nop');
    expect(at(v.after, v.ip).text).toMatch(/^jalr\tt0,/);
    expect(at(v.after, v.ip).note).toBe('calls ftrace_caller');
    expect(at(v.after, v.ip).written).toBe(true);
    expect(at(v.after, v.ip - 4).written).toBe(false); // the auipc stays
    expect(v.after[0]!.note).toBe('ops literal -> ops1');
    expect(v.before[0]!.note).toBe('ops literal -> ftrace_nop_ops');
    expect(v.after.at(-1)!.patchable).toBe(false);
    expect(() => siteView(s.lab, 'no_such_function')).toThrow(/not a patchable function/);
  });

  it('shows the pre-entry NOPs as instructions for the list scheme', async () => {
    const s = await LabSession.boot(cfg({ scheme: 'list' }));
    await s.register({ filter: 'foo_7', notrace: '', tracer: 'function' });
    const v = siteView(s.lab, 'foo_7');
    expect(v.after.slice(0, 4).map((r) => r.text)).toEqual(['nop', 'nop', 'nop', 'nop']);
    expect(v.writes.map((w) => w.what)).toEqual(['foo_7 insn']);
  });
});

describe('page helpers', () => {
  it('parses sweep rows and rejects malformed ones', () => {
    expect(parseRows(' 1,0 1,10;10,0 ')).toEqual([[1, 0], [1, 10], [10, 0]]);
    expect(() => parseRows('')).toThrow(/at least one row/);
    expect(() => parseRows('1;0')).toThrow(/not relevant,irrelevant/);
    expect(() => parseRows('0,0')).toThrow(/registers no ops/);
    expect(() => parseRows('1,20000')).toThrow(/at most 10000/);
  });

  it('lays sweep rows out as uPlot series per scheme and shape (no points at or below zero)', () => {
    const row = (scheme: string, relevant: number, irrelevant: number, overheadInsns: number) => ({ scheme, relevant, irrelevant, overheadInsns }) as never;
    const d = chartData([row('list', 1, 0, 112), row('list', 1, 9, 400), row('list', 10, 0, 445), row('callops', 1, 0, 41), row('callops', 10, 0, -1)], (r: { overheadInsns: number }) => r.overheadInsns);
    expect(d.xs).toEqual([1, 10]);
    expect(d.series.map((s) => [s.label, s.ys])).toEqual([
      ['list: 1 relevant + N-1 irrelevant', [112, 400]],
      ['list: N relevant', [112, 445]],
      ['callops: 1 relevant + N-1 irrelevant', [41, null]],
      ['callops: N relevant', [41, null]],
    ]);
  });

  it('explains a missing cross-origin isolation', () => {
    expect(checkIsolation({ crossOriginIsolated: true, SharedArrayBuffer: ArrayBuffer })).toEqual({ isolated: true, reason: '' });
    const r = checkIsolation({ crossOriginIsolated: false });
    expect(r).toEqual({ isolated: false, reason: 'crossOriginIsolated is false and SharedArrayBuffer is missing' });
    expect(fallbackMessage(r)).toMatch(/Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
  });

  it('offers the library protocols by name and boots with the chosen one', () => {
    expect(PROTOCOL_NAMES).toContain('stop-all');
    expect(createProtocol('stop-all').name).toBe('stop-all');
    expect(() => createProtocol('nope')).toThrow(/unknown patch protocol 'nope'/);
    expect(labOptionsFor(cfg()).protocol?.name).toBe('stop-all');
  });

  it('keeps the newest events in the tail and digests order-sensitively', () => {
    const ev = (i: number): LabTraceEvent => ({ ip: 0x80000000 + i, parentIp: 0x80001000, symbol: `f${i}`, parentSymbol: 'p', hart: i % 2, timestamp: BigInt(i) });
    const t = new TraceTail(3);
    t.push([ev(1), ev(2)]);
    t.push([ev(3), ev(4)]);
    expect([t.size, t.total, t.at(0).symbol, t.at(2).symbol]).toEqual([3, 4, 'f2', 'f4']);
    const a = new EventDigest();
    a.add([ev(1), ev(2)]);
    const b = new EventDigest();
    b.add([ev(2), ev(1)]);
    expect(a.hex()).toMatch(/^[0-9a-f]{16}$/);
    expect(a.hex()).not.toBe(b.hex());
  });
});
