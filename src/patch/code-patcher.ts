// text_mutex + arch_ftrace_update_code for the lab: updates are applied one at a time, each as its protocol's steps, by the driver of the machine's mode.
import type { PatchPlan } from '../ftrace/patch-plan.js';
import type { RunOptions, RunResult } from '../machine/machine.js';
import type { HostAgent } from '../machine/sched/host-agent.js';
import { PatchError } from './errors.js';
import type { PatchContext } from './plan-steps.js';
import type { PatchProtocol } from './protocols/protocol.js';
import { emptyCounts, StepExecutor, type PatchTarget, type StepCounts } from './step-executor.js';
import { formatStep, isBlocking, type PatchStep } from './steps.js';

/** What the patcher needs from its owner (the Lab) besides the patch target. */
export interface PatchHost extends PatchTarget {
  readonly mode: 'deterministic' | 'parallel';
  /** Will any hart execute again (the guest booted and neither halted nor faulted)? */
  live(): boolean;
  /** Deterministic mode: is a run loop driving the machine right now (then updates progress inside it)? */
  driven(): boolean;
  /** Deterministic mode: run the harts (and the attached agent) in the calling thread. */
  runMachine(opts: RunOptions): RunResult;
  /** Deterministic mode: attach or detach the agent the scheduler interleaves with the harts. */
  setAgent(agent: HostAgent | null): void;
  /** Parallel mode: park every hart at an instruction boundary / let them go. */
  pauseAll(): Promise<void>;
  resumeAll(): void;
}

export interface CodePatcherOptions {
  /** 'rcu-tasks' (default) or 'immediate' (UNSAFE: frees without a grace period; tests and the checker). */
  readonly teardown?: 'rcu-tasks' | 'immediate';
  /** Parallel mode: longest wait for acknowledgements or a grace period before PATCH_TIMEOUT (default 10 s). */
  readonly waitTimeoutMs?: number;
  /** Deterministic mode, when nothing drives the machine: instructions an update may take (default 1e8). */
  readonly stepBudget?: number;
}

/** What applying one update did. */
export interface PatchReport {
  readonly protocol: string;
  readonly counts: Readonly<StepCounts>;
  /** 'live': steps ran against running harts; 'quiescent': nothing ran; 'mixed': the guest stopped mid-update. */
  readonly mode: 'live' | 'quiescent' | 'mixed';
  /** Host milliseconds from apply() to the last step. */
  readonly hostMs: number;
  /** Host milliseconds every hart was held by a host pause (stop-all). */
  readonly pausedMs: number;
  /**
   * Every hart's rcu_tasks_qs when the first step ran and after the last one (null without guest counters): a pass of
   * the workload numbered below qsStart[h] finished before the update began; one above qsEnd[h] began after it ended.
   */
  readonly qsStart: readonly number[] | null;
  readonly qsEnd: readonly number[] | null;
}

interface Job {
  readonly steps: PatchStep[];
  index: number;
  readonly counts: StepCounts;
  live: boolean;
  quiescent: boolean;
  readonly t0: number;
  pausedAt: number;
  pausedMs: number;
  qsStart: number[] | null;
  done: boolean;
  readonly resolve: (r: PatchReport) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Waiting for the harts (an IPI acknowledgement, a grace period): poll at once a few times, then sleep between polls,
 * so that the host thread does not take the core from the hart threads it waits for when harts outnumber cores.
 */
const SPIN_POLLS = 16;
function backOff(polls: number): Promise<void> {
  return polls < SPIN_POLLS ? yieldNow() : new Promise((r) => setTimeout(r, 0));
}

/** Let other tasks of the event loop run (setImmediate in Node, a message round trip in browsers). */
const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
const yieldNow: () => Promise<void> =
  typeof immediate === 'function'
    ? () => new Promise((r) => immediate(() => r()))
    : () =>
        new Promise((r) => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => r();
          ch.port2.postMessage(0);
        });

/**
 * Applies plans through a protocol, strictly one after another (text_mutex). Deterministic mode: the patcher is the
 * machine's host agent, so each step is a scheduling decision placed by the seed; when no run loop drives the
 * machine, apply() runs the harts itself until the update is complete. Parallel mode: steps run from the host
 * thread while the workers run; waits poll the guest's acknowledgement and quiescent words. When no hart will run
 * again the remaining steps take effect at once (quiescent semantics).
 */
export class CodePatcher implements HostAgent {
  private readonly queue: Job[] = [];
  private readonly executor: StepExecutor;
  private readonly teardown: 'rcu-tasks' | 'immediate';
  private readonly waitTimeoutMs: number;
  private readonly stepBudget: number;
  private exclusiveNow = false;
  private completed = false;
  private pumping = false;
  /** Reports of every update so far, oldest first. */
  readonly history: PatchReport[] = [];
  /** Called after every step that ran (tests and the checker observe where steps land). */
  onStep: ((step: PatchStep, index: number, live: boolean) => void) | null = null;

  constructor(
    private readonly host: PatchHost,
    readonly protocol: PatchProtocol,
    opts: CodePatcherOptions = {},
  ) {
    this.executor = new StepExecutor(host);
    this.teardown = opts.teardown ?? 'rcu-tasks';
    if (this.teardown !== 'rcu-tasks' && this.teardown !== 'immediate') {
      throw new PatchError('PATCH_BAD_OPTION', `teardown must be 'rcu-tasks' or 'immediate', got '${String(this.teardown)}'`);
    }
    this.waitTimeoutMs = opts.waitTimeoutMs ?? 10_000;
    this.stepBudget = opts.stepBudget ?? 1e8;
  }

  /** The context protocols build their steps with. */
  get context(): PatchContext {
    return { harts: this.host.harts, heap: this.host.heap, port: this.host.port, teardown: this.teardown };
  }

  /** Updates submitted and not finished. */
  get pending(): number {
    return this.queue.length;
  }

  /** The steps `plan` would take with this protocol (allocates and frees nothing: for --dry-run). */
  preview(plan: PatchPlan): PatchStep[] {
    const scratch = { alloc: () => 0, free: () => {} };
    return this.protocol.steps(plan, { ...this.context, heap: scratch });
  }

  /** Apply one plan; resolves when its last step has run. The steps are built now, in submission order. */
  apply(plan: PatchPlan): Promise<PatchReport> {
    let steps: PatchStep[];
    try {
      steps = this.protocol.steps(plan, this.context);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<PatchReport>((resolve, reject) => {
      this.queue.push({
        steps, index: 0, counts: emptyCounts(), live: false, quiescent: false, t0: performance.now(),
        pausedAt: 0, pausedMs: 0, qsStart: null, done: false, resolve, reject,
      });
      if (this.host.mode === 'deterministic') this.kickDeterministic();
      else void this.pumpParallel();
    });
  }

  // ---- deterministic mode: the patcher is the scheduler's host agent

  private kickDeterministic(): void {
    if (!this.host.live()) {
      this.settle();
      return;
    }
    this.host.setAgent(this);
    if (this.host.driven() || this.pumping) return; // the running loop will take our steps
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const job = this.queue[0]!;
        const r = this.host.runMachine({ maxInsns: this.stepBudget, until: () => job.done });
        if (job.done) continue;
        if (!this.host.live()) {
          this.settle();
          break;
        }
        const step = job.steps[job.index];
        this.fail(
          job,
          new PatchError(
            'PATCH_NO_PROGRESS',
            `${this.protocol.name}: step ${job.index + 1}/${job.steps.length} (${step ? formatStep(step) : 'end'}) did not complete within ` +
              `${this.stepBudget} instructions (run stopped: ${r.reason}); waiting for harts ${this.executor.waitingFor(step!).join(',') || '-'}`,
          ),
        );
      }
    } finally {
      this.pumping = false;
    }
  }

  ready(): boolean {
    const job = this.queue[0];
    if (!job) return false;
    const step = job.steps[job.index];
    return step === undefined || this.executor.ready(step);
  }

  exclusive(): boolean {
    return this.exclusiveNow && this.queue.length > 0;
  }

  step(): void {
    const job = this.queue[0];
    if (!job) return;
    job.live = true;
    this.begin(job);
    const step = job.steps[job.index];
    try {
      if (step) {
        if (step.op === 'pause-all') {
          this.exclusiveNow = true;
          job.pausedAt = performance.now();
        } else if (step.op === 'resume-all') {
          this.exclusiveNow = false;
          job.pausedMs += performance.now() - job.pausedAt;
        }
        this.executor.exec(step, true, job.counts);
        job.index++;
        this.onStep?.(step, job.index - 1, true);
      }
      if (job.index >= job.steps.length) this.finish(job);
    } catch (e) {
      this.fail(job, e);
    }
  }

  /** Did an update complete since the last call? (A driving loop stops there so continuations run in order.) */
  takeCompleted(): boolean {
    const c = this.completed;
    this.completed = false;
    return c;
  }

  /** Finish every pending update with quiescent semantics (no hart will run again). */
  settle(): void {
    this.exclusiveNow = false;
    while (this.queue.length > 0) {
      const job = this.queue[0]!;
      try {
        this.begin(job);
        job.quiescent = true;
        for (; job.index < job.steps.length; job.index++) {
          this.executor.exec(job.steps[job.index]!, false, job.counts);
          this.onStep?.(job.steps[job.index]!, job.index, false);
        }
        this.finish(job);
      } catch (e) {
        this.fail(job, e);
      }
    }
  }

  /** The first step of a job is about to run: note where every hart's workload is. */
  private begin(job: Job): void {
    if (job.qsStart === null && job.index === 0) job.qsStart = this.host.port?.quiescentCounts() ?? null;
  }

  private finish(job: Job): void {
    job.done = true;
    this.queue.shift();
    this.completed = true;
    if (this.queue.length === 0 && this.host.mode === 'deterministic') this.host.setAgent(null);
    const report: PatchReport = {
      protocol: this.protocol.name,
      counts: job.counts,
      mode: job.live && job.quiescent ? 'mixed' : job.live ? 'live' : 'quiescent',
      hostMs: performance.now() - job.t0,
      pausedMs: job.pausedMs,
      qsStart: job.qsStart,
      qsEnd: job.qsStart ? (this.host.port?.quiescentCounts() ?? null) : null,
    };
    this.history.push(report);
    job.resolve(report);
  }

  private fail(job: Job, e: unknown): void {
    job.done = true;
    this.queue.shift();
    this.completed = true;
    this.exclusiveNow = false;
    if (this.queue.length === 0 && this.host.mode === 'deterministic') this.host.setAgent(null);
    job.reject(e);
  }

  // ---- parallel mode: steps from the host thread while the workers run

  private async pumpParallel(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const job = this.queue[0]!;
        try {
          await this.runParallelJob(job);
          this.finish(job);
        } catch (e) {
          if (job.pausedAt) this.host.resumeAll();
          this.fail(job, e);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async runParallelJob(job: Job): Promise<void> {
    this.begin(job);
    for (; job.index < job.steps.length; job.index++) {
      const step = job.steps[job.index]!;
      if (!this.host.live()) {
        job.quiescent = true;
        this.executor.exec(step, false, job.counts);
        this.onStep?.(step, job.index, false);
        continue;
      }
      job.live = true;
      if (step.op === 'pause-all') {
        job.pausedAt = performance.now();
        await this.host.pauseAll();
      } else if (step.op === 'resume-all') {
        this.host.resumeAll();
        job.pausedMs += performance.now() - job.pausedAt;
        job.pausedAt = 0;
      } else if (isBlocking(step)) {
        const deadline = performance.now() + this.waitTimeoutMs;
        for (let polls = 0; !this.executor.ready(step); polls++) {
          if (!this.host.live()) break;
          if (performance.now() > deadline) {
            throw new PatchError(
              'PATCH_TIMEOUT',
              `${this.protocol.name}: '${formatStep(step)}' did not complete within ${this.waitTimeoutMs} ms; still waiting for hart(s) ` +
                `${this.executor.waitingFor(step).join(',') || '?'} (running with interrupts off, or stuck outside any quiescent point)`,
            );
          }
          await backOff(polls);
        }
        if (!this.host.live()) {
          job.quiescent = true;
          this.executor.exec(step, false, job.counts);
          this.onStep?.(step, job.index, false);
          continue;
        }
      }
      this.executor.exec(step, true, job.counts);
      this.onStep?.(step, job.index, true);
    }
  }
}
