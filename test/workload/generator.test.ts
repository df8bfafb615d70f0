// Synthetic kernel generator: patchable layouts, entries table, symbols, call graph, machine-code path = assembler output.
import { describe, expect, it } from 'vitest';
import { compilerNops, createScheme, planFtraceInit, RuntimeSymbols, SITE_LAYOUTS, type SiteLayoutKind } from '../../src/ftrace/index.js';
import type { AssembledProgram } from '../../src/isa/index.js';
import {
  buildCallGraph, buildGuestImage, dynamicCallCounts, dynamicCalls, patchableEntryAddrs, planSyntheticKernel, WorkloadError,
  PATCHABLE_ENTRIES_START, PATCHABLE_ENTRIES_STOP, type GuestImage,
} from '../../src/workload/index.js';

const LAYOUTS: SiteLayoutKind[] = ['rvc-8,4', 'norvc-4,2', 'rvc-4', 'norvc-2', 'rvc-14,12', 'norvc-7,6'];

function read(p: AssembledProgram, addr: number, len: number): Uint8Array {
  const s = p.sections.find((x) => !x.nobits && x.addr <= addr && addr + len <= x.addr + x.data.length);
  if (!s) throw new Error(`0x${addr.toString(16)} not in any section`);
  return s.data.slice(addr - s.addr, addr - s.addr + len);
}

function image(layout: SiteLayoutKind, kernelCode: 'assembly' | 'machine-code', functions = 120): GuestImage {
  return buildGuestImage({ runtime: { harts: 1, scheme: 'list', bufferSizeKb: 4 }, kernel: { functions, layout, seed: 3 }, kernelCode });
}

describe('patchable layout', () => {
  for (const layout of LAYOUTS) {
    for (const code of ['assembly', 'machine-code'] as const) {
      it(`${layout} via ${code}: every function has the compiler's NOP area, aligned, listed in __patchable_function_entries`, () => {
        const img = image(layout, code);
        const L = SITE_LAYOUTS[layout];
        const names = img.kernel.functions.map((f) => f.name).concat(['tracee_relevant', 'tracee_irrelevant']);
        expect(img.functionEntries.map((e) => e.symbol).sort()).toEqual([...names].sort());
        const nops = compilerNops(L, L.preEntryBytes + L.entryBytes);
        const addrs = patchableEntryAddrs(img.program);
        expect(addrs).toEqual([...addrs].sort((a, b) => a - b));
        for (const e of img.functionEntries) {
          const sym = img.program.symbols.find((s) => s.name === e.symbol)!;
          expect(sym.type).toBe('func');
          expect(sym.size).toBeGreaterThan(L.entryBytes);
          expect(sym.value).toBe(e.pfe + L.preEntryBytes);
          expect(sym.value % L.functionAlign).toBe(0);
          expect(read(img.program, e.pfe, nops.length)).toEqual(nops);
        }
        const start = img.symbols.get(PATCHABLE_ENTRIES_START)!;
        expect(img.symbols.get(PATCHABLE_ENTRIES_STOP)! - start).toBe(8 * addrs.length);
      });
    }

    it(`${layout}: the machine-code path emits exactly the assembler's bytes for every function`, () => {
      const a = image(layout, 'assembly');
      const m = image(layout, 'machine-code');
      for (const f of a.kernel.functions) {
        const sa = a.program.symbols.find((s) => s.name === f.name)!;
        const sm = m.program.symbols.find((s) => s.name === f.name)!;
        expect(sm.size).toBe(sa.size);
        // calls are pc-relative and both kernels are contiguous, so equal offsets give equal bytes
        expect(read(m.program, sm.value, sm.size)).toEqual(read(a.program, sa.value, sa.size));
      }
    });
  }

  for (const layout of ['rvc-14,12', 'norvc-7,6'] as const) {
    it(`${layout} (the s390-hotpatch layout): planFtraceInit accepts every site under s390-hotpatch; the 6.16-site schemes refuse it`, () => {
      const img = buildGuestImage({ runtime: { harts: 1, scheme: 's390-hotpatch', bufferSizeKb: 4 }, kernel: { functions: 40, layout, seed: 3 }, kernelCode: 'machine-code' });
      const text = { read: (addr: number, len: number) => read(img.program, addr, len) };
      const symbols = new RuntimeSymbols(img.runtimeSymbols);
      const init = planFtraceInit(img.functionEntries, img.layout, text, createScheme('s390-hotpatch', symbols));
      expect(init.rejected).toEqual([]);
      expect(init.records.size).toBe(img.functionEntries.length);
      // per site: the 24 pre-entry NOP bytes become the second stage, the 4 entry bytes the stage-1 branch
      for (const r of init.records) {
        const w = init.plan.sites.filter((x) => x.ip === r.ip);
        expect(w.map((x) => [x.addr - r.funcAddr, x.old.length])).toEqual([[-24, 24], [0, 4]]);
      }
      for (const scheme of ['list', 'callops', 'riscv-legacy', 'trampoline', 'direct'] as const) {
        const other = buildGuestImage({ runtime: { harts: 1, scheme, bufferSizeKb: 4 }, kernel: { functions: 4, layout, seed: 3 } });
        const otherText = { read: (addr: number, len: number) => read(other.program, addr, len) };
        expect(() => planFtraceInit(other.functionEntries, other.layout, otherText, createScheme(scheme, new RuntimeSymbols(other.runtimeSymbols))), scheme).toThrow(
          expect.objectContaining({ code: 'FTRACE_BAD_LAYOUT' }),
        );
      }
    });
  }

  for (const scheme of ['list', 'callops'] as const) {
    it(`${scheme}: planFtraceInit accepts every generated site`, () => {
      const img = image('rvc-8,4', 'machine-code');
      const text = { read: (addr: number, len: number) => read(img.program, addr, len) };
      const init = planFtraceInit(img.functionEntries, img.layout, text, createScheme(scheme, new RuntimeSymbols(img.runtimeSymbols)));
      expect(init.rejected).toEqual([]);
      expect(init.records.size).toBe(img.functionEntries.length);
    });
  }
});

describe('call graph and kernel plan', () => {
  it('is a layered DAG with bounded fan-out, seeded and reproducible', () => {
    const g = buildCallGraph({ functions: 500, depth: 5, fanOut: 4, seed: 9 });
    g.callees.forEach((cs, f) => {
      expect(cs.length).toBeLessThanOrEqual(4);
      for (const c of cs) expect(g.level[c]).toBe(g.level[f]! + 1);
    });
    expect(g.roots.every((r) => g.level[r] === 0)).toBe(true);
    expect(new Set(g.level)).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(buildCallGraph({ functions: 500, depth: 5, fanOut: 4, seed: 9 })).toEqual(g);
    expect(buildCallGraph({ functions: 500, depth: 5, fanOut: 4, seed: 10 }).callees).not.toEqual(g.callees);
    expect(dynamicCallCounts(g).reduce((a, b) => a + b, 0)).toBe(dynamicCalls(g));
  });

  it('fanOut 0 gives only leaves; depth 1 makes every function a root', () => {
    expect(buildCallGraph({ functions: 10, depth: 3, fanOut: 0, seed: 1 }).callees.every((c) => c.length === 0)).toBe(true);
    expect(buildCallGraph({ functions: 10, depth: 1, fanOut: 3, seed: 1 }).roots).toHaveLength(10);
  });

  it('rejects bad options with WorkloadError', () => {
    const bad = [
      () => planSyntheticKernel({ functions: 0 }),
      () => planSyntheticKernel({ functions: 100_001 }),
      () => planSyntheticKernel({ depth: 0 }),
      () => planSyntheticKernel({ fanOut: 17 }),
      () => planSyntheticKernel({ bodyOps: 0 }),
      () => planSyntheticKernel({ prefix: '1bad' }),
      () => buildGuestImage({ runtime: { harts: 1, scheme: 'list' }, kernel: { functions: 5, layout: 'rvc-9' as SiteLayoutKind } }),
      () => buildGuestImage({ runtime: { harts: 1, scheme: 'list' }, kernel: { functions: 5 }, kernelCode: 'x' as 'assembly' }),
      () => buildGuestImage({ runtime: { harts: 1, scheme: 'list' }, kernel: { functions: 5 }, sample: { nrCalls: -1 } }),
    ];
    for (const f of bad) {
      expect(f).toThrow(WorkloadError);
      try {
        f();
      } catch (e) {
        expect((e as WorkloadError).code).toBe('WORKLOAD_BAD_OPTION');
      }
    }
  });

  it('generates and lays out 20,000 functions through the machine-code path', () => {
    const img = buildGuestImage({ runtime: { harts: 1, scheme: 'callops', bufferSizeKb: 4 }, kernel: { functions: 20_000 } });
    expect(img.kernelCode).toBe('machine-code');
    expect(img.functionEntries).toHaveLength(20_002);
  });
});
