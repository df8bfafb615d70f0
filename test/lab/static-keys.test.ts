// Static keys: the generated __jump_table, enable/disable and refcounts as plans, per-call cost off/on, every protocol, the unsafe variants.
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/lab/index.js';
import { PROTOCOL_NAMES } from '../../src/patch/protocols/index.js';
import { dynamicCallCounts } from '../../src/workload/index.js';

const mk = (opts: { variant?: 'nop4' | 'cnop2' | 'misaligned4'; protocol?: (typeof PROTOCOL_NAMES)[number]; harts?: number } = {}) =>
  Lab.create({
    harts: opts.harts ?? 1,
    scheme: 'callops',
    bufferSizeKb: 64,
    ram: 32 << 20,
    ...(opts.protocol ? { protocol: opts.protocol } : {}),
    kernel: { functions: 40, seed: 3, staticKeys: { keys: 2, variant: opts.variant ?? 'nop4' } },
  });

const hits = (l: Lab, k: number) => l.machine.memory.readU64(l.symbol('static_key_hits') + 8 * k);

describe('static keys', () => {
  it('the __jump_table has one 4-byte, 4-aligned nop site per function, keyed on static_key_0/1', async () => {
    const l = await mk();
    const sk = l.staticKeys!;
    expect(sk.entries()).toHaveLength(40);
    for (const e of sk.entries()) {
      expect(e.size).toBe(4);
      expect(e.code % 4).toBe(0);
      expect(e.branch).toBe(false);
      expect(l.machine.memory.readU32(e.code)).toBe(0x13);
      expect([l.symbol('static_key_0'), l.symbol('static_key_1')]).toContain(e.key);
    }
  });

  it('per call: off = one nop; on = jal + the 5-instruction tracepoint body + j back (6 more), counted exactly', async () => {
    const off = await mk();
    const r0 = await off.run();
    expect(r0.exitCode).toBe(0);
    const on = await mk();
    await on.staticKeys!.enable('static_key_0');
    expect(on.staticKeys!.plan()!.sites).toHaveLength(20);
    const r1 = await on.run();
    expect(r1.exitCode).toBe(0); // the kernel's result is unchanged (the tracepoint leaves a0 alone)
    const k = on.guest.image!.kernel;
    const counts = dynamicCallCounts(k.graph);
    const want = counts.reduce((s, c, i) => s + (i % 2 === 0 ? c : 0), 0); // function i uses key i mod 2
    expect(hits(on, 0)).toBe(BigInt(want));
    expect(hits(on, 1)).toBe(0n);
    expect(on.retired - off.retired).toBe(6 * want);
  });

  it('static_key_slow_inc/dec count references: only the first inc and the last dec patch; disable refuses a shared key', async () => {
    const l = await mk();
    const sk = l.staticKeys!;
    await sk.slowInc('static_key_1');
    expect(sk.plan()!.sites).toHaveLength(20);
    await sk.slowInc('static_key_1');
    expect(sk.plan()!.sites).toHaveLength(0);
    expect(sk.count('static_key_1')).toBe(2);
    await expect(sk.disable('static_key_1')).rejects.toMatchObject({ code: 'FTRACE_BUSY' });
    await sk.slowDec('static_key_1');
    expect(sk.plan()!.sites).toHaveLength(0);
    await sk.slowDec('static_key_1');
    expect(sk.plan()!.sites).toHaveLength(20);
    expect(sk.entries().every((e) => l.machine.memory.readU32(e.code) === 0x13)).toBe(true);
    await expect(sk.slowDec('static_key_1')).rejects.toMatchObject({ code: 'FTRACE_NOT_REGISTERED' });
    expect(l.machine.memory.readU64(l.symbol('static_key_1'))).toBe(0n);
  });

  for (const protocol of PROTOCOL_NAMES) {
    it(`${protocol}: enable lands while 2 harts run the loop workload; hits appear only after it`, async () => {
      const l = await Lab.create({
        harts: 2, scheme: 'callops', bufferSizeKb: 64, ram: 32 << 20, protocol,
        kernel: { functions: 40, seed: 3, staticKeys: { keys: 1 }, workload: 'loop', iterations: 20 },
      });
      l.at(20_000, () => l.staticKeys!.enable('static_key_0'));
      const r = await l.run({ maxInsns: 5e7 });
      expect(r.exitCode).toBe(0);
      expect(hits(l, 0)).toBeGreaterThan(0n);
      expect(l.staticKeys!.count('static_key_0')).toBe(1);
      expect(l.staticKeys!.lastReport!.counts.writes).toBeGreaterThan(0);
      expect(l.staticKeys!.lastReport!.mode).not.toBe('quiescent');
    });
  }

  it('unsafe variants for the checker: a 2-byte c.nop <-> c.j site, and a 4-byte site at 2 mod 4 that atomic patching splits', async () => {
    const c = await mk({ variant: 'cnop2' });
    expect(c.staticKeys!.entries().every((e) => e.size === 2)).toBe(true);
    await c.staticKeys!.enable('static_key_0');
    expect((await c.run()).exitCode).toBe(0);
    expect(hits(c, 0)).toBeGreaterThan(0n);
    const m = await mk({ variant: 'misaligned4' });
    expect(m.staticKeys!.entries().every((e) => e.size === 4 && e.code % 4 === 2)).toBe(true);
    await m.staticKeys!.enable('static_key_0');
    const steps = m.previewSteps(m.staticKeys!.plan()!).filter((s) => s.op === 'write' && s.role === 'site');
    expect(steps.length).toBe(2 * 20); // each 4-byte site becomes two 2-byte stores: the 2022 riscv bug's tearing
    expect((await m.run()).exitCode).toBe(0);
  });
});

describe('static keys in a GCC ELF (asm goto jump labels, the linker\'s __start___jump_table)', () => {
  for (const v of ['rv64imac', 'rv64ima']) {
    it(`${v}: the __jump_table is recognised and enabling a key turns its sites into jumps`, async () => {
      const { readFileSync } = await import('node:fs');
      const elf = new Uint8Array(readFileSync(`test/fixtures/bin/statickeys.${v}.elf`));
      const l = await Lab.create({ elf });
      const sk = l.staticKeys!;
      expect(sk.entries()).toHaveLength(2);
      expect(new Set(sk.entries().map((e) => e.key))).toEqual(new Set([l.symbol('sk_even'), l.symbol('sk_odd')]));
      expect(sk.entries().every((e) => e.size === 4 && e.code % 4 === 0)).toBe(true);
      await sk.slowInc('sk_odd');
      const r = await l.run({ maxInsns: 1e8 });
      expect(r.exitCode).toBe(0); // acc is unchanged: only the counters differ
      expect(l.machine.memory.readU64(l.symbol('sk_odd_hits'))).toBe(500n);
      expect(l.machine.memory.readU64(l.symbol('sk_even_hits'))).toBe(0n);
      expect(l.machine.memory.readU64(l.symbol('sk_odd'))).toBe(1n); // key->enabled published
    });
  }
});

describe('the static-key table of npm start', () => {
  it('per call off 1 / on 7 instructions, and one row per protocol rewriting every site', async () => {
    const { runStaticKeyBench, formatStaticKeyTable } = await import('../../src/lab/index.js');
    const t = await runStaticKeyBench({ functions: 60, repeats: 1 });
    expect(t.offInsns).toBe(1);
    expect(t.onInsns).toBe(7);
    expect(t.protocols.map((r) => r.protocol)).toEqual([...PROTOCOL_NAMES]);
    for (const r of t.protocols) {
      expect(r.sites).toBe(60);
      expect(r.enableMs).toBeGreaterThanOrEqual(0);
    }
    const text = formatStaticKeyTable(t);
    expect(text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| protocol'))).toHaveLength(PROTOCOL_NAMES.length);
    await expect(runStaticKeyBench({ functions: 0 })).rejects.toMatchObject({ code: 'LAB_BAD_OPTION' });
  });
});
