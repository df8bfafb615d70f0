// uPlot charts of an overhead sweep: per-call overhead against the number of ops, one series per (scheme, sweep shape).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { SCHEME_NAMES } from '../../src/ftrace/schemes/index.js';
import type { SweepRow } from '../../src/lab/overhead-sweep.js';

const COLORS = ['#c0392b', '#2471a3', '#1e8449', '#7d3c98', '#b9770e', '#566573', '#d35400', '#138d75'];

interface Shape {
  readonly label: string;
  readonly pick: (r: SweepRow) => boolean;
  readonly dash: number[] | undefined;
}

/** The two shapes of the published tables: 1 relevant + N-1 irrelevant, and N relevant. */
const SHAPES: readonly Shape[] = [
  { label: '1 relevant + N-1 irrelevant', pick: (r) => r.relevant === 1, dash: undefined },
  { label: 'N relevant', pick: (r) => r.irrelevant === 0, dash: [6, 4] },
];

/** x = number of ops, one y column per series (null where that series has no row). */
export function chartData(rows: readonly SweepRow[], y: (r: SweepRow) => number): { xs: number[]; series: { label: string; scheme: string; dash?: number[]; ys: (number | null)[] }[] } {
  const xs = [...new Set(rows.map((r) => r.relevant + r.irrelevant))].filter((n) => n > 0).sort((a, b) => a - b);
  const series = [];
  for (const scheme of [...new Set(rows.map((r) => r.scheme))]) {
    for (const shape of SHAPES) {
      const mine = rows.filter((r) => r.scheme === scheme && shape.pick(r));
      if (mine.length === 0) continue;
      const byX = new Map(mine.map((r) => [r.relevant + r.irrelevant, y(r)]));
      series.push({
        label: `${scheme}: ${shape.label}`,
        scheme,
        ...(shape.dash ? { dash: shape.dash } : {}),
        ys: xs.map((x) => {
          const v = byX.get(x);
          return v !== undefined && v > 0 ? v : null; // log scale: no points at or below zero
        }),
      });
    }
  }
  return { xs, series };
}

/** Draws (or redraws) a log-log chart into `host`, as wide as the host. */
export function drawChart(host: HTMLElement, rows: readonly SweepRow[], y: (r: SweepRow) => number, yLabel: string): uPlot | null {
  host.replaceChildren();
  const { xs, series } = chartData(rows, y);
  if (xs.length === 0) return null;
  // One colour per scheme, fixed by its place in the library's scheme list (list red, callops blue, ...).
  const colour = (scheme: string) => COLORS[Math.max(0, SCHEME_NAMES.indexOf(scheme)) % COLORS.length];
  const opts: uPlot.Options = {
    width: Math.max(300, host.clientWidth || 480),
    height: 280,
    scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
    legend: { live: false },
    axes: [{ label: 'registered ops N' }, { label: yLabel, size: 60 }],
    series: [
      { label: 'N' },
      ...series.map((s) => ({
        label: s.label,
        stroke: colour(s.scheme),
        width: 2,
        spanGaps: true,
        points: { show: true, size: 6 },
        ...(s.dash ? { dash: s.dash } : {}),
      })),
    ],
  };
  return new uPlot(opts, [xs, ...series.map((s) => s.ys)] as uPlot.AlignedData, host);
}
