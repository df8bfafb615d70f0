// Differential test: thousands of seeded random straight-line RV64IMC sequences end with the same x1..x31 under
// ftrace-lab's user mode as under qemu-riscv64 (batched: one process runs many sequences and writes each dump).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runUserProgram } from '../../src/user/index.js';
import { haveQemu, requireQemu, runQemu } from './qemu.js';
import { DUMP_BYTES, parseDumps, randomBatch, Rng } from './random-program.js';

/** Sequences per process, processes, instructions per sequence (CI: a few thousand sequences in all). */
const PER_BATCH = 1000;
const BATCHES = Number(process.env.FTRACE_LAB_RANDOM_BATCHES ?? 3);
const LENGTH = 40;

describe('random RV64IMC program generator', () => {
  it('is reproducible from its seed and different across seeds', () => {
    expect(randomBatch(7, 20, 10).elf).toEqual(randomBatch(7, 20, 10).elf);
    expect(randomBatch(7, 20, 10).elf).not.toEqual(randomBatch(8, 20, 10).elf);
    expect(new Rng(1).u32()).toBe(new Rng(1).u32());
  });

  it('runs under ftrace-lab: one 256-byte dump per sequence, x0 = 0, the base register holds the dump address', () => {
    const b = randomBatch(1, 50, LENGTH);
    const r = runUserProgram(b.elf, { maxInsns: 1e7 });
    expect(r.status).toBe('exited');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBe(50 * DUMP_BYTES);
    const dumps = parseDumps(r.stdout);
    for (const [i, d] of dumps.entries()) {
      expect(d[0]).toBe(0n);
      expect(d[b.sequences[i]!.base]! % 8n).toBe(0n);
    }
    // the registers really are scrambled: dumps differ between sequences
    expect(new Set(dumps.map((d) => d.join(','))).size).toBe(50);
  });
});

describe.skipIf(!haveQemu && !requireQemu)('random RV64IMC sequences: ftrace-lab = qemu-riscv64', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftrace-lab-rand-'));
  for (let batch = 0; batch < BATCHES; batch++) {
    const seed = 0x5eed0000 + batch;
    it(`seed 0x${seed.toString(16)}: ${PER_BATCH} sequences of ${LENGTH} instructions`, () => {
      const b = randomBatch(seed, PER_BATCH, LENGTH);
      const path = join(dir, `rand-${batch}.elf`);
      writeFileSync(path, b.elf, { mode: 0o755 }); // qemu-user loads only executable files
      const here = runUserProgram(b.elf, { maxInsns: 1e8 });
      const oracle = runQemu(path, [], { cwd: dir });
      expect(oracle.status).toBe(0);
      expect(here.exitCode).toBe(0);
      const mine = parseDumps(here.stdout);
      const theirs = parseDumps(new Uint8Array(oracle.stdout));
      expect(mine.length).toBe(PER_BATCH);
      expect(theirs.length).toBe(PER_BATCH);
      for (let s = 0; s < PER_BATCH; s++) {
        for (let r = 1; r < 32; r++) {
          if (mine[s]![r] !== theirs[s]![r]) {
            const seq = b.sequences[s]!;
            expect.fail(
              `sequence ${s} (seed 0x${seed.toString(16)}, base x${seq.base}): x${r} = 0x${mine[s]![r]!.toString(16)}, ` +
                `qemu-riscv64 0x${theirs[s]![r]!.toString(16)}\n  ${seq.text.join('\n  ')}`,
            );
          }
        }
      }
    }, 60_000);
  }
});
