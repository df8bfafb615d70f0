// Start-up cost: Lab.create with a synthetic kernel of 10 / 1,000 / 10,000 functions, the first time (image assembled)
// and again with the same options (image from the per-option-set cache), next to Machine.create alone.
// Run: npx tsx bench/startup.bench.ts   (BENCH_JSON=1 for JSON lines)
import { Lab } from '../src/lab/index.js';
import { Machine } from '../src/machine/index.js';
import { clearGuestImageCache } from '../src/workload/index.js';
import { median, report } from './harness.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 9);

async function timeMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

// warm the code paths (V8 tier-up) on a different option set than the measured ones
await Lab.create({ kernel: { functions: 50, seed: 99 } });

const machine: number[] = [];
for (let i = 0; i < REPEATS; i++) machine.push(await timeMs(() => Machine.create({ ram: 64 << 20 })));
report('startup', `Machine.create, 64 MiB (median of ${REPEATS})`, median(machine), 'ms');

for (const functions of [10, 1000, 10_000]) {
  const cold: number[] = [];
  const cached: number[] = [];
  for (let i = 0; i < 3; i++) {
    clearGuestImageCache();
    cold.push(await timeMs(() => Lab.create({ kernel: { functions } })));
  }
  for (let i = 0; i < REPEATS; i++) cached.push(await timeMs(() => Lab.create({ kernel: { functions } })));
  report('startup', `Lab.create ${functions} functions, first (median of 3)`, median(cold), 'ms', { functions, cached: false });
  report('startup', `Lab.create ${functions} functions, cached image (median of ${REPEATS})`, median(cached), 'ms', { functions, cached: true });
}
