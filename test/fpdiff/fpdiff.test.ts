// Differential test: thousands of random F/D sequences on the hart engine vs qemu-riscv64, compared bit for bit.
import { describe, expect, it } from 'vitest';
import { runOnEngine, runOnQemu, haveQemu } from './runner.js';
import { F_REGS, type FpSequence, OUT_BYTES, randomSequence } from './sequence.js';
import { Rng } from './values.js';

const WORDS = OUT_BYTES / 8;
const NAMES = [...Array.from({ length: F_REGS }, (_, i) => `f${i}`), 'a0', 'a1', 'a2', 'a3', 'fflags'];
const qemu = haveQemu();
let flagsSeen = 0n;

/** Readable description of the first few sequences whose results differ. */
function mismatches(seqs: FpSequence[], ours: bigint[], theirs: bigint[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < seqs.length && out.length < 5; i++) {
    const diffs: string[] = [];
    for (let j = 0; j < WORDS; j++) {
      const a = ours[i * WORDS + j]!;
      const b = theirs[i * WORDS + j]!;
      if (a !== b) diffs.push(`${NAMES[j]}: engine 0x${a.toString(16)} qemu 0x${b.toString(16)}`);
    }
    if (diffs.length > 0) {
      const s = seqs[i]!;
      out.push(`sequence ${i} (frm ${s.frm}): ${s.body.join('; ')}\n  inputs ${s.inputs.map((v) => v.toString(16)).join(' ')}\n  ${diffs.join('\n  ')}`);
    }
  }
  return out;
}

describe.skipIf(!qemu && !process.env.CI)('F/D differential test against qemu-riscv64', () => {
  it('has qemu-riscv64 (CI installs qemu-user)', () => {
    expect(qemu).toBe(true);
  });

  for (const [seed, count, length] of [[1, 800, 1], [2, 700, 8], [3, 700, 8]] as const) {
    it(`seed ${seed}: ${count} sequences of ${length} instructions match bit for bit`, () => {
      const rng = new Rng(seed);
      const seqs = Array.from({ length: count }, () => randomSequence(rng, length));
      const ours = runOnEngine(seqs);
      const theirs = runOnQemu(seqs);
      expect(mismatches(seqs, ours, theirs)).toEqual([]);
      for (let i = 0; i < count; i++) flagsSeen |= theirs[i * WORDS + WORDS - 1]!;
    }, 60_000);
  }

  it('the sequences raised every exception flag (NV, DZ, OF, UF, NX)', () => {
    expect(flagsSeen).toBe(0x1fn);
  });
});
