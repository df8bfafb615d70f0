// `ftrace-lab trace --scheme NAME` on the GCC fixtures: every registered call-site scheme traces every call once, with the right parent.
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as traceMain } from '../../src/cli/trace.js';
import { SCHEME_NAMES, schemeDescriptor } from '../../src/ftrace/index.js';
import { dynamicCallCounts, planSyntheticKernel } from '../../src/workload/index.js';
import { capture } from '../capture-output.js';

afterEach(() => vi.restoreAllMocks());

const EVENT = /^ +hart-\d+-\d+ +\[\d{3}\] \.\.\.\.\. +\d+\.\d{6}: (\S+) <-(\S+)$/;

/**
 * The fixture each scheme traces: the 6.16-site schemes the CALL_OPS build (=8,4 / =4,2), s390-hotpatch (its own
 * layout) the same source built with -fpatchable-function-entry=14,12 / =7,6.
 */
const OWN_LAYOUT_BUILD: Record<string, string> = { 'calls.rv64imac.elf': 'calls.rv64imac-pfe14-12.elf', 'calls.rv64ima.elf': 'calls.rv64ima-pfe7-6.elf' };
const elfFor = (scheme: string, elf: string): string => (schemeDescriptor(scheme).siteLayout ? OWN_LAYOUT_BUILD[elf]! : elf);
const ELF_SCHEMES = SCHEME_NAMES;

/** "func <-parent" -> number of lines, from a whole trace run of `elf` (or ['--kernel', N]) under `scheme`. */
async function callCounts(elf: string | string[], scheme: string): Promise<Map<string, number>> {
  const io = capture();
  const rc = await traceMain([...(typeof elf === 'string' ? [join('test', 'fixtures', 'bin', elf)] : elf), '--scheme', scheme]);
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
      for (const s of ELF_SCHEMES) bySheme.set(s, await callCounts(elfFor(s, elf), s));
    }, 300_000);

    for (const scheme of ELF_SCHEMES) {
      it(`${scheme} on ${elfFor(scheme, elf)}: the call counts the C source implies (run_chain(5000), is_even(1001), is_odd(777))`, () => {
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
      const ref = [...bySheme.get(ELF_SCHEMES[0]!)!.entries()].sort();
      expect(ref.length).toBeGreaterThan(30);
      for (const s of ELF_SCHEMES.slice(1)) expect([...bySheme.get(s)!.entries()].sort(), s).toEqual(ref);
    });
  });
}

describe('trace --kernel 40 --scheme NAME: every scheme, the synthetic kernel', () => {
  it('every scheme traces each kernel function as often as the call graph calls it, with the same parents', async () => {
    const k = planSyntheticKernel({ functions: 40 });
    const want = dynamicCallCounts(k.graph);
    let ref: [string, number][] | null = null;
    for (const s of SCHEME_NAMES) {
      const c = await callCounts(['--kernel', '40', '-l', 'kfunc_*'], s);
      for (const [i, f] of k.functions.entries()) {
        const n = [...c.entries()].filter(([key]) => key.startsWith(`${f.name} <-`)).reduce((a, [, v]) => a + v, 0);
        expect(n, `${s} ${f.name}`).toBe(want[i]);
      }
      const sorted = [...c.entries()].sort();
      if (ref === null) ref = sorted;
      else expect(sorted, s).toEqual(ref);
    }
  }, 300_000);

  it('an ELF without the hotpatch layout under s390-hotpatch is refused: exit 65 naming the -fpatchable-function-entry it needs', async () => {
    const io = capture();
    expect(await traceMain([join('test', 'fixtures', 'bin', 'calls.rv64imac.elf'), '--scheme', 's390-hotpatch'])).toBe(65);
    expect(io.err()).toMatch(/second stage.*build with -fpatchable-function-entry=14,12 -falign-functions=8/);
  });
});

describe('trace --dry-run shows what each scheme writes', () => {
  it('trampoline: the ops\'s trampoline as fresh data, then jalr words to it (or to ftrace_caller)', async () => {
    const io = capture();
    expect(await traceMain(['--kernel', '20', '-l', 'kfunc_1*', '--dry-run', '--scheme', 'trampoline'])).toBe(0);
    const out = io.out();
    expect(out).toMatch(/trampoline of \S+ +data +132 bytes/);
    expect(out).toMatch(/kfunc_1 +insn +13 00 00 00 -> /);
  });

  it('s390-hotpatch: the second stage\'s ops, then the stage-1 word flipped from bne to beq', async () => {
    const io = capture();
    expect(await traceMain(['--kernel', '20', '-l', 'kfunc_1', '--dry-run', '--scheme', 's390-hotpatch'])).toBe(0);
    const lines = io.out().split('\n').filter((l) => l.startsWith('0x') && / kfunc_1 /.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/literal/);
    expect(lines[1]).toMatch(/insn +\w3 1\w \w\w \w\w -> \w3 0\w \w\w \w\w/); // bne (funct3 001) -> beq (000): byte 1 bit 4
  });

  it('riscv-legacy: both words of the site in one write, under stop-machine by default', async () => {
    const io = capture();
    expect(await traceMain(['--kernel', '20', '-l', 'kfunc_1', '--dry-run', '--scheme', 'riscv-legacy'])).toBe(0);
    const out = io.out();
    expect(out).toMatch(/kfunc_1 +insn +13 00 00 00 13 00 00 00 -> 97 \w\w \w\w \w\w e7 \w\w \w\w \w\w/);
    expect(out).toMatch(/steps of the stop-machine protocol/);
  });
});
