// The ftrace-ops sample's shapes on guest instruction counts (deterministic): CALL_OPS flat, list func linear, >=2 relevant equal.
import { beforeAll, describe, expect, it } from 'vitest';
import { runOverheadSweep, PUBLISHED_ROWS, type SweepRow } from '../../src/lab/index.js';
import { FtraceLabError } from '../../src/errors.js';
import { SCHEME_NAMES, schemeDescriptor } from '../../src/ftrace/index.js';

const CALLS = 40;
let rows: SweepRow[] = [];
const insns = (scheme: string, rel: number, irrel: number): bigint => {
  const r = rows.find((x) => x.scheme === scheme && x.relevant === rel && x.irrelevant === irrel);
  if (!r) throw new Error(`no row ${scheme} ${rel},${irrel}`);
  return r.tracedInstret;
};

describe('overhead sweep shapes (instructions, not time)', () => {
  beforeAll(async () => {
    rows = await runOverheadSweep({ calls: CALLS, repeats: 1 });
  });

  it('measures every published row for both schemes against a disabled-site baseline', () => {
    expect(rows).toHaveLength(SCHEME_NAMES.length * PUBLISHED_ROWS.length);
    for (const r of rows) {
      expect(r.overheadInsns).toBeGreaterThan(0);
      // same loop, sites disabled (auipc + nop; s390-hotpatch's one bne x0,x0): see the disabled-cost test below
    }
  });

  it('callops (1, k) costs the same for every k', () => {
    const ks = [0, 1, 2, 10, 100, 200].map((k) => insns('callops', 1, k));
    expect(new Set(ks).size).toBe(1);
  });

  it('list (1, k) grows strictly with k, by the same amount per irrelevant ops (one ftrace_ops_test)', () => {
    const ks = [0, 1, 2, 10, 100, 200];
    const v = ks.map((k) => insns('list', 1, k));
    for (let i = 1; i < v.length; i++) expect(v[i]! > v[i - 1]!).toBe(true);
    const slope = (v[1]! - v[0]!) / BigInt(CALLS);
    expect(slope).toBeGreaterThan(0n);
    for (let i = 1; i < ks.length; i++) expect(v[i]! - v[0]!).toBe(slope * BigInt(ks[i]!) * BigInt(CALLS));
  });

  it('callops (1, 0) is cheaper than list (1, 0)', () => {
    expect(insns('callops', 1, 0) < insns('list', 1, 0)).toBe(true);
  });

  it('with 2+ relevant ops both schemes take the list func: CALL_OPS costs exactly one more instruction per call', () => {
    // The site's literal holds ftrace_list_ops, so CALL_OPS's ftrace_caller loads it (one extra `ld`) and then calls
    // the same list func the list scheme's ftrace_caller reaches through ftrace_call_dest.
    for (const n of [2, 10, 100, 200]) expect(insns('callops', n, 0) - insns('list', n, 0)).toBe(BigInt(CALLS));
  });

  it('trampoline (1, k) is flat while the window has room, cheaper than callops (no literal load, no op->func load, no direct_call test)', () => {
    const ks = [0, 1, 2, 10].map((k) => insns('trampoline', 1, k));
    expect(new Set(ks).size).toBe(1);
    expect(insns('trampoline', 1, 0) < insns('callops', 1, 0)).toBe(true);
    // 100 irrelevant ops took every slot of the 2 KiB window first: the relevant ops falls back to ftrace_caller + list func
    expect(insns('trampoline', 1, 100)).toBe(insns('list', 1, 100));
    // 2+ relevant ops: the shared ftrace_caller and the list func, exactly as the list scheme
    for (const n of [2, 10, 100, 200]) expect(insns('trampoline', n, 0)).toBe(insns('list', n, 0));
  });

  it('trampoline-far (1, k) is flat for every k (trampolines beyond the window, auipc rewritten) at the trampoline cost', () => {
    const ks = [0, 1, 2, 10, 100, 200].map((k) => insns('trampoline-far', 1, k));
    expect(new Set(ks).size).toBe(1);
    expect(ks[0]).toBe(insns('trampoline', 1, 0));
  });

  it('direct (one relevant direct ops with an empty trampoline) is the cheapest traced path and flat in k', () => {
    const ks = [0, 1, 2, 10, 100, 200].map((k) => insns('direct', 1, k));
    expect(new Set(ks).size).toBe(1);
    for (const s of SCHEME_NAMES.filter((n) => n !== 'direct')) expect(insns('direct', 1, 0) < insns(s, 1, 0), s).toBe(true);
    const row = rows.find((r) => r.scheme === 'direct' && r.relevant === 1 && r.irrelevant === 0)!;
    expect(row.overheadInsns).toBeLessThanOrEqual(5); // the jalr's target + `jr t0` (or ftrace_caller's fast path)
  });

  it("each scheme's baseline differs from list's by exactly its disabled-site cost: 2 instructions for the 6.16 sites, 1 for s390-hotpatch", () => {
    const base = (s: string) => rows.find((r) => r.scheme === s)!.baselineInstret;
    for (const s of SCHEME_NAMES) {
      for (const r of rows.filter((x) => x.scheme === s)) expect(r.baselineInstret, s).toBe(base(s)); // one baseline per scheme
      const d = schemeDescriptor(s).disabledInsns - schemeDescriptor('list').disabledInsns;
      expect(base(s) - base('list'), s).toBe(BigInt(d * CALLS)); // the loop calls one sited function per iteration
    }
    expect(schemeDescriptor('s390-hotpatch').disabledInsns).toBe(1);
    expect(base('s390-hotpatch')).toBe(base('callops') - BigInt(CALLS));
    for (const s of SCHEME_NAMES.filter((n) => n !== 's390-hotpatch')) expect(schemeDescriptor(s).disabledInsns, s).toBe(2);
  });

  it('s390-hotpatch (1, k) is flat like callops: the per-function second stage names the ops', () => {
    const ks = [0, 1, 2, 10, 100, 200].map((k) => insns('s390-hotpatch', 1, k));
    expect(new Set(ks).size).toBe(1);
    expect(insns('s390-hotpatch', 1, 200) < insns('list', 1, 0)).toBe(true);
    // on: the taken beq, stage 2's jal, stage 3's ld + ld + j, then ftrace_caller with the op in t1 (no literal loads)
    const row = rows.find((r) => r.scheme === 's390-hotpatch' && r.relevant === 1 && r.irrelevant === 0)!;
    const callops = rows.find((r) => r.scheme === 'callops' && r.relevant === 1 && r.irrelevant === 0)!;
    expect(row.tracedInstret).toBe(callops.tracedInstret - BigInt(CALLS)); // one fewer per call than the CALL_OPS path
  });

  it('riscv-legacy has the list shape: the same slope per irrelevant ops and the same list func for N relevant', () => {
    const ks = [0, 1, 2, 10, 100, 200];
    const legacy = ks.map((k) => insns('riscv-legacy', 1, k));
    const list = ks.map((k) => insns('list', 1, k));
    for (let i = 1; i < ks.length; i++) expect(legacy[i]! - legacy[0]!).toBe(list[i]! - list[0]!);
    // with 2+ relevant ops both reach ftrace_ops_list_func: a constant per-call difference (the trampolines differ)
    const d = insns('riscv-legacy', 2, 0) - insns('list', 2, 0);
    for (const n of [10, 100, 200]) expect(insns('riscv-legacy', n, 0) - insns('list', n, 0)).toBe(d);
  });

  it('rejects bad sweep options with typed errors', async () => {
    await expect(runOverheadSweep({ calls: 0 })).rejects.toBeInstanceOf(FtraceLabError);
    await expect(runOverheadSweep({ rows: [[-1, 0]] })).rejects.toBeInstanceOf(FtraceLabError);
    await expect(runOverheadSweep({ schemes: ['x86' as never], rows: [[1, 0]], calls: 1 })).rejects.toBeInstanceOf(FtraceLabError);
  });
});
