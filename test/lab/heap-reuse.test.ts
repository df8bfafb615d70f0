// Guest memory is reused: 100,000 alternating set_ftrace_filter writes on a 200-function kernel neither exhaust the
// core's heap nor grow it, and the trace after them is still exact.
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/lab/index.js';

const UPDATES = 100_000;

describe('guest heap reuse', () => {
  it(`${UPDATES.toLocaleString('en')} alternating filter updates do not exhaust guest memory`, async () => {
    const lab = await Lab.create({ harts: 1, kernel: { functions: 200, seed: 1 } });
    await lab.tracefs.write('current_tracer', 'function');
    const afterFirst = { used: 0, blocks: 0 };
    for (let i = 0; i < UPDATES; i++) {
      await lab.tracefs.write('set_ftrace_filter', i % 2 ? 'kfunc_1*' : 'kfunc_2*');
      if (i === 1) Object.assign(afterFirst, { used: lab.heap.used, blocks: lab.heap.blocks });
    }
    // every update replaced the filter hash: the old one was freed and its memory handed out again
    expect(lab.updates.records.length).toBeGreaterThanOrEqual(UPDATES);
    expect(lab.heap.used).toBe(afterFirst.used);
    expect(lab.heap.blocks).toBe(afterFirst.blocks);
    expect(lab.heap.peak).toBeLessThan(4 * afterFirst.used + 4096);
    // the last filter (kfunc_1*, written at i = UPDATES - 1) is the one in effect, and tracing still works
    expect(lab.tracefs.read('set_ftrace_filter').trim().split('\n').every((l) => l.startsWith('kfunc_1'))).toBe(true);
    const r = await lab.run({ maxInsns: 5e7 });
    expect(r.reason).toBe('halted');
    const names = new Set(lab.trace.drain().map((e) => e.symbol));
    expect(names.size).toBeGreaterThan(0);
    expect([...names].every((n) => n.startsWith('kfunc_1'))).toBe(true);
  }, 300_000);
});
