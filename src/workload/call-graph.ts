// Seeded layered call graph of a synthetic kernel: level-0 roots call down level by level, so every run terminates.
import { intOption } from './errors.js';
import { Prng } from '../util/prng.js';

export interface CallGraphOptions {
  /** Number of functions (1..100,000). */
  readonly functions: number;
  /** Levels of the DAG (1..16): a call chain from a root is at most `depth` functions long. */
  readonly depth: number;
  /** Maximum callees per function (0..16); each function gets a seeded count in [0, fanOut]. */
  readonly fanOut: number;
  readonly seed: number;
}

export interface CallGraph {
  /** Level of function i (0 = root, called by the driver). */
  readonly level: readonly number[];
  /** Callees of function i (indices at level + 1, may repeat). */
  readonly callees: readonly (readonly number[])[];
  /** Functions at level 0, in order. */
  readonly roots: readonly number[];
}

export const MAX_FUNCTIONS = 100_000;

/** Level sizes split `functions` evenly (earlier levels get the remainder); function i is in level floor(i * depth / n). */
export function buildCallGraph(opts: CallGraphOptions): CallGraph {
  const n = intOption(opts.functions, 1, MAX_FUNCTIONS, 'functions');
  const depth = Math.min(intOption(opts.depth, 1, 16, 'depth'), n);
  const fanOut = intOption(opts.fanOut, 0, 16, 'fanOut');
  const rng = new Prng(intOption(opts.seed, 0, 0xffffffff, 'seed'));
  const level = Array.from({ length: n }, (_, i) => Math.floor((i * depth) / n));
  const start: number[] = [];
  for (let i = n - 1; i >= 0; i--) start[level[i]!] = i;
  start[depth] = n;
  const callees = level.map((l) => {
    if (l + 1 >= depth) return [];
    const lo = start[l + 1]!;
    const width = start[l + 2]! - lo;
    return Array.from({ length: rng.below(fanOut + 1) }, () => lo + rng.below(width));
  });
  const roots = level.flatMap((l, i) => (l === 0 ? [i] : []));
  return { level, callees, roots };
}

/** Dynamic calls one run of the driver makes (each root once, recursively). */
export function dynamicCalls(g: CallGraph): number {
  const memo = new Map<number, number>();
  const count = (f: number): number => {
    let c = memo.get(f);
    if (c === undefined) {
      c = 1 + g.callees[f]!.reduce((s, x) => s + count(x), 0);
      memo.set(f, c);
    }
    return c;
  };
  return g.roots.reduce((s, r) => s + count(r), 0);
}

/** How often one driver run calls each function. */
export function dynamicCallCounts(g: CallGraph): number[] {
  const counts = new Array<number>(g.level.length).fill(0);
  for (const r of g.roots) counts[r]! += 1;
  // levels are contiguous and increasing, so one pass in index order sees every caller before its callees
  for (let f = 0; f < counts.length; f++) for (const c of g.callees[f]!) counts[c]! += counts[f]!;
  return counts;
}
