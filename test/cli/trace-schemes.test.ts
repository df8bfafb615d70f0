// `ftrace-lab trace --scheme NAME` on the GCC fixtures: every registered call-site scheme traces every call once, with the right parent.
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as traceMain } from '../../src/cli/trace.js';
import { SCHEME_NAMES } from '../../src/ftrace/index.js';
import { capture } from '../capture-output.js';

afterEach(() => vi.restoreAllMocks());

const EVENT = /^ +hart-\d+-\d+ +\[\d{3}\] \.\.\.\.\. +\d+\.\d{6}: (\S+) <-(\S+)$/;

/** "func <-parent" -> number of lines, from a whole trace run of `elf` under `scheme`. */
async function callCounts(elf: string, scheme: string): Promise<Map<string, number>> {
  const io = capture();
  const rc = await traceMain([join('test', 'fixtures', 'bin', elf), '--scheme', scheme]);
  const out = io.out();
  vi.restoreAllMocks();
  expect(rc).toBe(0);
  const counts = new Map<string, number>();
  for (const line of out.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = EVENT.exec(line);
    expect(m, line).not.toBeNull();
    const key = `${m![1]} <-${m![2]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

for (const elf of ['calls.rv64imac.elf', 'calls.rv64ima.elf']) {
  describe(`trace --scheme on ${elf}`, () => {
    const bySheme = new Map<string, Map<string, number>>();
    beforeAll(async () => {
      for (const s of SCHEME_NAMES) bySheme.set(s, await callCounts(elf, s));
    }, 300_000);

    for (const scheme of SCHEME_NAMES) {
      it(`${scheme}: the call counts the C source implies (run_chain(5000), is_even(1001), is_odd(777))`, () => {
        const c = bySheme.get(scheme)!;
        expect(c.get('chain1 <-run_chain.constprop.0')).toBe(5000);
        for (let k = 2; k <= 8; k++) expect(c.get(`chain${k} <-chain${k - 1}`)).toBe(5000);
        // is_even(1001) -> 1002 alternating calls, is_odd(777) -> 778; GCC makes the mutual recursion tail calls (parent main)
        expect(c.get('is_even <-main')).toBe(501 + 389);
        expect(c.get('is_odd <-main')).toBe(501 + 389);
        expect(c.get('main <-_start')).toBe(1);
      });
    }

    it('every scheme sees exactly the same calls as every other (function and parent, with multiplicity)', () => {
      const ref = [...bySheme.get(SCHEME_NAMES[0]!)!.entries()].sort();
      expect(ref.length).toBeGreaterThan(30);
      for (const s of SCHEME_NAMES.slice(1)) expect([...bySheme.get(s)!.entries()].sort(), s).toEqual(ref);
    });
  });
}
