// The exploration: schedules of a scenario under one strategy, split into deterministic shards; counts per invariant and the first counterexamples as replay files.
import { createProtocol, type PatchProtocol } from '../patch/protocols/index.js';
import { FileProtocol, type ProtocolFile } from '../patch/protocol-file.js';
import { CheckError } from './errors.js';
import type { InvariantName } from './monitor.js';
import { profileByName, type ProfileName } from './profiles.js';
import { encodeSchedule, type ProtocolRef, type ReplayFile, REPLAY_FORMAT } from './replay-file.js';
import { MAX_SLICE, runSchedule, type CheckSetup, type ScheduleOutcome } from './run-schedule.js';
import { checkScenario, type ScenarioSpec } from './scenario.js';
import { DEFAULT_SLICE, DelayBoundedStrategy, delaySpaceSize, delaysOf, PctStrategy, RandomStrategy, type ProbedStrategy } from './strategies.js';

export const CHECK_RESULT_FORMAT = 'ftrace-lab-check/1';
export const STRATEGIES = ['pct', 'random', 'exhaustive'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface CheckOptions {
  readonly scenario: ScenarioSpec;
  readonly profile: ProfileName;
  readonly protocol: ProtocolRef;
  readonly strategy: StrategyName;
  /** The host stores' memory model (default 'rvwmo': stores between ordering points land in a seeded order). */
  readonly memory?: 'sc' | 'rvwmo';
  /** PCT bug depth d (default 3). */
  readonly depth?: number;
  /** exhaustive: most delays per schedule (default 2). */
  readonly bound?: number;
  /** Largest hart slice per decision (pct/random: drawn from 1..slice; exhaustive: the fixed grain). */
  readonly slice?: number;
  /** Schedules of the whole exploration (all shards together). */
  readonly schedules: number;
  /** Master seed: schedule i's seed is mixed from (seed, i). */
  readonly seed: number;
  readonly shard?: { readonly index: number; readonly count: number };
  /** Counterexamples kept (default 3). */
  readonly keep?: number;
  /** ftrace-lab version (stamped into replay files). */
  readonly version: string;
  /** Called every `progressEvery` schedules with the counts so far. */
  readonly onProgress?: (p: { done: number; total: number; violations: number; elapsedMs: number }) => void;
  readonly progressEvery?: number;
}

export interface Counterexample {
  readonly invariant: InvariantName;
  readonly message: string;
  readonly index: number;
  readonly replay: ReplayFile;
  /** Set by the CLI when it wrote the replay to disk. */
  replayFile?: string;
}

export interface CheckResult {
  readonly format: typeof CHECK_RESULT_FORMAT;
  readonly version: string;
  readonly scheme: string;
  readonly protocol: string;
  readonly profile: ProfileName;
  readonly harts: number;
  readonly strategy: StrategyName;
  readonly scenario: ScenarioSpec;
  /** Strategy parameters: depth (pct), bound (exhaustive), slice, k (decisions of the calibration run). */
  readonly params: { readonly depth: number; readonly bound: number; readonly slice: number; readonly k: number; readonly memory: 'sc' | 'rvwmo' };
  readonly seed: number;
  /** `i/n`. */
  readonly shard: string;
  /** Schedules run by this shard (or all merged shards). */
  schedules: number;
  /** Schedules that violated an invariant. */
  violations: number;
  byInvariant: Partial<Record<InvariantName, number>>;
  /** The first counterexamples, by (invariant, schedule index): independent of shard order. */
  counterexamples: Counterexample[];
  /** Longest schedule seen (decisions). */
  maxDecisions: number;
  /** Evidence the races were exercised (summed over schedules): stale site executions, breakpoint-handler runs. */
  witness: { staleExecutions: number; bpHits: number };
  elapsedMs: number;
}

/** SplitMix64-style mix of (seed, index) into 32 bits: schedule i's seed does not depend on any other schedule. */
export function scheduleSeed(seed: number, index: number): number {
  let z = (BigInt(seed >>> 0) << 32n) ^ BigInt(index);
  z = (z + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return Number((z ^ (z >> 31n)) & 0xffffffffn);
}

export function protocolOf(ref: ProtocolRef): PatchProtocol {
  if ('file' in ref) return new FileProtocol(ref.file);
  return createProtocol(ref.name); // an unknown name is PATCH_UNKNOWN_PROTOCOL, listing the valid ones
}

export function protocolLabel(ref: ProtocolRef): string {
  return 'file' in ref ? `${ref.file.name} (file)` : ref.name;
}

function parseShard(s: CheckOptions['shard']): { index: number; count: number } {
  const sh = s ?? { index: 0, count: 1 };
  if (!Number.isInteger(sh.count) || sh.count < 1 || !Number.isInteger(sh.index) || sh.index < 0 || sh.index >= sh.count) {
    throw new CheckError('CHECK_BAD_OPTION', `shard must be i/n with 0 <= i < n, got ${sh.index}/${sh.count}`);
  }
  return sh;
}

/** The strategy of schedule `index` (pct / random: seeded; exhaustive: the index-th delay placement). */
function strategyFor(o: CheckOptions, k: number, index: number, depth: number, bound: number, slice: number): ((p: import('./strategies.js').Probe) => ProbedStrategy) | null {
  const seed = scheduleSeed(o.seed, index);
  switch (o.strategy) {
    case 'pct':
      return (p) => new PctStrategy(p, o.scenario.harts, depth, k, seed, slice);
    case 'random':
      return (p) => new RandomStrategy(p, seed, slice);
    case 'exhaustive': {
      const delays = delaysOf(index, k, o.scenario.harts + 1, bound);
      return delays ? (p) => new DelayBoundedStrategy(p, slice, delays) : null;
    }
  }
}

/** Explore this shard's schedules; resolves with counts and the first counterexamples. */
export async function explore(o: CheckOptions): Promise<CheckResult> {
  const scenario = checkScenario(o.scenario);
  if (!(STRATEGIES as readonly string[]).includes(o.strategy)) throw new CheckError('CHECK_BAD_OPTION', `unknown strategy '${o.strategy}' (valid: ${STRATEGIES.join(', ')})`);
  if (!Number.isSafeInteger(o.schedules) || o.schedules < 1) throw new CheckError('CHECK_BAD_OPTION', `schedules must be an integer >= 1, got ${String(o.schedules)}`);
  const depth = o.depth ?? 3;
  if (!Number.isInteger(depth) || depth < 1 || depth > 8) throw new CheckError('CHECK_BAD_OPTION', `depth must be 1..8, got ${String(depth)}`);
  const bound = o.bound ?? 2;
  if (!Number.isInteger(bound) || bound < 0 || bound > 4) throw new CheckError('CHECK_BAD_OPTION', `bound must be 0..4, got ${String(bound)}`);
  const slice = o.slice ?? (o.strategy === 'exhaustive' ? 16 : DEFAULT_SLICE);
  if (!Number.isInteger(slice) || slice < 1 || slice > MAX_SLICE) throw new CheckError('CHECK_BAD_OPTION', `slice must be 1..${MAX_SLICE}, got ${String(slice)}`);
  const shard = parseShard(o.shard);
  const profile = profileByName(o.profile);
  const memory = o.memory ?? 'rvwmo';
  if (memory !== 'sc' && memory !== 'rvwmo') throw new CheckError('CHECK_BAD_OPTION', `memory must be 'sc' or 'rvwmo', got '${String(memory)}'`);
  const base: CheckSetup = { scenario, profile, protocol: protocolOf(o.protocol), memory };
  const setup = (index: number): CheckSetup => ({ ...base, seed: scheduleSeed(o.seed, index) });
  const t0 = performance.now();
  // calibration: the schedule with no change point / no delay gives k, the same in every shard
  let calibPct: PctStrategy | null = null;
  const calib = await runSchedule({ ...base, memory: 'sc' }, (p) =>
    o.strategy === 'exhaustive' ? new DelayBoundedStrategy(p, slice, new Map()) : (calibPct = new PctStrategy(p, scenario.harts, 1, 1, o.seed, slice)),
  );
  // PCT draws its change points among the decisions that could matter; the enumeration among all decisions
  const k = Math.max(1, o.strategy === 'pct' && calibPct ? (calibPct as PctStrategy).visibleDecisions : calib.decisions);
  const total = o.strategy === 'exhaustive' ? Math.min(o.schedules, delaySpaceSize(k, scenario.harts + 1, bound)) : o.schedules;
  const result: CheckResult = {
    format: CHECK_RESULT_FORMAT,
    version: o.version,
    scheme: scenario.scheme,
    protocol: protocolLabel(o.protocol),
    profile: profile.name,
    harts: scenario.harts,
    strategy: o.strategy,
    scenario,
    params: { depth, bound, slice, k, memory },
    seed: o.seed,
    shard: `${shard.index}/${shard.count}`,
    schedules: 0,
    violations: 0,
    byInvariant: {},
    counterexamples: [],
    maxDecisions: k,
    witness: { staleExecutions: 0, bpHits: 0 },
    elapsedMs: 0,
  };
  const keep = o.keep ?? 3;
  const every = o.progressEvery ?? 100;
  for (let index = shard.index; index < total; index += shard.count) {
    const make = strategyFor(o, k, index, depth, bound, slice);
    if (!make) break;
    const out: ScheduleOutcome = await runSchedule(setup(index), make);
    result.schedules++;
    result.maxDecisions = Math.max(result.maxDecisions, out.decisions);
    result.witness.staleExecutions += out.witness.staleExecutions;
    result.witness.bpHits += out.witness.bpHits;
    const v = out.violation;
    if (v) {
      result.violations++;
      result.byInvariant[v.invariant] = (result.byInvariant[v.invariant] ?? 0) + 1;
      if (result.counterexamples.length < keep) {
        result.counterexamples.push({
          invariant: v.invariant,
          message: v.message,
          index,
          replay: {
            format: REPLAY_FORMAT,
            version: o.version,
            scenario,
            profile: profile.name,
            memory,
            protocol: o.protocol,
            strategy: o.strategy,
            index,
            seed: scheduleSeed(o.seed, index),
            invariant: v.invariant,
            message: v.message,
            schedule: encodeSchedule(out.schedule),
            evictions: out.evictions,
          },
        });
      }
    }
    if (o.onProgress && result.schedules % every === 0) {
      o.onProgress({ done: result.schedules, total: Math.ceil((total - shard.index) / shard.count), violations: result.violations, elapsedMs: performance.now() - t0 });
    }
  }
  result.elapsedMs = Math.round(performance.now() - t0);
  return result;
}

/** Adds shard results of one exploration: counts summed, counterexamples kept by (invariant, index). */
export function mergeResults(parts: readonly CheckResult[], keep = 3): CheckResult {
  if (parts.length === 0) throw new CheckError('CHECK_BAD_MERGE', 'nothing to merge');
  const first = parts[0]!;
  const key = (r: CheckResult) =>
    JSON.stringify([r.format, r.version, r.scenario, r.protocol, r.profile, r.strategy, r.params, r.seed, r.shard.split('/')[1]]);
  for (const [i, r] of parts.entries()) {
    if (r.format !== CHECK_RESULT_FORMAT) throw new CheckError('CHECK_BAD_MERGE', `input ${i + 1} is not a check result (format ${JSON.stringify(r.format)})`);
    if (key(r) !== key(first)) throw new CheckError('CHECK_BAD_MERGE', `input ${i + 1} belongs to another exploration (version, scenario, protocol, profile, strategy, parameters, seed and shard count must all match)`);
  }
  const shards = new Set(parts.map((r) => r.shard));
  if (shards.size !== parts.length) throw new CheckError('CHECK_BAD_MERGE', 'the same shard appears twice');
  const byInvariant: Partial<Record<InvariantName, number>> = {};
  for (const r of parts) for (const [k, v] of Object.entries(r.byInvariant)) byInvariant[k as InvariantName] = (byInvariant[k as InvariantName] ?? 0) + (v ?? 0);
  const counterexamples = parts
    .flatMap((r) => r.counterexamples)
    .sort((a, b) => (a.invariant < b.invariant ? -1 : a.invariant > b.invariant ? 1 : a.index - b.index))
    .slice(0, keep);
  const count = first.shard.split('/')[1]!;
  return {
    ...first,
    shard: shards.size === Number(count) ? `all/${count}` : [...shards].sort().join(','),
    schedules: parts.reduce((a, r) => a + r.schedules, 0),
    violations: parts.reduce((a, r) => a + r.violations, 0),
    byInvariant,
    counterexamples,
    maxDecisions: Math.max(...parts.map((r) => r.maxDecisions)),
    witness: {
      staleExecutions: parts.reduce((a, r) => a + (r.witness?.staleExecutions ?? 0), 0),
      bpHits: parts.reduce((a, r) => a + (r.witness?.bpHits ?? 0), 0),
    },
    elapsedMs: parts.reduce((a, r) => a + r.elapsedMs, 0),
  };
}
