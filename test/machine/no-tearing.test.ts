// Naturally aligned 8-byte guest accesses never tear across harts running in parallel workers, nor against host writes.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/index.js';

// Hart 1 stores A and B (all halves differ) alternately to `word`; hart 0 loads it ITERS times and counts every
// value that is neither A, B nor the initial 0 (a torn read). Hart 0 then reports the count through tohost.
const A = '0x0123456789abcdef';
const B = '0xfedcba9876543210';
const source = (iters: number) => `
  .globl _start
_start:
  csrr t0, mhartid
  la s0, word
  la s1, stop
  bnez t0, writer
  li s2, ${iters}
  li s3, 0                # torn reads
  li s4, ${A}
  li s5, ${B}
reader:
  ld t1, 0(s0)
  beq t1, s4, 1f
  beq t1, s5, 1f
  beqz t1, 1f
  addi s3, s3, 1
1: addi s2, s2, -1
  bnez s2, reader
  li t2, 1
  sd t2, 0(s1)
  slli s3, s3, 1
  ori s3, s3, 1
  la t3, tohost
  sd s3, 0(t3)
2: j 2b
writer:
  li s4, ${A}
  li s5, ${B}
3: sd s4, 0(s0)
  sd s5, 0(s0)
  ld t1, 0(s1)
  beqz t1, 3b
4: wfi
  j 4b
  .data
  .align 6
  .globl tohost
tohost: .dword 0
  .align 6
word: .dword 0
  .align 6
stop: .dword 0
`;

describe('8-byte atomicity of guest accesses', () => {
  it('a hart loading an 8-byte word never sees half of another hart\'s store (parallel workers)', async () => {
    const m = Machine.create({ ram: 0x100000, harts: 2, mode: 'parallel' });
    m.loadProgram(assemble(source(2_000_000)));
    const r = await m.start({ maxInsns: 1e9 });
    expect(r.reason).toBe('halted');
    expect(r.exitCode).toBe(0); // number of torn reads
  });

  it('a hart never sees half of a host 8-byte write made while it runs (the ops-literal patch case)', async () => {
    const prog = assemble(source(3_000_000).replace('bnez t0, writer', 'bnez t0, 4f'));
    const word = Number(prog.symbols.find((s) => s.name === 'word')!.value);
    const m = Machine.create({ ram: 0x100000, harts: 1, mode: 'parallel' });
    m.loadProgram(prog);
    const done = m.start({ maxInsns: 1e9 });
    const vals = [BigInt(A), BigInt(B)];
    let flips = 0;
    const flip = setInterval(() => {
      for (let i = 0; i < 2000; i++) m.memory.writeU64(word, vals[flips++ & 1]!);
    }, 1);
    const r = await done;
    clearInterval(flip);
    expect(flips).toBeGreaterThan(0);
    expect(r.reason).toBe('halted');
    expect(r.exitCode).toBe(0);
  });
});
