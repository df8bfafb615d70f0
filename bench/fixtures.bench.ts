// GCC-built programs on the engine: M instr/s of the compute and call-heavy bare-metal fixtures (rv64imac, =8,4 sites).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../src/machine/index.js';
import { measure, report } from './harness.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/bin');

for (const name of ['compute', 'calls']) {
  const elf = readFileSync(join(bin, `${name}.rv64imac.elf`));
  let insns = 0;
  const run = (): void => {
    const m = Machine.create({ ram: 0x800000 });
    m.loadElf(elf);
    const r = m.run({ maxInsns: 1e10 });
    if (r.reason !== 'halted' || r.exitCode !== 0) throw new Error(`${name}: ${r.reason} ${r.exitCode}`);
    insns = r.instructions;
  };
  const t = await measure(`fixture ${name}`, run, { iterations: 7, warmupIterations: 2 });
  report('fixtures', `${name}.rv64imac.elf (${(insns / 1e6).toFixed(1)} M instructions, median of 7)`, insns / t.medianMs / 1000, 'M instr/s');
}
