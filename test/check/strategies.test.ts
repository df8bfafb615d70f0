// The delay-bounded enumeration: schedule i's delays come from i alone, every placement appears once, and the space has the size the formula says.
import { describe, expect, it } from 'vitest';
import { scheduleSeed } from '../../src/check/explore.js';
import { choose, delaySpaceSize, delaysOf } from '../../src/check/strategies.js';

describe('delay-bounded enumeration', () => {
  it('enumerates every placement of at most `bound` delays exactly once, fewest delays first', () => {
    const k = 7;
    const parties = 3;
    const bound = 2;
    const size = delaySpaceSize(k, parties, bound);
    expect(size).toBe(1 + choose(7, 1) * 2 + choose(7, 2) * 4);
    const seen = new Set<string>();
    let lastCount = 0;
    for (let i = 0; i < size; i++) {
      const d = delaysOf(i, k, parties, bound)!;
      expect(d.size).toBeGreaterThanOrEqual(lastCount); // 0 delays, then 1, then 2
      lastCount = d.size;
      for (const [pos, skip] of d) {
        expect(pos).toBeGreaterThanOrEqual(0);
        expect(pos).toBeLessThan(k);
        expect(skip).toBeGreaterThanOrEqual(1);
        expect(skip).toBeLessThanOrEqual(parties - 1);
      }
      seen.add(JSON.stringify([...d].sort((a, b) => a[0] - b[0])));
    }
    expect(seen.size).toBe(size);
    expect(delaysOf(size, k, parties, bound)).toBeUndefined();
  });

  it('schedule seeds depend on (seed, index) only and differ between indices', () => {
    const a = Array.from({ length: 1000 }, (_, i) => scheduleSeed(1, i));
    expect(new Set(a).size).toBe(1000);
    expect(scheduleSeed(1, 17)).toBe(a[17]);
    expect(scheduleSeed(2, 17)).not.toBe(a[17]);
  });
});
