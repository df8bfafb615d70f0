import { describe, expect, it } from 'vitest';
import {
  applyPlanStopped,
  createScheme,
  FtraceError,
  functionEntriesFromSymbols,
  planFtraceInit,
  RuntimeSymbols,
  SITE_LAYOUTS,
  type SiteLayoutKind,
} from '../../src/ftrace/index.js';
import { BASE, FUNCS_AT, FUNC_STRIDE, makeImage, NAMES, rd32, rd64, SYMS } from './fixture.js';

const symbols = new RuntimeSymbols(SYMS);

describe.each(['rvc-8,4', 'norvc-4,2'] as SiteLayoutKind[])('ftrace_init on %s (callops)', (kind) => {
  it('converts every site to auipc t0,hi(ftrace_caller) + nop with literal = &ftrace_nop_ops', () => {
    const { mem, entries, layout } = makeImage(kind);
    const init = planFtraceInit(entries, layout, mem, createScheme('callops', symbols));
    expect(init.rejected).toEqual([]);
    expect(init.records.size).toBe(NAMES.length);
    applyPlanStopped(init.plan, mem);
    for (const [i, name] of NAMES.entries()) {
      const pfe = FUNCS_AT + i * FUNC_STRIDE;
      const rec = init.records.lookupName(name)[0]!;
      expect(rec.ip).toBe(pfe + 12);
      expect(init.records.lookupIp(rec.ip)).toBe(rec);
      expect(rd64(mem, pfe)).toBe(SYMS.ftrace_nop_ops);
      const func = pfe + 8;
      const off = SYMS.ftrace_caller - func;
      const hi = ((off + 0x800) >> 12) & 0xfffff;
      expect(rd32(mem, func)).toBe(((hi << 12) | 0x297) >>> 0);
      expect(rd32(mem, func + 4)).toBe(0x13);
      expect(rec.state).toEqual({ call: null, literal: SYMS.ftrace_nop_ops });
    }
    // the plan writes the literal before the entry, one 8-byte write each
    expect(init.plan.sites.slice(0, 2).map((s) => [s.kind, s.new.length])).toEqual([
      ['literal', 8],
      ['insn', 8],
    ]);
  });

  it('rejects misaligned entries and sites without the compiler NOPs, leaving them untouched', () => {
    const { mem, entries, layout } = makeImage(kind);
    mem.write(entries[1]!.pfe + 10, Uint8Array.of(0x99)); // not a NOP any more
    const misaligned = { symbol: 'odd', pfe: entries[2]!.pfe + 4 };
    const dup = { symbol: 'again', pfe: entries[3]!.pfe };
    const before = mem.bytes.slice();
    const init = planFtraceInit([...entries, misaligned, dup], layout, mem, createScheme('callops', symbols));
    expect(init.rejected.map((r) => [r.symbol, r.reason])).toEqual([
      [NAMES[1], 'not-nops'],
      ['odd', 'misaligned'],
      ['again', 'duplicate'],
    ]);
    expect(init.records.lookupName(NAMES[1]!)).toEqual([]);
    applyPlanStopped(init.plan, mem);
    expect(mem.bytes.slice(entries[1]!.pfe - BASE, entries[1]!.pfe - BASE + 16)).toEqual(before.slice(entries[1]!.pfe - BASE, entries[1]!.pfe - BASE + 16));
  });

  it('reports unreadable sites instead of crashing', () => {
    const { mem, layout } = makeImage(kind);
    const init = planFtraceInit([{ symbol: 'far', pfe: BASE + 0x100000 }], layout, mem, createScheme('callops', symbols));
    expect(init.rejected[0]!.reason).toBe('unreadable');
  });
});

describe('ftrace_init without a literal', () => {
  it.each(['rvc-4', 'norvc-2'] as SiteLayoutKind[])('%s: list scheme writes only the entry', (kind) => {
    const { mem, entries, layout } = makeImage(kind);
    const init = planFtraceInit(entries, layout, mem, createScheme('list', symbols));
    expect(init.rejected).toEqual([]);
    expect(init.plan.sites.every((s) => s.kind === 'insn' && s.addr === s.ip - 4)).toBe(true);
    applyPlanStopped(init.plan, mem);
    expect(rd32(mem, entries[0]!.pfe + 4)).toBe(0x13);
  });
  it('rvc-4 entries need 4-byte alignment', () => {
    const { mem, layout } = makeImage('rvc-4');
    const init = planFtraceInit([{ symbol: 'f', pfe: FUNCS_AT + 2 }], layout, mem, createScheme('list', symbols));
    expect(init.rejected[0]!.reason).toBe('misaligned');
  });
  it('the callops scheme refuses layouts without the pre-entry literal', () => {
    const { mem, entries, layout } = makeImage('norvc-2');
    expect(() => planFtraceInit(entries, layout, mem, createScheme('callops', symbols))).toThrow(
      expect.objectContaining({ code: 'FTRACE_BAD_LAYOUT' }),
    );
  });
  it('the list scheme leaves the pre-entry NOPs of a =8,4 build alone', () => {
    const { mem, entries, layout } = makeImage('rvc-8,4');
    const init = planFtraceInit(entries, layout, mem, createScheme('list', symbols));
    applyPlanStopped(init.plan, mem);
    expect(rd64(mem, entries[0]!.pfe)).toBe(0x0001000100010001);
  });
});

describe('functionEntriesFromSymbols', () => {
  it('names entries after the symbol at pfe + pre-entry bytes', () => {
    const e = functionEntriesFromSymbols([0x1000, 0x2000], [{ name: 'f', value: 0x1008 }], SITE_LAYOUTS['rvc-8,4']);
    expect(e).toEqual([
      { pfe: 0x1000, symbol: 'f' },
      { pfe: 0x2000, symbol: '0x2008' },
    ]);
  });
});

describe('runtime symbols', () => {
  it('a missing symbol is a typed error', () => {
    expect(() => createScheme('callops', new RuntimeSymbols({ ftrace_caller: 1 }))).toThrow(FtraceError);
    expect(() => createScheme('nope', symbols)).toThrow(expect.objectContaining({ code: 'FTRACE_UNSUPPORTED' }));
  });
});
