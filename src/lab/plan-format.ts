// Text form of a patch plan for `trace --dry-run`: one line per write (address, what, kind, old bytes -> new bytes).
import { planWriteOrder, type PatchPlan } from '../ftrace/patch-plan.js';

function hexBytes(b: Uint8Array | null): string {
  if (b === null) return '(new)';
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}

export interface PlanLine {
  readonly addr: number;
  readonly what: string;
  readonly kind: string;
  readonly old: Uint8Array | null;
  readonly new: Uint8Array;
}

/** The writes of a plan in application order, labelled by section of the plan. */
export function planLines(plan: PatchPlan): PlanLine[] {
  const lines: PlanLine[] = [];
  const order = planWriteOrder(plan);
  let i = 0;
  const take = (n: number, kind: (k: number) => string) => {
    for (let k = 0; k < n; k++, i++) {
      const w = order[i]!;
      lines.push({ addr: w.addr, what: w.what, kind: kind(k), old: w.old, new: w.new });
    }
  };
  const before = plan.globals.filter((g) => g.phase === 'before-sites').length;
  take(plan.data.length, () => 'data');
  take(plan.links.length, () => 'link');
  take(before, () => 'global');
  take(plan.sites.length, (k) => plan.sites[k]!.kind);
  take(plan.globals.length - before, () => 'global');
  return lines;
}

export function formatPlanLine(l: PlanLine): string {
  const what = l.kind === 'insn' || l.kind === 'literal' ? l.what.replace(/ (insn|literal)$/, '') : l.what;
  return `0x${l.addr.toString(16).padStart(16, '0')}  ${what.padEnd(28)} ${l.kind.padEnd(7)} ${hexBytes(l.old)} -> ${hexBytes(l.new)}`;
}

/** Every write of the plan, one per line; data writes (fresh ops/hash memory) are summarised by size. */
export function formatPlan(plan: PatchPlan): string {
  return planLines(plan)
    .map((l) => (l.kind === 'data' ? `0x${l.addr.toString(16).padStart(16, '0')}  ${l.what.padEnd(28)} data    ${l.new.length} bytes` : formatPlanLine(l)))
    .join('\n') + '\n';
}
