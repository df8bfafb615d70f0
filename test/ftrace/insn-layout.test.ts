import { describe, expect, it } from 'vitest';
import { auipcT0For, jalrT0For, ftraceCallAdjust, literalAddr, SITE_LAYOUTS, compilerNops, FtraceError } from '../../src/ftrace/index.js';

describe('auipc/jalr t0 split (reference §14.1 examples)', () => {
  it.each([
    [0x80001000, 0x80200ff0, 0x00200297, 0xff0282e7],
    [0x80001000, 0x80200800, 0x00200297, 0x800282e7],
    [0x80201004, 0x80001000, 0xffe00297, 0xffc282e7],
  ])('%s -> %s', (pc, target, auipc, jalr) => {
    expect(auipcT0For(pc, target)).toBe(auipc);
    expect(jalrT0For(pc, target)).toBe(jalr);
  });
  it('rejects targets beyond ±2 GiB', () => {
    expect(() => auipcT0For(0, 0x90000000)).toThrow(FtraceError);
  });
});

describe('site layouts', () => {
  it('ftrace_call_adjust points at the jalr word', () => {
    expect(ftraceCallAdjust(SITE_LAYOUTS['rvc-8,4'], 0x1000)).toBe(0x100c);
    expect(ftraceCallAdjust(SITE_LAYOUTS['norvc-4,2'], 0x1000)).toBe(0x100c);
    expect(ftraceCallAdjust(SITE_LAYOUTS['rvc-4'], 0x1000)).toBe(0x1004);
    expect(ftraceCallAdjust(SITE_LAYOUTS['norvc-2'], 0x1000)).toBe(0x1004);
  });
  it('the literal sits 8 bytes before the entry: ALIGN_DOWN(ip - 12, 8)', () => {
    expect(literalAddr(0x100c)).toBe(0x1000);
  });
  it('compiler NOPs follow the C extension', () => {
    expect([...compilerNops(SITE_LAYOUTS['rvc-8,4'], 4)]).toEqual([1, 0, 1, 0]);
    expect([...compilerNops(SITE_LAYOUTS['norvc-4,2'], 4)]).toEqual([0x13, 0, 0, 0]);
  });
});
