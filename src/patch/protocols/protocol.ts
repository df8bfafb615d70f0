// The patch-protocol interface: how a computed PatchPlan becomes a sequence of steps that lands it in code other harts run.
import type { PatchPlan } from '../../ftrace/patch-plan.js';
import type { PatchContext } from '../plan-steps.js';
import type { PatchStep } from '../steps.js';

/**
 * A way to make a plan's bytes live. The ftrace core computes the plan ("which bytes"); a protocol only decides how
 * and when they land, as data (steps) that a driver executes against running harts or a stopped machine.
 */
export interface PatchProtocol {
  readonly name: string;
  /** One line for tables and `--help`. */
  readonly summary: string;
  /** Needs the guest runtime's IPI handler (trap vector) while harts run. */
  readonly needsGuestHandlers: boolean;
  steps(plan: PatchPlan, ctx: PatchContext): PatchStep[];
}
