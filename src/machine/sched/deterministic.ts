// Deterministic mode: a seeded scheduler that picks the next hart and its quantum; records and replays schedules.
import { MachineError } from '../errors.js';
import { Prng } from '../../util/prng.js';

/** Hart number a schedule uses for a step of the host agent (a patch protocol step); printed as `A`. */
export const AGENT = -1;

/** One scheduling decision and what came of it. */
export interface ScheduleStep {
  /** Hart that ran, or AGENT for a host agent step. */
  hart: number;
  /** Instructions granted (1..quantum). */
  budget: number;
  /** Instructions it retired (< budget when it stopped early: wfi, halt, fault...). */
  retired: number;
  /** Engine stop reason (STOP_* of layout.ts). */
  stop: number;
}

/** What the host agent can do at a decision (see DeterministicScheduler.next). */
export type AgentState = 'none' | 'waiting' | 'ready' | 'exclusive';

/**
 * A pluggable way to draw decisions (the checker's PCT and bounded-exhaustive searches). It sees the same inputs as
 * the built-in draw and must return a runnable party (or the agent when it is 'ready'/'exclusive'); undefined ends
 * the run with reason 'schedule-end'.
 */
export interface ScheduleStrategy {
  next(runnable: readonly number[], agent: AgentState, step: number): { hart: number; budget: number } | undefined;
  /** The outcome of the decision next() returned. */
  done?(s: ScheduleStep): void;
}

export interface DeterministicOptions {
  seed: number | string;
  /** Largest slice one decision grants (1 = interleave at every instruction). */
  quantum: number;
  /** Replay exactly this schedule (hart and budget of each step) instead of drawing one. */
  replay?: readonly Pick<ScheduleStep, 'hart' | 'budget'>[];
  /** Keep the log of every step (default true; turn off for long benchmark runs). */
  record?: boolean;
  /** Largest slice while a host agent is attached (default AGENT_QUANTUM): its steps then land at a finer grain. */
  agentQuantum?: number;
  /** Draw decisions with this strategy instead of the seeded PRNG (a replay still takes precedence). */
  strategy?: ScheduleStrategy;
}

/** Default largest slice of one decision while a host agent (an update in flight) is attached. */
export const AGENT_QUANTUM = 1000;

/** Chooses (hart, budget) for each step from a seeded PRNG, or from a recorded schedule. */
export class DeterministicScheduler {
  readonly quantum: number;
  readonly agentQuantum: number;
  readonly seed: number | string;
  readonly log: ScheduleStep[] = [];
  private readonly prng: Prng;
  private readonly replay: readonly Pick<ScheduleStep, 'hart' | 'budget'>[] | undefined;
  private readonly record: boolean;
  private readonly strategy: ScheduleStrategy | undefined;
  /** Number of decisions taken so far (the "step" that host actions are scheduled at). */
  step = 0;
  /** How many of them the engine drew and ran in batches (one engine call for many decisions). */
  batched = 0;

  constructor(opts: DeterministicOptions) {
    if (!Number.isInteger(opts.quantum) || opts.quantum < 1 || opts.quantum > 0x7fffffff) {
      throw new MachineError('MACHINE_BAD_OPTION', `quantum must be an integer from 1 to 2^31-1, got ${opts.quantum}`);
    }
    this.quantum = opts.quantum;
    this.agentQuantum = Math.min(opts.quantum, opts.agentQuantum ?? AGENT_QUANTUM);
    this.seed = opts.seed;
    this.prng = new Prng(opts.seed);
    this.replay = opts.replay;
    this.record = opts.record ?? true;
    this.strategy = opts.strategy;
  }

  /**
   * The next decision among the runnable harts (sorted ascending) and, when `agent` is 'ready', the host agent
   * (hart AGENT, budget 1); 'exclusive' forces the agent without a draw; 'waiting' (attached, not ready) only caps
   * the slice at agentQuantum, like 'ready'. Undefined when a replay is exhausted.
   */
  next(runnable: readonly number[], agent: AgentState = 'none'): { hart: number; budget: number } | undefined {
    if (this.replay) {
      const s = this.replay[this.step];
      if (!s) return undefined;
      const ok = s.hart === AGENT ? agent === 'ready' || agent === 'exclusive' : agent !== 'exclusive' && runnable.includes(s.hart);
      if (!ok) {
        const who = s.hart === AGENT ? 'the host agent' : `hart ${s.hart}`;
        throw new MachineError(
          'MACHINE_REPLAY_DIVERGED',
          `replay step ${this.step} runs ${who}, which is not runnable (runnable: ${runnable.join(',') || 'none'}; agent: ${agent})`,
        );
      }
      return { hart: s.hart, budget: s.budget };
    }
    if (this.strategy) return this.strategy.next(runnable, agent, this.step);
    if (agent === 'exclusive') return { hart: AGENT, budget: 1 };
    const parties = runnable.length + (agent === 'ready' ? 1 : 0);
    const pick = this.prng.below(parties);
    if (pick === runnable.length) return { hart: AGENT, budget: 1 };
    const hart = runnable[pick]!;
    const budget = 1 + this.prng.below(agent === 'none' ? this.quantum : this.agentQuantum);
    return { hart, budget };
  }

  /**
   * Can the engine draw decisions itself (seeded draws: no replay, no strategy, which see each outcome)? It draws
   * exactly as next(runnable, 'none') does, with this PRNG (prngState / ranInEngine).
   */
  get drawsInEngine(): boolean {
    return this.replay === undefined && this.strategy === undefined;
  }

  /** The PRNG state the engine continues from. */
  prngState(): [number, number, number, number] {
    return this.prng.save();
  }

  /**
   * The engine drew and ran `decisions` decisions with the PRNG, leaving it in `state`; `entry(i)` reads decision i
   * back (only called when the log is kept).
   */
  ranInEngine(state: readonly [number, number, number, number], decisions: number, entry: (i: number) => ScheduleStep): void {
    this.prng.restore(state);
    if (this.record) for (let i = 0; i < decisions; i++) this.log.push(entry(i));
    this.step += decisions;
    this.batched += decisions;
  }

  /** Records the outcome of the decision returned by next(). */
  done(s: ScheduleStep): void {
    if (this.record) this.log.push(s);
    this.strategy?.done?.(s);
    this.step++;
  }

  /** The log as text, one line per step: `step hart budget retired stop` (hart `A` = host agent). Byte-identical for identical runs. */
  formatLog(): string {
    return this.log.map((s, i) => `${i} ${s.hart === AGENT ? 'A' : s.hart} ${s.budget} ${s.retired} ${s.stop}\n`).join('');
  }

  /** Parses formatLog() output back into a replayable schedule. */
  static parseLog(text: string): Pick<ScheduleStep, 'hart' | 'budget'>[] {
    const out: Pick<ScheduleStep, 'hart' | 'budget'>[] = [];
    for (const [n, line] of text.split('\n').entries()) {
      if (!line.trim()) continue;
      const f = line.trim().split(/\s+/).map((t, i) => (i === 1 && t === 'A' ? AGENT : Number(t)));
      if (f.length < 3 || f.some((v, i) => !Number.isInteger(v) || (v < 0 && !(i === 1 && v === AGENT)))) {
        throw new MachineError('MACHINE_BAD_OPTION', `schedule line ${n + 1} is malformed: '${line}'`);
      }
      out.push({ hart: f[1]!, budget: f[2]! });
    }
    return out;
  }
}
