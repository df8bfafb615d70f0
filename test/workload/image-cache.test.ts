// The guest-image cache: one assembly per option set (every option is part of the key), frozen shared images, labs
// built from a cached image start from the image's bytes, not from another lab's patched text.
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/lab/index.js';
import { canonicalKey, MemoCache } from '../../src/util/memo-cache.js';
import { buildGuestImage, clearGuestImageCache, guestImageCacheStats, type GuestImageOptions } from '../../src/workload/index.js';

const OPTS: GuestImageOptions = { runtime: { harts: 1, scheme: 'list', bufferSizeKb: 4 }, kernel: { functions: 12, seed: 5 } };

describe('canonicalKey', () => {
  it('ignores key order and undefined properties, keeps every value', () => {
    expect(canonicalKey({ b: 1, a: { y: [1, 'x', null], x: true } })).toBe(canonicalKey({ a: { x: true, y: [1, 'x', null] }, b: 1, c: undefined }));
    expect(canonicalKey({ a: 1 })).not.toBe(canonicalKey({ a: 2 }));
    expect(canonicalKey({ a: [1, 2] })).not.toBe(canonicalKey({ a: [2, 1] }));
    expect(canonicalKey({ a: '1' })).not.toBe(canonicalKey({ a: 1 }));
  });

  it('refuses what it cannot compare as data', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const v of [{ f: () => 1 }, { m: new Map() }, { b: new Uint8Array(2) }, { n: 1n }, { x: NaN }, cyclic, undefined]) {
      expect(canonicalKey(v)).toBeUndefined();
    }
    const shared = { k: 1 };
    expect(canonicalKey({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}'); // repeated, not cyclic
  });
});

describe('MemoCache', () => {
  it('evicts the least recently used entry and never caches an undefined key', () => {
    const c = new MemoCache<number>(2);
    let made = 0;
    const make = () => ++made;
    expect(c.get('a', make)).toBe(1);
    expect(c.get('b', make)).toBe(2);
    expect(c.get('a', make)).toBe(1); // a is now the most recent
    expect(c.get('c', make)).toBe(3); // evicts b
    expect(c.get('b', make)).toBe(4);
    expect(c.get(undefined, make)).toBe(5);
    expect(c.get(undefined, make)).toBe(6);
    expect(c.size).toBe(2);
  });
});

describe('buildGuestImage cache', () => {
  it('returns the same frozen image for the same options, and a new one when any option differs', () => {
    clearGuestImageCache();
    const a = buildGuestImage(OPTS);
    const b = buildGuestImage({ kernel: { seed: 5, functions: 12 }, runtime: { bufferSizeKb: 4, scheme: 'list', harts: 1 } });
    expect(b).toBe(a);
    expect(guestImageCacheStats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => (a.functionEntries as unknown[]).push(a.functionEntries[0])).toThrow(TypeError);
    const variants: GuestImageOptions[] = [
      { ...OPTS, kernel: { functions: 12, seed: 6 } },
      { ...OPTS, runtime: { ...OPTS.runtime, harts: 2 } },
      { ...OPTS, runtime: { ...OPTS.runtime, bufferSizeKb: 8 } },
      { ...OPTS, runtime: { ...OPTS.runtime, directCalls: false } },
      { ...OPTS, input: 3 },
      { ...OPTS, extraSource: 'probe_extra:\n\tret\n' },
    ];
    const images = variants.map((v) => buildGuestImage(v));
    for (const img of images) expect(img).not.toBe(a);
    expect(new Set(images).size).toBe(variants.length);
    // the option really changed the image
    expect(images[5]!.symbols.has('probe_extra')).toBe(true);
    expect(a.symbols.has('probe_extra')).toBe(false);
  });

  it('two labs on one cached image: the second starts from the image bytes, not the first lab\'s patched text', async () => {
    clearGuestImageCache();
    const kernel = { functions: 20, seed: 11 };
    const first = await Lab.create({ kernel });
    const fn = first.guest.image!.kernel.functions[3]!.name;
    const addr = first.symbol(fn);
    const before = first.machine.memory.read(addr - 8, 16);
    first.machine.memory.write(addr - 8, new Uint8Array(16).fill(0x13)); // scribble over the first lab's site
    const second = await Lab.create({ kernel });
    expect(second.guest.image).toBe(first.guest.image);
    expect(second.machine.memory.read(addr - 8, 16)).toEqual(before);
    const r = await second.run({ maxInsns: 5e6 });
    expect(r.reason).toBe('halted');
    expect(r.exitCode).toBe(0);
  });
});
