// The simplest patch protocol: stop every hart, write the whole plan (old bytes verified), flush every hart's icache, resume.
import { applyPlanStopped, planWriteOrder, type PatchPlan } from '../ftrace/patch-plan.js';
import type { PatchableMachine, PatchProtocol, PatchReport } from './protocol.js';

/**
 * Host-side stop_machine: all harts parked at instruction boundaries, the plan applied in its order with every
 * `old` checked first (nothing is written on a mismatch), then a fence.i equivalent on every hart — without it the
 * engine's decode cache would keep running the old instructions — and the harts resumed.
 */
export class StopAllApply implements PatchProtocol {
  readonly name = 'stop-all';

  async apply(plan: PatchPlan, machine: PatchableMachine): Promise<PatchReport> {
    const t0 = performance.now();
    await machine.stopAll();
    try {
      applyPlanStopped(plan, machine.text);
      for (let h = 0; h < machine.hartCount; h++) machine.flushIcache(h);
    } finally {
      machine.resumeAll();
    }
    return {
      protocol: this.name,
      writes: planWriteOrder(plan).length,
      flushedHarts: machine.hartCount,
      stoppedMs: performance.now() - t0,
    };
  }
}
