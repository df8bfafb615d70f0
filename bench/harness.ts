// Shared benchmark helpers: tinybench runs with medians, and a machine-readable figure line per measurement.
import '../src/machine/platform-node.js';
import { Bench } from 'tinybench';

export interface Measured {
  /** Median wall time of one iteration, milliseconds. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
}

/** Times `fn` with tinybench (warm-up first) and returns median/min/max of the per-iteration latency. */
export async function measure(
  name: string,
  fn: () => unknown | Promise<unknown>,
  opts: { iterations?: number; warmupIterations?: number } = {},
): Promise<Measured> {
  const bench = new Bench({
    name,
    iterations: opts.iterations ?? 5,
    time: 0,
    warmupIterations: opts.warmupIterations ?? 1,
    warmupTime: 0,
  });
  bench.add(name, fn);
  await bench.run();
  const r = bench.tasks[0]!.result as unknown as {
    state: string;
    error?: unknown;
    latency?: { p50: number; min: number; max: number; samplesCount: number };
  };
  if (r.state !== 'completed' || !r.latency) {
    throw new Error(`benchmark '${name}' did not complete: ${r.state} ${String(r.error ?? '')}`);
  }
  return { medianMs: r.latency.p50, minMs: r.latency.min, maxMs: r.latency.max, samples: r.latency.samplesCount };
}

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Prints one result line: a human table row and, with BENCH_JSON=1, a JSON line for scripts. */
export function report(group: string, name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  if (process.env.BENCH_JSON) {
    process.stdout.write(JSON.stringify({ group, name, value, unit, ...extra }) + '\n');
  } else {
    process.stdout.write(`${group.padEnd(12)} ${name.padEnd(44)} ${value.toFixed(value >= 100 ? 0 : 2).padStart(10)} ${unit}\n`);
  }
}
