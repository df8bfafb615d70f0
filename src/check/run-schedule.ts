// Runs one schedule of a scenario: a fresh lab whose scheduler is the strategy, the monitor fed by the engine's decode log and the protocol's steps, then the trace checks.
import { WatchLog } from '../board/board-io.js';
import { GUEST_TRAP_EXIT_CODE } from '../guest/index.js';
import { Lab } from '../lab/index.js';
import { HART_BASE, HART_STATE_SIZE, H_GEN, H_PC, RAM_GUEST_BASE, WEV_DECODE } from '../machine/layout.js';
import type { PatchProtocol } from '../patch/protocols/index.js';
import type { PatchStep } from '../patch/steps.js';
import { callsPerPass } from '../lab/pass-calls.js';
import { Prng } from '../util/prng.js';
import { AGENT, type AgentState } from '../machine/sched/deterministic.js';
import type { GuestImage } from '../workload/guest-image.js';
import { Monitor, type Violation } from './monitor.js';
import type { ArchProfile } from './profiles.js';
import { installScript, scenarioKernel, type ScenarioSpec } from './scenario.js';
import type { Decision, Probe, ProbedStrategy } from './strategies.js';

/** Instruction bound of one schedule: an update still in flight after it is a progress violation. */
export const SCHEDULE_MAX_INSNS = 2_000_000;
/** Largest hart slice of one decision: its decodes must fit the watch log, drained after every decision. */
export const MAX_SLICE = 256;
const WATCH_CAPACITY = 1024;

export interface CheckSetup {
  readonly scenario: ScenarioSpec;
  readonly profile: ArchProfile;
  readonly protocol: PatchProtocol;
  /**
   * How the host's stores become visible: 'sc' in program order; 'rvwmo' (default) lets the stores between two
   * ordering points (a fence, an IPI, a wait, a free, a stop) land in any order, as a RISC-V hart's stores to
   * different addresses may (RVWMO has no store-store order without a fence). The order is a data choice drawn
   * from `seed`.
   */
  readonly memory?: 'sc' | 'rvwmo';
  readonly seed?: number;
}

type WriteStep = Extract<PatchStep, { op: 'write' }>;

/** Stores between ordering points in a seeded order that keeps stores to overlapping bytes in program order. */
export function reorderStores(steps: readonly PatchStep[], prng: Prng): PatchStep[] {
  const out: PatchStep[] = [];
  let run: WriteStep[] = [];
  const overlaps = (a: WriteStep, b: WriteStep) => a.addr < b.addr + b.bytes.length && b.addr < a.addr + a.bytes.length;
  const flush = () => {
    const left = [...run];
    while (left.length > 0) {
      const ready = left.filter((w, i) => !left.slice(0, i).some((e) => overlaps(e, w)));
      const pick = ready[prng.below(ready.length)]!;
      left.splice(left.indexOf(pick), 1);
      out.push(pick);
    }
    run = [];
  };
  for (const s of steps) {
    if (s.op === 'write') run.push(s);
    else {
      flush();
      out.push(s);
    }
  }
  flush();
  return out;
}

/** What a schedule did. */
export interface ScheduleOutcome {
  readonly violation: Violation | null;
  /** Scheduling decisions taken (the schedule's length). */
  readonly decisions: number;
  /** Instructions retired by all harts. */
  readonly instructions: number;
  /** The decisions, for a replay file. */
  readonly schedule: Decision[];
  /** Decisions before which every hart's decode cache was evicted. */
  readonly evictions: readonly number[];
  /** Evidence that the races were exercised: stale site executions, breakpoint-handler runs. */
  readonly witness: { readonly staleExecutions: number; readonly bpHits: number };
  /** Patch steps the updates took, with the decision each ran after (for replay output). */
  readonly steps: { readonly decision: number; readonly step: PatchStep }[];
}

/** Guest images by scenario shape: building one takes milliseconds, a schedule should not. */
const images = new Map<string, GuestImage>();

function imageKey(s: ScenarioSpec): string {
  return `${s.scheme}:${s.harts}:${s.functions}:${s.kernelSeed}:${JSON.stringify(scenarioKernel(s))}`;
}

/** A hook the strategy is built with, for watching the run (replay output uses it). */
export interface RunObserver {
  /** Keep the monitor's recent decodes (replay output reads them). */
  keepRecent?: boolean;
  /** A decision was taken: hart (or AGENT) and, for a hart, the pc it starts at. */
  beforeDecision?(lab: Lab, hart: number, pc: number): void;
  /** After each decision (numbered from 1), once the monitor has its events. */
  afterDecision?(decision: number, lab: Lab, monitor: Monitor): void;
  /** A patch step ran after `decision` decisions. */
  onStep?(step: PatchStep, decision: number): void;
}

/**
 * One schedule. `makeStrategy` receives the probe (hart pcs, yield points, monitor feed) and returns the strategy
 * the lab's scheduler draws every decision from.
 */
export async function runSchedule(setup: CheckSetup, makeStrategy: (probe: Probe) => ProbedStrategy, observer: RunObserver = {}): Promise<ScheduleOutcome> {
  const { scenario, profile } = setup;
  let lab!: Lab;
  let monitor!: Monitor;
  let watch!: WatchLog;
  let view!: DataView;
  let yieldRanges: [number, number][] = [];
  let quietRanges: [number, number][] = [];
  const steps: { decision: number; step: PatchStep }[] = [];
  let decision = 0;
  const onEvent = (kind: number, hart: number, size: number, addr: number, value: number) => {
    if (kind === WEV_DECODE) monitor.onDecode(hart, addr, size, value);
  };
  const probe: Probe = {
    pc: (h) => {
      const at = HART_BASE + h * HART_STATE_SIZE + H_PC;
      return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    },
    yieldPoint: (pc) => yieldRanges.some(([lo, hi]) => pc >= lo && pc < hi),
    visible: (pc) => monitor.watched(pc) || !quietRanges.some(([lo, hi]) => pc >= lo && pc < hi),
    afterDecision: (d) => {
      decision = d;
      monitor.step = d;
      watch.drainEach(onEvent);
      observer.afterDecision?.(d, lab, monitor);
    },
    stop: () => monitor.violation !== null,
    evictAll: () => {
      for (let h = 0; h < scenario.harts; h++) lab.machine.flushIcache(h);
    },
  };
  const strategy = makeStrategy(probe);
  const pick = strategy.next.bind(strategy);
  strategy.next = (runnable: readonly number[], agent: AgentState) => {
    const d = pick(runnable, agent);
    if (d && d.hart !== AGENT) {
      const pc = probe.pc(d.hart);
      if (monitor.watched(pc)) monitor.noteExecution(d.hart, pc);
      observer.beforeDecision?.(lab, d.hart, pc);
    } else if (d) observer.beforeDecision?.(lab, d.hart, 0);
    return d;
  };
  const storeOrder = new Prng(((setup.seed ?? 0) ^ 0x5bd1e995) >>> 0);
  const checked: PatchProtocol = {
    name: setup.protocol.name,
    summary: setup.protocol.summary,
    needsGuestHandlers: setup.protocol.needsGuestHandlers,
    steps: (plan, ctx) => {
      monitor?.notePlan(plan); // undefined while Lab.create lands ftrace_init (nothing runs yet)
      const steps = setup.protocol.steps(plan, ctx);
      return monitor && (setup.memory ?? 'rvwmo') === 'rvwmo' ? reorderStores(steps, storeOrder) : steps;
    },
  };
  const key = imageKey(scenario);
  lab = await Lab.create({
    harts: scenario.harts,
    scheme: scenario.scheme as 'callops',
    kernel: { functions: scenario.functions, seed: scenario.kernelSeed, workload: 'loop', ...scenarioKernel(scenario) },
    protocol: checked,
    seed: 0,
    quantum: 1,
    fetch: profile.fetch,
    strategy,
    recordSchedule: true,
    bufferSizeKb: 16,
    ram: 8 << 20,
    ...(images.has(key) ? { image: images.get(key)! } : {}),
  });
  if (lab.guest.image) images.set(key, lab.guest.image);
  view = new DataView(lab.machine.wasm.buffer);
  monitor = new Monitor(scenario.harts, profile, lab.heap, (a, n) => lab.machine.memory.read(a, n), (h) => view.getUint32(HART_BASE + h * HART_STATE_SIZE + H_GEN, true));
  monitor.keepRecent = observer.keepRecent === true;
  const log = lab.heap.alloc(WATCH_CAPACITY * 32, 64, 'checker watch log');
  watch = new WatchLog(lab.machine.wasm, { log, capacity: WATCH_CAPACITY, decodes: { lo: RAM_GUEST_BASE, hi: lab.heap.limit } });
  const range = (s: string): [number, number] => {
    const c = lab.code(s);
    return [c.addr, c.addr + c.size];
  };
  yieldRanges = ['multi_cpu_stop', 'workload_loop', 'main', 'workload_secondary'].map(range);
  // code that cannot touch a patch: the kernel functions' bodies (their site words are watched) and the workload
  quietRanges = [...lab.guest.image!.kernel.functions.map((f) => range(f.name)), ...['workload_loop', 'main', 'workload_secondary', 'synthetic_kernel_run'].map(range)];
  lab.onPatchStep((step, _i, live) => {
    steps.push({ decision, step });
    monitor.onStep(step, live);
    observer.onStep?.(step, decision);
  });
  installScript(lab, scenario);
  let violation: Violation | null = null;
  let instructions = 0;
  try {
    const r = await lab.run({ maxInsns: SCHEDULE_MAX_INSNS });
    instructions = r.instructions;
    violation = monitor.violation ?? endOfRunViolation(lab, r, decision, watch.lost) ?? monitor.breach;
  } catch (e) {
    // an update that cannot complete (PATCH_NO_PROGRESS) is the progress invariant; anything else is a bug or bad input
    if ((e as { code?: string }).code === 'PATCH_NO_PROGRESS') {
      violation = { invariant: 'progress', message: (e as Error).message, step: decision, hart: null, addr: null };
    } else throw e;
  }
  watch.stop();
  const schedule = (lab.machine.scheduler?.log ?? []).map((s) => ({ hart: s.hart, budget: s.budget }));
  const bpHits = lab.patchCounters().reduce((a, c) => a + c.bpHits, 0);
  return { violation, decisions: schedule.length, instructions, schedule, evictions: strategy.evictions, steps, witness: { staleExecutions: monitor.staleExecutions, bpHits } };
}

function endOfRunViolation(lab: Lab, r: { reason: string; exitCode?: number }, step: number, lost: number): Violation | null {
  const v = (invariant: Violation['invariant'], message: string, hart: number | null = null, addr: number | null = null): Violation => ({ invariant, message, step, hart, addr });
  if (r.reason === 'halted' && r.exitCode === GUEST_TRAP_EXIT_CODE) {
    const t = lab.trapReport();
    if (t?.freed) return v('use-after-free', t.message, t.hart, t.epc);
    return v('guest-trap', t ? t.message : 'a hart took an unexpected trap', t?.hart ?? null, t?.epc ?? null);
  }
  if (r.reason !== 'halted') {
    const pending = lab.pendingUpdates;
    const what = pending > 0 ? `${pending} update(s) still in flight` : 'the workload did not stop';
    return v('progress', `after ${SCHEDULE_MAX_INSNS.toLocaleString('en-US')} instructions (run ended: ${r.reason}) ${what}`);
  }
  if (lost > 0) throw new Error(`checker watch log overflowed (${lost} events lost): raise WATCH_CAPACITY`);
  // the trace against the update log: attribution (invariant 3) and exactness (invariant 5)
  const events = lab.trace.drain();
  const bad = lab.updates.misattributed(events);
  if (bad.length > 0) {
    const e = bad[0]!;
    return v('wrong-ops', `hart ${e.hart} pass ${e.qs}: the callback for ${lab.guest.symbolizer.nameOf(e.ip)} received ops 0x${e.op.toString(16)}, which no state live during that pass registered for it`, e.hart, e.ip);
  }
  const passes = lab.patchCounters().map((c) => c.qs);
  const inexact = lab.updates.inexactPasses(events, passes, lab.ftrace.records().map((rec) => rec.ip), callsPerPass(lab));
  if (inexact.length > 0) return v('lost-or-duplicate-event', inexact[0]!);
  if (lab.trace.lost().perHart.some((n) => n > 0)) throw new Error('checker trace buffers overflowed: the exactness check needs every event');
  return null;
}
