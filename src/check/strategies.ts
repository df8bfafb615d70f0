// Schedule strategies of the checker: PCT (priorities with d-1 change points), delay-bounded exhaustive enumeration, uniform random, and replay of a recorded schedule.
import { AGENT, type AgentState, type ScheduleStep, type ScheduleStrategy } from '../machine/sched/deterministic.js';
import { Prng } from '../util/prng.js';

/** What a strategy may look at besides the runnable set: hart pcs, spin loops, and whether to stop. */
export interface Probe {
  /** Program counter of a hart (before its next instruction). */
  pc(hart: number): number;
  /**
   * Is this pc a yield point: a spin loop where the hart only waits for others (the stop_machine rendezvous) or the
   * workload's voluntary quiescent point between passes?
   */
  yieldPoint(pc: number): boolean;
  /**
   * Can the instruction at this pc interact with a patch (a site, ftrace_caller, a callback or anything in the guest
   * heap, the IPI and breakpoint handlers)? Plain kernel-function bodies and the workload loop cannot.
   */
  visible(pc: number): boolean;
  /** Feed the monitor what happened during the last decision (decode and fence.i events). */
  afterDecision(step: number): void;
  /** A violation was seen: end the schedule. */
  stop(): boolean;
  /**
   * Empty every hart's decode cache now: a capacity eviction, which hardware may do at any time (the data choice
   * of reference §4.1). A hart then fetches the text as memory holds it at its next instruction.
   */
  evictAll(): void;
}

export type Decision = { hart: number; budget: number };

/** Base: drains the probe after each decision and ends the run on a violation. */
export abstract class ProbedStrategy implements ScheduleStrategy {
  /** Instructions and agent steps so far (PCT's step count). */
  steps = 0;
  decisions = 0;
  /** Decisions before which every hart's decode cache was evicted (part of the schedule: replays repeat them). */
  readonly evictions: number[] = [];
  private evictPending = false;
  constructor(protected readonly probe: Probe) {}
  abstract pick(runnable: readonly number[], agent: AgentState): Decision | undefined;
  next(runnable: readonly number[], agent: AgentState): Decision | undefined {
    if (this.probe.stop()) return undefined;
    if (this.evictPending || this.evictBefore(this.decisions)) {
      this.evictPending = false;
      this.probe.evictAll();
      this.evictions.push(this.decisions);
    }
    return this.pick(runnable, agent);
  }
  /** Ask for an eviction before the next decision. */
  protected evictNext(): void {
    this.evictPending = true;
  }
  /** Replays: evict before this decision? */
  protected evictBefore(_decision: number): boolean {
    return false;
  }
  done(s: ScheduleStep): void {
    this.decisions++;
    this.steps += s.hart === AGENT ? 1 : Math.max(1, s.retired);
    this.probe.afterDecision(this.decisions);
    this.observe(s);
  }
  protected observe(_s: ScheduleStep): void {}
}

/** Default largest slice of one hart decision (instructions); each slice is drawn from 1..slice. */
export const DEFAULT_SLICE = 32;

/**
 * PCT (Burckhardt et al., ASPLOS 2010) over scheduling decisions: the harts and the host agent get distinct random
 * priorities above d; d-1 change points are drawn among the k decisions of a run (k measured on earlier runs); the
 * highest-priority runnable party runs (a hart for a seeded slice of 1..slice instructions, the agent for one step),
 * and at the i-th change point the party that ran drops to priority d-i and every hart's decode cache is evicted (so
 * whoever runs next fetches the text as it is at that moment). A hart at a yield point (a spin loop, or its quiescent
 * point between workload passes) runs only when every runnable party is at one (sched_yield), so neither a rendezvous
 * nor an endless workload starves the others (after Shuttle's rule for yielding threads). Only decisions that could
 * matter count as steps (an agent step, a hart slice that starts on code that can touch a patch: reference
 * interleaving-checkers.md §4.2), so k is small and change points land where a patch can be observed. Guarantee: a bug of depth d is hit with probability at
 * least 1/(n k^(d-1)) per run, n = harts + 1.
 */
export class PctStrategy extends ProbedStrategy {
  private readonly prio = new Map<number, number>();
  private readonly changes: number[];
  private readonly prng: Prng;
  private changed = 0;
  private readonly lastRan = new Map<number, number>();

  constructor(probe: Probe, harts: number, readonly depth: number, readonly k: number, seed: number, private readonly slice = DEFAULT_SLICE) {
    super(probe);
    this.prng = new Prng(seed);
    const parties = [AGENT, ...Array.from({ length: harts }, (_, h) => h)];
    // distinct priorities depth+1 .. depth+n in a random order (Fisher-Yates)
    const values = parties.map((_, i) => depth + 1 + i);
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.prng.below(i + 1);
      [values[i], values[j]] = [values[j]!, values[i]!];
    }
    parties.forEach((p, i) => this.prio.set(p, values[i]!));
    const points = new Set<number>();
    const want = Math.min(depth - 1, Math.max(0, k - 1));
    while (points.size < want) points.add(1 + this.prng.below(Math.max(1, k)));
    this.changes = [...points].sort((a, b) => a - b);
  }

  private prioOf(p: number): number {
    return this.prio.get(p)!;
  }

  pick(runnable: readonly number[], agent: AgentState): Decision | undefined {
    if (agent === 'exclusive') {
      this.lastVisible = true;
      return { hart: AGENT, budget: 1 };
    }
    // the highest-priority party not at a yield point; a yielding hart runs only when every runnable party yields
    let best: number | null = agent === 'ready' ? AGENT : null;
    let bestYielding: number | null = null;
    for (const h of runnable) {
      if (this.probe.yieldPoint(this.probe.pc(h))) {
        // among yielding harts, the one that ran least recently (a spinning hart cannot starve the one it waits for)
        if (bestYielding === null || (this.lastRan.get(h) ?? -1) < (this.lastRan.get(bestYielding) ?? -1)) bestYielding = h;
      } else if (best === null || this.prioOf(h) > this.prioOf(best)) best = h;
    }
    best ??= bestYielding;
    if (best === null) return undefined;
    if (best === AGENT) {
      this.lastVisible = true;
      return { hart: AGENT, budget: 1 };
    }
    this.lastVisible = this.probe.visible(this.probe.pc(best));
    this.lastRan.set(best, this.decisions);
    return { hart: best, budget: 1 + this.prng.below(this.slice) };
  }

  /** Decisions that could matter so far (agent steps, hart slices starting on code that touches a patch). */
  visibleDecisions = 0;
  private lastVisible = false;

  protected override observe(s: ScheduleStep): void {
    if (!this.lastVisible) return;
    this.visibleDecisions++;
    if (this.changes[this.changed] === this.visibleDecisions) {
      this.changed++;
      this.prio.set(s.hart, this.depth - this.changed); // d-1, d-2, ...: below every initial priority
      this.evictNext();
    }
  }
}

/** Uniform random walk: every runnable party equally likely, slices of 1..quantum (a baseline for PCT). */
export class RandomStrategy extends ProbedStrategy {
  private readonly prng: Prng;
  constructor(probe: Probe, seed: number, private readonly quantum: number) {
    super(probe);
    this.prng = new Prng(seed);
  }
  pick(runnable: readonly number[], agent: AgentState): Decision | undefined {
    if (agent === 'exclusive') return { hart: AGENT, budget: 1 };
    const n = runnable.length + (agent === 'ready' ? 1 : 0);
    if (n === 0) return undefined;
    const i = this.prng.below(n);
    if (i === runnable.length) {
      if (this.prng.below(4) === 0) this.evictNext();
      return { hart: AGENT, budget: 1 };
    }
    return { hart: runnable[i]!, budget: 1 + this.prng.below(this.quantum) };
  }
}

/**
 * Delay-bounded enumeration (Emmi, Qadeer, Rakamarić, POPL 2011): the default scheduler runs the agent whenever it is
 * ready, else the harts round-robin in slices of `grain` instructions; a schedule deviates from it at most `bound`
 * times, each deviation ("delay") skipping 1..n-1 parties at one decision. Schedule i of the enumeration is computed
 * from i alone (0 delays, then 1, then 2 ...), so any index range or residue class is a valid shard.
 */
export class DelayBoundedStrategy extends ProbedStrategy {
  private readonly delays: Map<number, number>;
  private rr = 0;
  private used = 0;

  constructor(probe: Probe, private readonly grain: number, delays: ReadonlyMap<number, number>) {
    super(probe);
    this.delays = new Map(delays);
  }

  pick(runnable: readonly number[], agent: AgentState): Decision | undefined {
    if (agent === 'exclusive') return { hart: AGENT, budget: 1 };
    // candidates in default order: the agent first (when ready), then the harts from the round-robin cursor
    const order: number[] = [];
    if (agent === 'ready') order.push(AGENT);
    // the harts from the cursor on, then those before it
    const byIndex = [...runnable].sort((a, b) => a - b);
    order.push(...byIndex.filter((h) => h >= this.rr), ...byIndex.filter((h) => h < this.rr));
    if (order.length === 0) return undefined;
    const skip = this.delays.get(this.decisions) ?? 0;
    if (skip > 0) {
      this.used++;
      this.probe.evictAll(); // a delay also evicts: the party that runs instead fetches the text as it is now
      this.evictions.push(this.decisions);
    }
    const who = order[skip % order.length]!;
    if (who === AGENT) return { hart: AGENT, budget: 1 };
    this.rr = who + 1;
    return { hart: who, budget: this.grain };
  }

  /** Delays this schedule actually took (<= its bound). */
  get delaysTaken(): number {
    return this.used;
  }
}

/** Binomial coefficient as a number (exact below 2^53). */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * The delays of schedule `index` of the enumeration over k decision points, n parties and at most `bound` delays:
 * index 0 has none; then every (position set, skip amounts) with 1 delay, then 2 ... (combinations in lexicographic
 * order). Undefined past the end.
 */
export function delaysOf(index: number, k: number, parties: number, bound: number): Map<number, number> | undefined {
  let i = index;
  const skips = Math.max(1, parties - 1);
  for (let c = 0; c <= bound; c++) {
    const count = choose(k, c) * skips ** c;
    if (i < count) {
      let combo = Math.floor(i / skips ** c);
      let rest = i % skips ** c;
      const out = new Map<number, number>();
      // unrank a c-combination of [0, k) in lexicographic order
      let start = 0;
      for (let slot = c; slot > 0; slot--) {
        let p = start;
        for (;;) {
          const after = choose(k - p - 1, slot - 1);
          if (combo < after) break;
          combo -= after;
          p++;
        }
        out.set(p, 1 + (rest % skips));
        rest = Math.floor(rest / skips);
        start = p + 1;
      }
      return out;
    }
    i -= count;
  }
  return undefined;
}

/** Schedules in the enumeration with at most `bound` delays. */
export function delaySpaceSize(k: number, parties: number, bound: number): number {
  let total = 0;
  for (let c = 0; c <= bound; c++) total += choose(k, c) * Math.max(1, parties - 1) ** c;
  return total;
}
