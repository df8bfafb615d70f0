// Runs the committed GCC-built bare-metal fixtures (test/fixtures) on the engine: exact UART output and exit code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/index.js';
import { expectedStdout, fixturePath, isLinuxElf, loadFixtureRuns } from '../fixtures/manifest.js';

const cases = loadFixtureRuns().flatMap((run) =>
  run.elfs.filter((e) => !isLinuxElf(e)).map((elf) => ({ run, elf, label: `${run.name} ${elf.split('/').pop()}` })),
);

describe('bare-metal fixtures', () => {
  it.each(cases)('$label', ({ run, elf }) => {
    const m = Machine.create({ harts: run.harts ?? 1 });
    const image = m.loadElf(new Uint8Array(readFileSync(fixturePath(elf))));
    for (const [name, value] of Object.entries(run.poke32 ?? {})) {
      const sym = image.symbols.find((s) => s.name === name);
      expect(sym, `symbol ${name}`).toBeDefined();
      m.memory.writeU32(sym!.value, value);
    }
    // several harts share spinlocks: small slices keep round-robin scheduling fair
    const r = m.run({ maxInsns: 1e8, slice: (run.harts ?? 1) > 1 ? 2000 : 1_000_000 });
    expect(r.reason, r.fault ? JSON.stringify(r.fault, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v)) : '').toBe('halted');
    expect(m.uartOutput).toBe(expectedStdout(run));
    expect(r.exitCode).toBe(run.exitCode);
  });
});
