// Hand-written SVG chart of an overhead sweep: two log-log panels against the number of registered ops — overhead in
// guest instructions per call (deterministic) and in host ns per call (median ± spread) — and a legend under them.
// Works for any number of schemes: each gets a colour, each series a marker shape, and series are nudged sideways a
// little so that coinciding points stay visible.
import { schemeSummary } from '../ftrace/schemes/index.js';
import type { SweepRow } from './overhead-sweep.js';

const W = 900;
const PANEL_H = 300;
const M = { left: 78, right: 24, top: 52, gap: 64 };
const PALETTE = ['#c0392b', '#2471a3', '#1e8449', '#7d3c98', '#b9770e', '#17202a', '#d35400', '#138d75'];
const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'down', 'cross'] as const;
/** Character width estimate of the 12px sans-serif legend text, for laying it out. */
const CHAR_W = 6.6;

type Marker = (typeof MARKERS)[number];

interface Point {
  readonly n: number;
  readonly insns: number;
  readonly ns: number;
  readonly nsSpread: number;
  readonly row: SweepRow;
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed: boolean;
  readonly marker: Marker;
  readonly points: Point[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f1 = (v: number) => v.toFixed(1);

/** The series of a sweep: per scheme, "1 relevant + N-1 irrelevant" (solid) and "N relevant" (dashed). */
export function chartSeries(rows: readonly SweepRow[]): Series[] {
  const out: Omit<Series, 'marker'>[] = [];
  const schemes = [...new Set(rows.map((r) => r.scheme))];
  schemes.forEach((scheme, si) => {
    const mine = rows.filter((r) => r.scheme === scheme && r.relevant + r.irrelevant > 0);
    const color = PALETTE[si % PALETTE.length]!;
    const pt = (r: SweepRow): Point => ({ n: r.relevant + r.irrelevant, insns: r.overheadInsns, ns: r.overheadNs, nsSpread: r.overheadNsSpread, row: r });
    const oneRel = mine.filter((r) => r.relevant === 1).sort((a, b) => a.irrelevant - b.irrelevant);
    const nRel = mine.filter((r) => r.irrelevant === 0 && r.relevant !== 1).sort((a, b) => a.relevant - b.relevant);
    // the (1, 0) row starts both curves
    const start = mine.find((r) => r.relevant === 1 && r.irrelevant === 0);
    if (oneRel.length) out.push({ label: `${scheme}: 1 relevant + N-1 irrelevant ops`, color, dashed: false, points: oneRel.map(pt) });
    if (nRel.length) out.push({ label: `${scheme}: N relevant ops`, color, dashed: true, points: [...(start ? [start] : []), ...nRel].map(pt) });
    const other = mine.filter((r) => !oneRel.includes(r) && !nRel.includes(r));
    if (other.length) out.push({ label: `${scheme}: other rows`, color, dashed: true, points: other.map(pt).sort((a, b) => a.n - b.n) });
  });
  return out.map((s, i) => ({ ...s, marker: MARKERS[i % MARKERS.length]! }));
}

function markerSvg(m: Marker, x: number, y: number, color: string, hollow: boolean, title: string): string {
  const fill = hollow ? 'white' : color;
  const attrs = `fill="${fill}" stroke="${color}" stroke-width="1.5"`;
  const t = `<title>${esc(title)}</title>`;
  const r = 4;
  switch (m) {
    case 'circle':
      return `<circle cx="${f1(x)}" cy="${f1(y)}" r="${r}" ${attrs}>${t}</circle>`;
    case 'square':
      return `<rect x="${f1(x - r)}" y="${f1(y - r)}" width="${2 * r}" height="${2 * r}" ${attrs}>${t}</rect>`;
    case 'triangle':
      return `<path d="M${f1(x)},${f1(y - r - 1)} L${f1(x + r + 1)},${f1(y + r)} L${f1(x - r - 1)},${f1(y + r)} Z" ${attrs}>${t}</path>`;
    case 'down':
      return `<path d="M${f1(x)},${f1(y + r + 1)} L${f1(x + r + 1)},${f1(y - r)} L${f1(x - r - 1)},${f1(y - r)} Z" ${attrs}>${t}</path>`;
    case 'diamond':
      return `<path d="M${f1(x)},${f1(y - r - 1)} L${f1(x + r + 1)},${f1(y)} L${f1(x)},${f1(y + r + 1)} L${f1(x - r - 1)},${f1(y)} Z" ${attrs}>${t}</path>`;
    case 'cross':
      return `<path d="M${f1(x - r)},${f1(y - r)} L${f1(x + r)},${f1(y + r)} M${f1(x - r)},${f1(y + r)} L${f1(x + r)},${f1(y - r)}" fill="none" stroke="${color}" stroke-width="2">${t}</path>`;
  }
}

interface Panel {
  readonly title: string;
  readonly yLabel: string;
  readonly value: (p: Point) => number;
  readonly spread?: (p: Point) => number;
  readonly unit: string;
}

/** Decade ticks between lo and hi (log axis). */
const decades = (lo: number, hi: number): number[] => {
  const out: number[] = [];
  for (let d = 10 ** Math.floor(Math.log10(lo)); d <= hi * 1.0001; d *= 10) if (d >= lo * 0.9999) out.push(d);
  return out;
};

function panelSvg(series: readonly Series[], panel: Panel, top: number, xMax: number): string[] {
  const pw = W - M.left - M.right;
  const ph = PANEL_H;
  const positive = series.flatMap((s) => s.points.map(panel.value)).filter((v) => v > 0);
  const yMin = Math.max(0.1, Math.min(...positive, 10) / 2);
  const yMax = Math.max(10, ...series.flatMap((s) => s.points.map((p) => panel.value(p) + (panel.spread?.(p) ?? 0)))) * 1.5;
  const lx0 = Math.log10(0.8);
  const lx1 = Math.log10(xMax * 1.25);
  const sx = (x: number) => M.left + ((Math.log10(x) - lx0) / (lx1 - lx0)) * pw;
  const sy = (y: number) => top + ph - ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  const parts: string[] = [];
  parts.push(`<text x="${M.left}" y="${top - 10}" font-size="13" font-weight="bold">${esc(panel.title)}</text>`);
  for (const d of decades(yMin, yMax)) {
    const y = f1(sy(d));
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${d >= 1 ? d : d.toFixed(1)}</text>`);
  }
  for (const x of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].filter((v) => v <= xMax * 1.25)) {
    const px = f1(sx(x));
    parts.push(`<line x1="${px}" x2="${px}" y1="${top}" y2="${top + ph}" stroke="#eee"/>`);
    parts.push(`<text x="${px}" y="${top + ph + 16}" text-anchor="middle">${x}</text>`);
  }
  parts.push(`<rect x="${M.left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text transform="translate(18 ${top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(panel.yLabel)}</text>`);
  const k = series.length;
  series.forEach((s, i) => {
    // sideways nudge: series i of k shifted by up to ±4% in x, so equal values do not hide each other
    const nudge = 10 ** (0.017 * (i - (k - 1) / 2));
    const xy = s.points.map((p) => ({ p, x: sx(p.n * nudge), v: panel.value(p) }));
    const d = xy.map((q, j) => `${j ? 'L' : 'M'}${f1(q.x)},${f1(sy(q.v))}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="7 4"' : ''} opacity="0.85"/>`);
    for (const q of xy) {
      const spread = panel.spread?.(q.p) ?? 0;
      if (spread > 0) {
        const y1 = sy(q.v + spread);
        const y2 = sy(q.v - spread);
        parts.push(`<path d="M${f1(q.x)},${f1(y1)} L${f1(q.x)},${f1(y2)} M${f1(q.x - 3)},${f1(y1)} L${f1(q.x + 3)},${f1(y1)} M${f1(q.x - 3)},${f1(y2)} L${f1(q.x + 3)},${f1(y2)}" stroke="${s.color}" stroke-width="1"/>`);
      }
      const noise = !(q.v > 0) || (panel.spread !== undefined && q.p.row.noisy);
      const shown = q.v > 0 ? `${q.v.toFixed(q.v < 100 ? 2 : 0)}${spread > 0 ? ` ± ${spread.toFixed(1)}` : ''} ${panel.unit}` : 'within noise';
      const title = `${s.label}, N=${q.p.n} (${q.p.row.relevant} relevant, ${q.p.row.irrelevant} irrelevant): ${shown}${noise && q.v > 0 ? ' (noisy)' : ''}`;
      parts.push(markerSvg(s.marker, q.x, sy(q.v), s.color, noise, title));
    }
  });
  return parts;
}

/** Legend entries laid out in as many columns as fit the width; returns the SVG parts and the height used. */
function legendSvg(series: readonly Series[], top: number): { parts: string[]; height: number } {
  const entryW = Math.max(...series.map((s) => 44 + s.label.length * CHAR_W)) + 18;
  const cols = Math.max(1, Math.min(series.length, Math.floor((W - M.left - M.right) / entryW)));
  const parts: string[] = [];
  series.forEach((s, i) => {
    const x = M.left + (i % cols) * entryW;
    const y = top + Math.floor(i / cols) * 20;
    parts.push(`<line x1="${x}" x2="${x + 30}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="7 4"' : ''}/>`);
    parts.push(markerSvg(s.marker, x + 15, y, s.color, false, s.label));
    parts.push(`<text x="${x + 38}" y="${y}" dominant-baseline="middle">${esc(s.label)}</text>`);
  });
  return { parts, height: Math.ceil(series.length / cols) * 20 };
}

/** The chart as a standalone SVG document. */
export function sweepChartSvg(rows: readonly SweepRow[], title = 'ftrace-ops sample: overhead per traced call'): string {
  const series = chartSeries(rows);
  const xMax = Math.max(2, ...series.flatMap((s) => s.points.map((p) => p.n)));
  const top1 = M.top;
  const top2 = top1 + PANEL_H + M.gap;
  const axisY = top2 + PANEL_H + 38;
  const legend = legendSvg(series, axisY + 26);
  const schemes = [...new Set(rows.map((r) => r.scheme))];
  const notesTop = axisY + 26 + legend.height + 8;
  const notes = [
    ...schemes.map((s) => `${s}: ${schemeSummary(s)}`),
    'Overhead = traced minus untraced baseline (sites disabled). ns: median ± half the IQR of interleaved samples; hollow',
    'markers are within noise (not above zero, or spread above the value). Series are nudged sideways so equal values stay visible.',
  ];
  const noteLines = notes.flatMap((n) => wrap(n, Math.floor((W - M.left - M.right) / (CHAR_W * 0.92))));
  const H = notesTop + noteLines.length * 15 + 14;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${M.left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  parts.push(
    ...panelSvg(series, { title: 'Guest instructions per call (deterministic)', yLabel: 'overhead, instructions per call (log)', value: (p) => p.insns, unit: 'insns' }, top1, xMax),
  );
  parts.push(
    ...panelSvg(series, { title: 'Host time per call on this machine', yLabel: 'overhead, ns per call (log)', value: (p) => p.ns, spread: (p) => p.nsSpread, unit: 'ns' }, top2, xMax),
  );
  parts.push(`<text x="${M.left + (W - M.left - M.right) / 2}" y="${axisY}" text-anchor="middle">registered ops N (log scale)</text>`);
  parts.push(...legend.parts);
  noteLines.forEach((l, i) => parts.push(`<text x="${M.left}" y="${notesTop + i * 15}" font-size="11" fill="#444">${esc(l)}</text>`));
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** Greedy word wrap at `width` characters. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
