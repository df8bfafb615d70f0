// The reference protocol: the host parks every hart, writes the whole plan, flushes every hart's decoded text and lets them go.
import type { PatchPlan } from '../../ftrace/patch-plan.js';
import { globalSteps, insnSteps, literalSteps, publishSteps, teardownSteps, type PatchContext } from '../plan-steps.js';
import type { PatchStep } from '../steps.js';
import type { PatchProtocol } from './protocol.js';

/**
 * Host-side stop: nothing runs while the plan is written, so any plan is safe to write in any order. A hart parked
 * inside a trampoline still resumes there (like a preempted task), so frees still wait for a grace period.
 */
export class StopAllProtocol implements PatchProtocol {
  readonly name = 'stop-all';
  readonly summary = 'host pauses every hart, writes the plan, flushes every icache, resumes (reference)';
  readonly needsGuestHandlers = false;

  steps(plan: PatchPlan, ctx: PatchContext): PatchStep[] {
    return [
      ...publishSteps(plan),
      { op: 'pause-all' },
      ...globalSteps(plan, 'before-sites'),
      ...literalSteps(plan),
      ...insnSteps(plan),
      ...globalSteps(plan, 'after-sites'),
      { op: 'flush-icache', harts: 'all' },
      { op: 'resume-all' },
      ...teardownSteps(plan, ctx),
    ];
  }
}
