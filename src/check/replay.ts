// Re-runs a counterexample deterministically, one instruction per decision, and tells what happened around the violation: per hart the last instructions (with the site version each ran), the protocol steps interleaved in order, and the invariant in one sentence.
import { hexAddr } from '../ftrace/errors.js';
import { disassembleWord } from '../isa/index.js';
import type { Lab } from '../lab/index.js';
import { AGENT, type AgentState } from '../machine/sched/deterministic.js';
import { formatStep } from '../patch/steps.js';
import { CheckError } from './errors.js';
import { protocolLabel, protocolOf } from './explore.js';
import { INVARIANTS, type Monitor, type Violation } from './monitor.js';
import { profileByName } from './profiles.js';
import { decodeSchedule, type ReplayFile } from './replay-file.js';
import { runSchedule } from './run-schedule.js';
import { ProbedStrategy, type Decision, type Probe } from './strategies.js';

/** A recorded schedule with every hart decision split into single instructions (same interleaving, finer grain). */
class ExpandedReplay extends ProbedStrategy {
  private i = 0;
  private left = 0;
  private current: Decision | null = null;
  /** Original decision number of each expanded decision. */
  readonly original: number[] = [];
  private readonly evictAt: ReadonlySet<number>;
  private evictedFor = -1;

  constructor(probe: Probe, private readonly schedule: readonly Decision[], evictions: readonly number[]) {
    super(probe);
    this.evictAt = new Set(evictions);
  }

  protected override evictBefore(): boolean {
    // evictions are numbered by original decision: apply one when that decision starts
    if (this.left === 0 && this.evictAt.has(this.i) && this.evictedFor !== this.i) {
      this.evictedFor = this.i;
      return true;
    }
    return false;
  }

  pick(runnable: readonly number[], agent: AgentState): Decision | undefined {
    if (this.left === 0) {
      const d = this.schedule[this.i];
      if (!d) return undefined;
      this.current = d;
      this.left = d.hart === AGENT ? 1 : d.budget;
      this.i++;
    }
    const d = this.current!;
    const ok = d.hart === AGENT ? agent === 'ready' || agent === 'exclusive' : agent !== 'exclusive' && runnable.includes(d.hart);
    if (!ok) {
      if (d.hart !== AGENT && this.left < d.budget) {
        // the hart stopped early in the original decision too (wfi, halt): go on with the next decision
        this.left = 0;
        return this.pick(runnable, agent);
      }
      const who = d.hart === AGENT ? 'the host agent' : `hart ${d.hart}`;
      throw new CheckError('CHECK_REPLAY_DIVERGED', `replay decision ${this.i - 1} runs ${who}, which cannot run there (runnable harts: ${runnable.join(',') || 'none'}; agent: ${agent}): the file does not belong to this scenario or its schedule is broken`);
    }
    this.left--;
    this.original.push(this.i - 1);
    return { hart: d.hart, budget: 1 };
  }
}

export interface TimelineEntry {
  /** Original decision number. */
  readonly decision: number;
  readonly who: 'host' | number;
  readonly text: string;
}

export interface ReplayReport {
  readonly file: ReplayFile;
  /** What the replay saw (null: the schedule ran clean, which means the file is stale or edited). */
  readonly violation: Violation | null;
  readonly timeline: TimelineEntry[];
  /** Per hart, its last instructions before the violation. */
  readonly lastInstructions: Map<number, TimelineEntry[]>;
}

const KEEP = 12;

/** Replays `file` and collects the story around its violation. */
export async function replayCounterexample(file: ReplayFile): Promise<ReplayReport> {
  const setup = { scenario: file.scenario, profile: profileByName(file.profile), protocol: protocolOf(file.protocol), memory: file.memory, seed: file.seed };
  const schedule = decodeSchedule(file.schedule);
  let strategy!: ExpandedReplay;
  const timeline: TimelineEntry[] = [];
  const last = new Map<number, TimelineEntry[]>();
  let pending: { hart: number; pc: number } | null = null;
  const note = (e: TimelineEntry) => {
    timeline.push(e);
    if (timeline.length > 4000) timeline.splice(0, 2000);
  };
  const describe = (lab: Lab, monitor: Monitor, hart: number, pc: number): string => {
    const seen = monitor.recent.findLast((r) => r.hart === hart && r.addr === pc);
    const bytes = seen?.bytes ?? lab.machine.memory.read(pc, 4);
    const word = bytes.length === 2 ? bytes[0]! | (bytes[1]! << 8) : (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
    const d = disassembleWord(word, pc);
    const version = seen?.version ? `  [site ${seen.version}]` : '';
    const block = lab.heap.liveAt(pc) ?? lab.heap.freedAt(pc);
    const where = block ? `${block.what}${lab.heap.freedAt(pc) ? ' (freed)' : ''}` : lab.guest.symbolizer.nameOf(pc);
    return `${hexAddr(pc)} ${where.padEnd(22)} ${d.text.replace('\t', ' ')}${version}`;
  };
  const out = await runSchedule(
    setup,
    (p) => {
      strategy = new ExpandedReplay(p, schedule, file.evictions);
      return strategy;
    },
    {
      keepRecent: true,
      beforeDecision: (_lab, hart, pc) => {
        pending = hart === AGENT ? null : { hart, pc };
      },
      afterDecision: (d, lab, monitor) => {
        const decision = strategy.original[d - 1] ?? 0;
        if (pending) {
          const e = { decision, who: pending.hart, text: describe(lab, monitor, pending.hart, pending.pc) };
          note(e);
          const l = last.get(pending.hart) ?? [];
          l.push(e);
          if (l.length > KEEP) l.shift();
          last.set(pending.hart, l);
        }
        pending = null;
      },
      onStep: (step, d) => note({ decision: strategy.original[d] ?? strategy.original.at(-1) ?? 0, who: 'host', text: formatStep(step) }),
    },
  );
  return { file, violation: out.violation, timeline, lastInstructions: last };
}

/** The replay story as text. */
export function formatReplay(r: ReplayReport): string {
  const f = r.file;
  const lines: string[] = [];
  lines.push(`scenario ${f.scenario.name} (${f.scenario.scheme}, ${f.scenario.harts} harts), protocol ${protocolLabel(f.protocol)}, profile ${f.profile}, memory ${f.memory}`);
  lines.push(`schedule ${f.index} of a ${f.strategy} exploration (seed ${f.seed}), ${decodeSchedule(f.schedule).length} decisions`);
  lines.push('');
  const steps = r.timeline.filter((e) => e.who === 'host').slice(-25);
  lines.push('the protocol steps before it (decision: step):');
  for (const e of steps) lines.push(`  ${String(e.decision).padStart(6)}: host  : ${e.text}`);
  lines.push('');
  lines.push('last events, in order (decision: who: what):');
  for (const e of r.timeline.slice(-40)) lines.push(`  ${String(e.decision).padStart(6)}: ${e.who === 'host' ? 'host  ' : `hart ${e.who}`}: ${e.text}`);
  for (const [h, l] of [...r.lastInstructions].sort((a, b) => a[0] - b[0])) {
    lines.push('');
    lines.push(`hart ${h}, last ${l.length} instructions:`);
    for (const e of l) lines.push(`  ${String(e.decision).padStart(6)}: ${e.text}`);
  }
  lines.push('');
  const v = r.violation;
  if (v) {
    lines.push(`violation (${v.invariant}) at decision ${r.timeline.at(-1)?.decision ?? v.step}: ${v.message}`);
    lines.push(`invariant: ${INVARIANTS[v.invariant]}`);
  } else {
    lines.push(`no violation: the schedule ran clean (the file says ${f.invariant}: ${f.message})`);
  }
  return lines.join('\n');
}
