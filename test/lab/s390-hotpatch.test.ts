// s390-hotpatch in RISC-V form: the one-bit stage-1 flip, the per-function second stage, exact tracing, the text-size cost.
import { describe, expect, it } from 'vitest';
import { stage1Word, stage2Addr } from '../../src/ftrace/index.js';
import { Lab } from '../../src/lab/index.js';
import { dynamicCallCounts } from '../../src/workload/index.js';

const lab = () => Lab.create({ harts: 1, scheme: 's390-hotpatch', bufferSizeKb: 256, ram: 32 << 20, kernel: { functions: 60, seed: 5, runSample: true, nrCalls: 7 } });

describe('s390-hotpatch', () => {
  it('bne x0,x0 and beq x0,x0 differ in one bit (funct3 bit 12), whatever the offset', () => {
    for (const off of [-4096, -24, 8, 4094]) expect((stage1Word(off, false) ^ stage1Word(off, true)) >>> 0).toBe(1 << 12);
    expect(() => stage1Word(4096, true)).toThrow(/reach/);
  });

  it('init fills every second stage and leaves bne + nop at the entry; enabling flips one bit after writing the ops', async () => {
    const l = await lab();
    const mem = l.machine.memory;
    const stage3 = l.symbol('ftrace_hotpatch_stage3');
    for (const r of l.ftrace.records()) {
      const s2 = stage2Addr(r);
      expect(s2 % 8).toBe(0);
      expect(mem.readU32(r.funcAddr)).toBe(stage1Word(s2 - r.funcAddr, false));
      expect(mem.readU32(r.funcAddr + 4)).toBe(0x13);
      expect(mem.readU64(s2 + 8)).toBe(BigInt(r.funcAddr + 8)); // resume
      expect(mem.readU64(s2 + 16)).toBe(BigInt(l.symbol('ftrace_nop_ops')));
      const jal = mem.readU32(s2);
      expect(jal & 0xfff).toBe(0x2ef); // jal t0
      void stage3;
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
    const snap = () => l.ftrace.records().map((r) => Buffer.from(l.machine.memory.read(stage2Addr(r), 24 + 8 + 8)).toString('hex')).join();
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
    const text = last.value + last.size - (first.value - 8 - 24);
    const stages = 24 * k.functions.length;
    const share = stages / text;
    // tiny synthetic functions (a few ALU ops and calls): the 24-byte stages are a large share, unlike s390's 1.5 %
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.5);
  });

  it('refuses an ELF guest (no reserved second stages) with a typed error', async () => {
    const { readFileSync } = await import('node:fs');
    const elf = new Uint8Array(readFileSync('test/fixtures/bin/calls.rv64imac.elf'));
    await expect(Lab.create({ elf, scheme: 's390-hotpatch' })).rejects.toMatchObject({ code: 'FTRACE_BAD_LAYOUT', message: expect.stringContaining('second stage') });
  });
});
