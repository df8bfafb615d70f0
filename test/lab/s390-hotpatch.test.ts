// s390-hotpatch in RISC-V form: the one-bit stage-1 flip, the per-function second stage, exact tracing, the text-size cost.
import { describe, expect, it } from 'vitest';
import { compilerNops, DynFtrace, RuntimeSymbols, S390HotpatchScheme, SITE_LAYOUTS, stage1Word, stage2Addr, stage2EntryOffset } from '../../src/ftrace/index.js';
import { Lab } from '../../src/lab/index.js';
import { dynamicCallCounts } from '../../src/workload/index.js';

const lab = () => Lab.create({ harts: 1, scheme: 's390-hotpatch', bufferSizeKb: 256, ram: 32 << 20, kernel: { functions: 60, seed: 5, runSample: true, nrCalls: 7 } });

describe('s390-hotpatch', () => {
  it('a second stage far from stage 3 calls it with auipc + jalr (stage 1 then branches to the auipc); both forms leave t0 = stage 2 + 8', () => {
    const layout = SITE_LAYOUTS['rvc-14,12'];
    const func = 0x10_0018;
    const rec = new DynFtrace(func + 4, 'f', layout);
    for (const [stage3, entry] of [[0x1000_0000, 0], [0x10_1000, 4], [0x10_0004 + (1 << 20) - 2, 4], [0x10_0004 + (1 << 20), 0]] as const) {
      expect(stage2EntryOffset(stage2Addr(rec), stage3)).toBe(entry);
      const scheme = new S390HotpatchScheme(new RuntimeSymbols({ ftrace_caller: 0x2000_0000, ftrace_hotpatch_stage3: stage3, ftrace_nop_ops: 0x3000_0000 }));
      const [s2w, s1w] = scheme.initSite(rec, compilerNops(layout, 28));
      expect(s2w!.addr).toBe(func - 24);
      const word = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
      expect(word(s1w!.new, 0)).toBe(stage1Word(-24 + entry, false));
      if (entry === 0) {
        const auipc = word(s2w!.new, 0);
        const jalr = word(s2w!.new, 4);
        expect([auipc & 0xfff, jalr & 0xfffff]).toEqual([0x297, 0x282e7]); // auipc t0 ; jalr t0, lo(t0)
        expect(func - 24 + (auipc & 0xfffff000 | 0) + (jalr >> 20)).toBe(stage3);
      } else {
        expect(word(s2w!.new, 0)).toBe(0x13);
        expect(func - 20 + decodeJalImm(word(s2w!.new, 4))).toBe(stage3);
      }
      expect(new DataView(s2w!.new.buffer, s2w!.new.byteOffset).getBigUint64(8, true)).toBe(BigInt(func + 4)); // resume
    }
  });

  it('bne x0,x0 and beq x0,x0 differ in one bit (funct3 bit 12), whatever the offset', () => {
    for (const off of [-4096, -24, 8, 4094]) expect((stage1Word(off, false) ^ stage1Word(off, true)) >>> 0).toBe(1 << 12);
    expect(() => stage1Word(4096, true)).toThrow(/reach/);
  });

  it('the synthetic kernel gets the hotpatch layout (=14,12): init fills every second stage in the pre-entry NOPs and leaves one bne at the entry; enabling flips one bit after writing the ops', async () => {
    const l = await lab();
    expect(l.guest.layout.kind).toBe('rvc-14,12');
    const mem = l.machine.memory;
    const stage3 = l.symbol('ftrace_hotpatch_stage3');
    const body = l.guest.image!.program;
    for (const r of l.ftrace.records()) {
      const s2 = stage2Addr(r);
      expect(s2 % 8).toBe(0);
      expect(s2).toBe(r.funcAddr - 24); // right before the entry
      expect(mem.readU32(r.funcAddr)).toBe(stage1Word(s2 + 4 - r.funcAddr, false)); // to the jal (stage 3 is near)
      // the next word is the function's own first instruction (no second entry word)
      const sec = body.sections.find((x) => x.addr <= r.funcAddr + 4 && r.funcAddr + 8 <= x.addr + x.data.length)!;
      expect(mem.read(r.funcAddr + 4, 4)).toEqual(sec.data.slice(r.funcAddr + 4 - sec.addr, r.funcAddr + 8 - sec.addr));
      expect(mem.readU64(s2 + 8)).toBe(BigInt(r.funcAddr + 4)); // resume
      expect(mem.readU64(s2 + 16)).toBe(BigInt(l.symbol('ftrace_nop_ops')));
      expect(mem.readU32(s2)).toBe(0x13); // padding
      const jal = mem.readU32(s2 + 4);
      expect(jal & 0xfff).toBe(0x2ef); // jal t0
      expect(s2 + 4 + decodeJalImm(jal)).toBe(stage3);
    }
    const f = l.ftrace.records()[3]!;
    const h = await l.ftrace.register({ filter: f.symbol });
    const writes = l.ftrace.plan().sites.filter((w) => w.ip === f.ip);
    expect(writes.map((w) => w.kind)).toEqual(['literal', 'insn']); // ops into stage 2 first, then the flip
    const flip = writes[1]!;
    const xor = new DataView(flip.old.slice().buffer).getUint32(0, true) ^ new DataView(flip.new.slice().buffer).getUint32(0, true);
    expect(xor >>> 0).toBe(1 << 12);
    expect(mem.readU64(stage2Addr(f) + 16)).toBe(BigInt(l.core.opsAddr(h.ops)!));
  });

  it('traces every call of the kernel exactly, and returns every site to its disabled bytes', async () => {
    const l = await lab();
    const snap = () => l.ftrace.records().map((r) => Buffer.from(l.machine.memory.read(stage2Addr(r), 24 + 4)).toString('hex')).join();
    const boot = snap();
    const h = await l.ftrace.register({ filter: 'kfunc_*' });
    await l.ftrace.register({ filter: 'kfunc_1*' }); // some functions get two ops: stage 2 names ftrace_list_ops
    const r = await l.run();
    expect(r.exitCode).toBe(0);
    const k = l.guest.image!.kernel;
    const counts = dynamicCallCounts(k.graph);
    const evs = l.trace.drain();
    for (const [i, fn] of k.functions.entries()) {
      const want = counts[i]! * (fn.name.startsWith('kfunc_1') ? 2 : 1);
      expect(evs.filter((e) => e.symbol === fn.name), fn.name).toHaveLength(want);
    }
    for (const o of l.ftrace.registered()) await l.ftrace.unregister(o);
    void h;
    expect(snap()).toBe(boot);
  });

  it('reports the text-size cost of the second stages (s390: about 1.5% of the image)', async () => {
    const l = await lab();
    const k = l.guest.image!.kernel;
    const syms = l.guest.image!.program.symbols;
    const first = syms.find((s) => s.name === k.functions[0]!.name)!;
    const last = syms.find((s) => s.name === k.functions[k.functions.length - 1]!.name)!;
    const text = last.value + last.size - (first.value - 24);
    const stages = 24 * k.functions.length;
    const share = stages / text;
    // tiny synthetic functions (a few ALU ops and calls): the 24-byte stages are a large share, unlike s390's 1.5 %
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.5);
  });

  it('refuses other layouts with FTRACE_BAD_LAYOUT naming the -fpatchable-function-entry it needs: ELFs and the synthetic kernel', async () => {
    const { readFileSync } = await import('node:fs');
    const elf = (name: string) => new Uint8Array(readFileSync(`test/fixtures/bin/${name}`));
    await expect(Lab.create({ elf: elf('calls.rv64imac.elf'), scheme: 's390-hotpatch' })).rejects.toMatchObject({
      code: 'FTRACE_BAD_LAYOUT',
      message: expect.stringMatching(/24 bytes of NOPs before each entry .* but the ELF has 8 before and 8 at it \(-fpatchable-function-entry=8,4\); build with -fpatchable-function-entry=14,12 -falign-functions=8/),
    });
    await expect(Lab.create({ elf: elf('calls.rv64ima.elf'), scheme: 's390-hotpatch' })).rejects.toMatchObject({
      code: 'FTRACE_BAD_LAYOUT',
      message: expect.stringContaining('build with -fpatchable-function-entry=7,6'),
    });
    await expect(Lab.create({ elf: elf('calls.rv64imac-pfe4.elf'), scheme: 's390-hotpatch' })).rejects.toMatchObject({ code: 'FTRACE_BAD_LAYOUT' });
    await expect(Lab.create({ scheme: 's390-hotpatch', kernel: { functions: 5, layout: 'rvc-8,4' } })).rejects.toMatchObject({
      code: 'FTRACE_BAD_LAYOUT',
      message: expect.stringContaining('build with -fpatchable-function-entry=14,12'),
    });
    // and the other schemes refuse the hotpatch layout (one 4-byte slot at the entry)
    await expect(Lab.create({ elf: elf('calls.rv64imac-pfe14-12.elf'), scheme: 'callops' })).rejects.toMatchObject({
      code: 'FTRACE_BAD_LAYOUT',
      message: expect.stringContaining('24 bytes of NOPs before each entry, 4 at it: -fpatchable-function-entry=14,12) cannot hold the callops site; build with -fpatchable-function-entry=8,4'),
    });
  });

  for (const [name, kind] of [['calls.rv64imac-pfe14-12.elf', 'rvc-14,12'], ['calls.rv64ima-pfe7-6.elf', 'norvc-7,6']] as const) {
    it(`traces ${name} (${kind}): every site accepted, second stages in the pre-entry NOPs, the chain called 5000 times each`, async () => {
      const { readFileSync } = await import('node:fs');
      const l = await Lab.create({ elf: new Uint8Array(readFileSync(`test/fixtures/bin/${name}`)), scheme: 's390-hotpatch', bufferSizeKb: 1024 });
      expect(l.guest.layout.kind).toBe(kind);
      expect(l.rejected).toEqual([]);
      expect(l.ftrace.records().length).toBeGreaterThan(30);
      for (const r of l.ftrace.records()) expect(l.machine.memory.readU32(r.funcAddr)).toBe(stage1Word(-20, false));
      await l.ftrace.register({ filter: 'chain*' });
      const r = await l.run({ maxInsns: 1e8 });
      expect(r.exitCode).toBe(0);
      const evs = l.trace.drain();
      for (let k = 1; k <= 8; k++) expect(evs.filter((e) => e.symbol === `chain${k}`)).toHaveLength(5000);
      expect(evs.filter((e) => e.symbol === 'chain2').every((e) => e.parentSymbol === 'chain1')).toBe(true);
    });
  }

  it('a kernel larger than the jal reach: far functions get auipc + jalr second stages, near ones jal, and both trace every call exactly', async () => {
    const l = await Lab.create({ harts: 1, scheme: 's390-hotpatch', bufferSizeKb: 8192, ram: 64 << 20, kernel: { functions: 16_000, seed: 2 } });
    const stage3 = l.symbol('ftrace_hotpatch_stage3');
    const entries = l.ftrace.records().map((r) => stage2EntryOffset(stage2Addr(r), stage3));
    const far = entries.filter((e) => e === 0).length;
    expect(far).toBeGreaterThan(1000);
    expect(entries.length - far).toBeGreaterThan(1000);
    await l.ftrace.register({ filter: 'kfunc_*' });
    const r = await l.run({ maxInsns: 1e9 });
    expect(r.exitCode).toBe(0);
    const k = l.guest.image!.kernel;
    const want = dynamicCallCounts(k.graph);
    const got = new Map<string, number>();
    for (const e of l.trace.drain()) got.set(e.symbol, (got.get(e.symbol) ?? 0) + 1);
    expect(k.functions.filter((f, i) => (got.get(f.name) ?? 0) !== want[i]).map((f) => f.name)).toEqual([]);
  }, 120_000);

  it('a disabled site costs 1 instruction on GCC code: the =14,12 build runs exactly one instruction per call fewer than the =8,4 build under callops', async () => {
    const { readFileSync } = await import('node:fs');
    const run = async (name: string, scheme: 'callops' | 's390-hotpatch', traced: boolean) => {
      const l = await Lab.create({ elf: new Uint8Array(readFileSync(`test/fixtures/bin/${name}`)), scheme, bufferSizeKb: 4096 });
      if (traced) await l.ftrace.register({ filter: '*' });
      const r = await l.run({ maxInsns: 1e9 });
      expect(r.exitCode).toBe(0);
      return { insns: l.retired, calls: l.trace.drain().length };
    };
    const calls = (await run('calls.rv64imac-pfe14-12.elf', 's390-hotpatch', true)).calls;
    expect(calls).toBeGreaterThan(100_000);
    const callops = await run('calls.rv64imac.elf', 'callops', false);
    const hot = await run('calls.rv64imac-pfe14-12.elf', 's390-hotpatch', false);
    expect(callops.insns - hot.insns).toBe(calls); // auipc + nop (2) against one not-taken bne (1), per call
  }, 120_000);
});

/** The byte offset of a `jal` word (J-type immediate). */
function decodeJalImm(w: number): number {
  const imm = (((w >>> 31) & 1) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1);
  return imm & (1 << 20) ? imm - (1 << 21) : imm;
}
