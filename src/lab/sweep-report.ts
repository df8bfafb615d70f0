// Text report and JSON of an overhead sweep (the shape of the published ftrace-ops tables, plus guest instruction
// counts): a legend saying what each scheme and column is, then one row per (scheme, relevant, irrelevant).
import { schemeSummary } from '../ftrace/schemes/index.js';
import type { SweepRow } from './overhead-sweep.js';

/** The overhead-ns cell: `median ± spread`, or "within noise" when the median is not above zero. */
export function formatOverheadNs(r: Pick<SweepRow, 'overheadNs' | 'overheadNsSpread'>): string {
  if (!(r.overheadNs > 0)) return `within noise (±${r.overheadNsSpread.toFixed(1)})`;
  return `${r.overheadNs.toFixed(1)} ± ${r.overheadNsSpread.toFixed(1)}`;
}

/** Lines that say what the table shows: one per scheme present, then the columns. */
export function sweepLegend(rows: readonly SweepRow[]): string {
  const schemes = [...new Set(rows.map((r) => r.scheme))];
  const w = Math.max(...schemes.map((s) => s.length));
  const counts = rows.map((r) => r.samples);
  const samples = Math.min(...counts) === Math.max(...counts) ? String(counts[0] ?? 0) : `${Math.min(...counts)}-${Math.max(...counts)}`;
  return [
    'schemes:',
    ...schemes.map((s) => `  ${s.padEnd(w)}  ${schemeSummary(s)}`),
    'columns (per call of the traced function tracee_relevant):',
    '  insns/call      guest instructions with the ops registered (deterministic)',
    '  baseline        the same loop with no ops registered: every site is disabled (auipc + nop; s390-hotpatch: one bne x0,x0)',
    '  overhead        traced minus baseline: what tracing costs per call',
    `  ns columns      host time, median ± half the interquartile range of ${samples} interleaved (traced, baseline) samples`,
    '                  per row (column n; the whole run with N calls minus the run with 0 calls, divided by N);',
    '                  "within noise" when the traced run was not slower, "noisy" when the spread exceeds the overhead',
    '',
  ].join('\n');
}

/** One row per (scheme, relevant, irrelevant): instructions and host ns per call, overhead over the untraced baseline. */
export function formatSweepTable(rows: readonly SweepRow[]): string {
  const head = ['scheme', 'rel', 'irrel', 'insns/call', 'overhead insns', 'baseline insns', 'ns/call', 'overhead ns', 'baseline ns', 'n', 'flag'];
  const body = rows.map((r) => [
    r.scheme,
    String(r.relevant),
    String(r.irrelevant),
    r.tracedInsns.toFixed(2),
    r.overheadInsns.toFixed(2),
    r.baselineInsns.toFixed(2),
    `${r.tracedNs.toFixed(1)} ± ${r.tracedNsSpread.toFixed(1)}`,
    formatOverheadNs(r),
    `${r.baselineNs.toFixed(1)} ± ${r.baselineNsSpread.toFixed(1)}`,
    String(r.samples),
    r.noisy && r.overheadNs > 0 ? 'noisy' : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const left = (i: number) => i === 0 || i === head.length - 1;
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (left(i) ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(head), rule, ...body.map(line)].join('\n') + '\n';
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
        overheadNsSpread: r.overheadNsSpread,
        noisy: r.noisy,
        baselineInsns: r.baselineInsns,
        baselineNs: r.baselineNs,
        baselineNsSpread: r.baselineNsSpread,
        tracedInsns: r.tracedInsns,
        tracedNs: r.tracedNs,
        tracedNsSpread: r.tracedNsSpread,
        tracedInstret: Number(r.tracedInstret),
        baselineInstret: Number(r.baselineInstret),
        samples: r.samples,
        calls: r.calls,
        saveRegs: r.saveRegs,
      })),
    },
    null,
    2,
  );
}
