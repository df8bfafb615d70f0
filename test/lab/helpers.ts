// Test helpers for the Lab: a small synthetic-kernel lab, caller ranges, text snapshots of every site.
import { Lab } from '../../src/lab/index.js';
import type { LabOptions } from '../../src/lab/index.js';
import { dynamicCallCounts } from '../../src/workload/index.js';

export async function smallLab(opts: LabOptions = {}): Promise<Lab> {
  return Lab.create({ harts: 1, scheme: 'callops', bufferSizeKb: 64, ram: 32 << 20, kernel: { functions: 30, seed: 3, runSample: true, nrCalls: 7 }, ...opts });
}

/** A non-root kernel function called at least twice, and its dynamic call count. */
export function calledFunction(lab: Lab): { name: string; calls: number; index: number } {
  const k = lab.guest.image!.kernel;
  const counts = dynamicCallCounts(k.graph);
  const index = counts.findIndex((c, i) => c >= 2 && k.graph.level[i]! > 0);
  if (index < 0) throw new Error('no repeated non-root function');
  return { name: k.functions[index]!.name, calls: counts[index]!, index };
}

/** Names of the functions that call kernel function `index`. */
export function callersOf(lab: Lab, index: number): string[] {
  const k = lab.guest.image!.kernel;
  return k.functions.filter((f) => f.callees.includes(index)).map((f) => f.name);
}

/** Bytes of every site (from 8 bytes before the function through the jalr word) — what ftrace may patch. */
export function siteText(lab: Lab): string {
  return lab.ftrace
    .records()
    .map((r) => Buffer.from(lab.machine.memory.read(r.funcAddr - 8, 16)).toString('hex'))
    .join(',');
}

/** The whole text range holding the sites. */
export function textRange(lab: Lab): Uint8Array {
  const recs = lab.ftrace.records();
  const lo = recs[0]!.funcAddr - 8;
  const hi = recs[recs.length - 1]!.funcAddr + 64;
  return lab.machine.memory.read(lo, hi - lo);
}
