import { describe, expect, it } from 'vitest';
import {
  applyFilterPatterns,
  encodeHash,
  FtraceHash,
  hashBitsFor,
  hashContainsIp,
  hashLong,
  matchFilterPattern,
  parseFilterPattern,
  FTRACE_HASH_SIZE,
  FTRACE_HASH_SIZE_BITS,
  FTRACE_HASH_BUCKETS,
  FTRACE_HASH_COUNT,
  FTRACE_ENTRY_NEXT,
  FTRACE_ENTRY_PPREV,
  FTRACE_ENTRY_IP,
  MemoryPatchTarget,
} from '../../src/ftrace/index.js';
import { boot, rd64 } from './fixture.js';

const m = (pattern: string, name: string) => matchFilterPattern(parseFilterPattern(pattern), name);

describe('ftrace_match globs', () => {
  it('classifies patterns like filter_parse_regex', () => {
    expect(parseFilterPattern('foo')).toMatchObject({ type: 'full', search: 'foo', negate: false });
    expect(parseFilterPattern('foo*')).toMatchObject({ type: 'front', search: 'foo' });
    expect(parseFilterPattern('*foo')).toMatchObject({ type: 'end', search: 'foo' });
    expect(parseFilterPattern('*foo*')).toMatchObject({ type: 'middle', search: 'foo' });
    expect(parseFilterPattern('f*o')).toMatchObject({ type: 'glob' });
    expect(parseFilterPattern('!sched*')).toMatchObject({ type: 'front', search: 'sched', negate: true });
  });
  it('matches every form', () => {
    expect(m('schedule', 'schedule')).toBe(true);
    expect(m('schedule', 'schedule_tail')).toBe(false);
    expect(m('sched*', 'schedule')).toBe(true);
    expect(m('sched*', 'do_sched')).toBe(false);
    expect(m('*_read', 'vfs_read')).toBe(true);
    expect(m('*_read', 'vfs_readv')).toBe(false);
    expect(m('*sys*', 'do_sys_open')).toBe(true);
    expect(m('*', 'anything')).toBe(true);
    expect(m('func?', 'func1')).toBe(true);
    expect(m('func?', 'func12')).toBe(false);
    expect(m('func[13]', 'func1')).toBe(true);
    expect(m('func[13]', 'func2')).toBe(false);
    expect(m('func[!1]', 'func2')).toBe(true);
    expect(m('func[0-9]', 'func7')).toBe(true);
    expect(m('do*open', 'do_sys_open')).toBe(true);
    expect(m('do*open', 'do_sys_opened')).toBe(false);
  });
  it('rejects empty, unbalanced and module patterns with typed errors', () => {
    expect(() => parseFilterPattern('')).toThrow(expect.objectContaining({ code: 'FTRACE_BAD_GLOB' }));
    expect(() => parseFilterPattern('!')).toThrow(expect.objectContaining({ code: 'FTRACE_BAD_GLOB' }));
    expect(() => parseFilterPattern('func[1')).toThrow(expect.objectContaining({ code: 'FTRACE_BAD_GLOB' }));
    expect(() => parseFilterPattern('*:mod:ext4')).toThrow(expect.objectContaining({ code: 'FTRACE_UNSUPPORTED' }));
  });
});

describe('filters against the record table', () => {
  const { core, rec } = boot('rvc-8,4', 'callops');
  const ip = (n: string) => rec(n).ip;
  const apply = (patterns: string | string[], base = new FtraceHash(), reset = true) =>
    applyFilterPatterns(core.records, base, patterns, reset).ips();
  it('adds matches, ! removes, in order', () => {
    expect(apply('func*')).toEqual([ip('func1'), ip('func2')]);
    expect(apply(['func*', '!func1'])).toEqual([ip('func2')]);
    expect(apply('sched* vfs_read')).toEqual([ip('schedule'), ip('sched_tick'), ip('vfs_read')].sort((a, b) => a - b));
  });
  it('keeps the old hash without reset', () => {
    const base = FtraceHash.of([ip('func1')]);
    expect(apply('func2', base, false)).toEqual([ip('func1'), ip('func2')]);
  });
  it('a pattern matching nothing is FTRACE_NO_MATCH, an empty filter FTRACE_BAD_GLOB', () => {
    expect(() => apply('no_such_function')).toThrow(expect.objectContaining({ code: 'FTRACE_NO_MATCH' }));
    expect(() => apply(['func1', '!nothing*'])).toThrow(expect.objectContaining({ code: 'FTRACE_NO_MATCH' }));
    expect(() => apply('   ')).toThrow(expect.objectContaining({ code: 'FTRACE_BAD_GLOB' }));
  });
  it('hash_contains_ip: empty filter = all, notrace wins', () => {
    const none = new FtraceHash();
    const f1 = FtraceHash.of([ip('func1')]);
    expect(hashContainsIp(none, none, ip('vfs_read'))).toBe(true);
    expect(hashContainsIp(f1, none, ip('vfs_read'))).toBe(false);
    expect(hashContainsIp(f1, none, ip('func1'))).toBe(true);
    expect(hashContainsIp(f1, f1, ip('func1'))).toBe(false);
    expect(hashContainsIp(none, f1, ip('func1'))).toBe(false);
  });
});

describe('hash_long and the bucket layout', () => {
  const G = 0x61c8864680b583ebn;
  const byHand = (v: bigint, bits: number) => Number(((v * G) % (1n << 64n)) >> BigInt(64 - bits));
  it('is the 64-bit golden-ratio multiplicative hash', () => {
    expect(hashLong(1, 10)).toBe(0x187); // top 10 bits of 0x61c8...
    expect(hashLong(0, 12)).toBe(0);
    expect(hashLong(0x8000100c, 12)).toBe(byHand(0x8000100cn, 12));
    expect(hashLong(0x8000104c, 4)).toBe(byHand(0x8000104cn, 4));
    expect(hashLong(0x8000104c, 0)).toBe(0);
  });
  it('sizes like dup_hash: fls(count / 2) bits, at most 12', () => {
    expect([0, 1, 2, 3, 4, 8, 100, 100000].map(hashBitsFor)).toEqual([0, 0, 1, 1, 2, 3, 6, 12]);
  });
  it('places entries in bucket hash_long(ip, size_bits)', () => {
    const ips = Array.from({ length: 40 }, (_, i) => 0x80001000 + 0x40 * i + 12);
    const h = FtraceHash.of(ips);
    expect(h.sizeBits).toBe(5);
    for (const ip of ips) expect(h.bucket(byHand(BigInt(ip), 5))).toContain(ip);
    expect(h.count).toBe(40);
    expect(h.remove(ips[0]!)).toBe(true);
    expect(h.has(ips[0]!)).toBe(false);
  });
  it('serialises to guest bytes a walker can decode (newest entry first in a bucket)', () => {
    const ips = Array.from({ length: 40 }, (_, i) => 0x80001000 + 0x40 * i + 12);
    const h = FtraceHash.of(ips);
    const at = 0x90000000;
    const mem = new MemoryPatchTarget(at, encodeHash(h, at));
    expect(rd64(mem, at + FTRACE_HASH_SIZE_BITS)).toBe(5);
    expect(rd64(mem, at + FTRACE_HASH_COUNT)).toBe(40);
    const buckets = rd64(mem, at + FTRACE_HASH_BUCKETS);
    expect(buckets).toBe(at + FTRACE_HASH_SIZE);
    const seen: number[] = [];
    for (let b = 0; b < 32; b++) {
      const chain: number[] = [];
      let link = buckets + 8 * b;
      for (let e = rd64(mem, link); e; link = e + FTRACE_ENTRY_NEXT, e = rd64(mem, link)) {
        expect(rd64(mem, e + FTRACE_ENTRY_PPREV)).toBe(link);
        const ip = rd64(mem, e + FTRACE_ENTRY_IP);
        expect(hashLong(ip, 5)).toBe(b);
        chain.push(ip);
      }
      expect(chain).toEqual([...h.bucket(b)].reverse());
      seen.push(...chain);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(ips);
  });
});
