// Text table and JSON of an overhead sweep (the shape of the published ftrace-ops tables, plus guest instruction counts).
import type { SweepRow } from './overhead-sweep.js';

/** One row per (scheme, relevant, irrelevant): instructions and host ns per call, overhead over the untraced baseline. */
export function formatSweepTable(rows: readonly SweepRow[]): string {
  const head = ['scheme', 'rel', 'irrel', 'insns/call', 'overhead insns', 'ns/call', 'overhead ns', 'baseline insns', 'baseline ns'];
  const body = rows.map((r) => [
    r.scheme,
    String(r.relevant),
    String(r.irrelevant),
    r.tracedInsns.toFixed(2),
    r.overheadInsns.toFixed(2),
    r.tracedNs.toFixed(1),
    r.overheadNs.toFixed(1),
    r.baselineInsns.toFixed(2),
    r.baselineNs.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w, i) => (i < 1 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...body.map(line)].join('\n') + '\n';
}

/** `{"rows": [...]}` with the fields the CLI documents (bigints as numbers). */
export function sweepJson(rows: readonly SweepRow[], meta: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      ...meta,
      rows: rows.map((r) => ({
        scheme: r.scheme,
        relevant: r.relevant,
        irrelevant: r.irrelevant,
        overheadInsns: r.overheadInsns,
        overheadNs: r.overheadNs,
        baselineInsns: r.baselineInsns,
        baselineNs: r.baselineNs,
        tracedInsns: r.tracedInsns,
        tracedNs: r.tracedNs,
        tracedInstret: Number(r.tracedInstret),
        baselineInstret: Number(r.baselineInstret),
        calls: r.calls,
        saveRegs: r.saveRegs,
      })),
    },
    null,
    2,
  );
}
