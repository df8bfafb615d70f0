// s390-hotpatch: the text-size cost of the second stages and the per-call cost off/on, on GCC builds of the calls fixture and on the synthetic kernel.
// Run: npx tsx bench/s390-hotpatch.bench.ts
import '../src/machine/platform-node.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf } from '../src/elf/reader.js';
import { Lab, type LabScheme } from '../src/lab/index.js';
import { buildGuestImage } from '../src/workload/index.js';

const STAGE2 = 24;
const fixture = (name: string) => new Uint8Array(readFileSync(join('test', 'fixtures', 'bin', name)));

/** Bytes from the first patch area to the end of the last function, and the number of patch areas. */
function elfText(bytes: Uint8Array): { text: number; sites: number } {
  const elf = parseElf(bytes);
  const start = Math.min(...elf.patchableEntries);
  const end = Math.max(...elf.functions.map((f) => f.value + f.size));
  return { text: end - start, sites: elf.patchableEntries.length };
}

/** Whole-program guest instructions with no ops, and the number of traced calls with one ops on every function. */
async function program(bytes: Uint8Array, scheme: LabScheme): Promise<{ off: number; on: number; calls: number }> {
  const run = async (traced: boolean) => {
    const lab = await Lab.create({ elf: bytes, scheme, bufferSizeKb: 4096 });
    if (traced) await lab.ftrace.register({ filter: '*' });
    const before = lab.retired;
    const r = await lab.run({ maxInsns: 1e9 });
    if (r.exitCode !== 0) throw new Error(`calls fixture exited ${r.exitCode}`);
    return { insns: lab.retired - before, calls: lab.trace.drain().length };
  };
  const off = await run(false);
  const on = await run(true);
  return { off: off.insns, on: on.insns, calls: on.calls };
}

console.log('GCC calls fixture (the same C source, two -fpatchable-function-entry builds):');
const pairs: [string, string, LabScheme][] = [
  ['calls.rv64imac.elf', '=8,4', 'callops'],
  ['calls.rv64imac-pfe14-12.elf', '=14,12', 's390-hotpatch'],
  ['calls.rv64ima.elf', '=4,2', 'callops'],
  ['calls.rv64ima-pfe7-6.elf', '=7,6', 's390-hotpatch'],
];
const results = new Map<string, { off: number; on: number; calls: number }>();
for (const [name, flag, scheme] of pairs) {
  const t = elfText(fixture(name));
  const p = await program(fixture(name), scheme);
  results.set(name, p);
  const stages = scheme === 's390-hotpatch' ? `, second stages ${STAGE2 * t.sites} B = ${((100 * STAGE2 * t.sites) / t.text).toFixed(1)} % of it` : '';
  console.log(
    `  ${name.padEnd(28)} ${flag.padEnd(7)} ${scheme.padEnd(14)} text ${t.text} B, ${t.sites} sites${stages}; ` +
      `program ${p.off} insns untraced, ${p.on} with one ops on every function (${p.calls} calls)`,
  );
}
for (const [a, b] of [['calls.rv64imac.elf', 'calls.rv64imac-pfe14-12.elf'], ['calls.rv64ima.elf', 'calls.rv64ima-pfe7-6.elf']] as const) {
  const x = results.get(a)!;
  const y = results.get(b)!;
  const off = (x.off - y.off) / x.calls;
  console.log(`  ${b}: disabled site ${(2 - off).toFixed(3)} instructions per call (callops 2), traced ${((y.on - y.off) / y.calls).toFixed(2)} over it (callops ${((x.on - x.off) / x.calls).toFixed(2)})`);
  console.log(`FIGURE s390_hotpatch.${b.replace(/\.elf$/, '')} disabledInsns=${(2 - off).toFixed(3)} textShare=${((100 * STAGE2 * elfText(fixture(b)).sites) / elfText(fixture(b)).text).toFixed(2)}%`);
}

console.log('Synthetic kernel (rvc-14,12; text from the first patch area to the end of the last function):');
for (const functions of [60, 1000, 10000]) {
  const img = buildGuestImage({ runtime: { harts: 1, scheme: 's390-hotpatch', bufferSizeKb: 4 }, kernel: { functions, seed: 1, layout: 'rvc-14,12' } });
  const fns = img.kernel.functions.map((f) => img.program.symbols.find((s) => s.name === f.name)!);
  const start = Math.min(...fns.map((s) => s.value)) - STAGE2;
  const end = Math.max(...fns.map((s) => s.value + s.size));
  const share = (100 * STAGE2 * functions) / (end - start);
  console.log(`  ${String(functions).padStart(6)} functions: text ${end - start} B, second stages ${STAGE2 * functions} B = ${share.toFixed(1)} %`);
  console.log(`FIGURE s390_hotpatch.kernel${functions} textShare=${share.toFixed(2)}%`);
}
