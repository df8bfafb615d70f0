// Hand-written SVG chart of an overhead sweep: overhead (guest instructions per call) against the number of ops, log-log.
import type { SweepRow } from './overhead-sweep.js';

const W = 760;
const H = 460;
const M = { left: 70, right: 220, top: 40, bottom: 56 };
const COLORS: Record<string, string> = { list: '#c0392b', callops: '#2471a3' };

interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed: boolean;
  readonly points: { x: number; y: number }[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function seriesOf(rows: readonly SweepRow[]): Series[] {
  const out: Series[] = [];
  for (const scheme of [...new Set(rows.map((r) => r.scheme))]) {
    const mine = rows.filter((r) => r.scheme === scheme);
    const color = COLORS[scheme] ?? '#555';
    const oneRel = mine.filter((r) => r.relevant === 1).sort((a, b) => a.irrelevant - b.irrelevant);
    const nRel = mine.filter((r) => r.irrelevant === 0).sort((a, b) => a.relevant - b.relevant);
    const pt = (r: SweepRow) => ({ x: r.relevant + r.irrelevant, y: Math.max(r.overheadInsns, 0.5) });
    if (oneRel.length) out.push({ label: `${scheme}: 1 relevant + N-1 irrelevant`, color, dashed: false, points: oneRel.map(pt) });
    if (nRel.length) out.push({ label: `${scheme}: N relevant`, color, dashed: true, points: nRel.map(pt) });
  }
  return out;
}

/** The chart as a standalone SVG document. */
export function sweepChartSvg(rows: readonly SweepRow[], title = 'ftrace-ops overhead per traced call'): string {
  const series = seriesOf(rows);
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xMax = Math.max(2, ...xs);
  const yMin = Math.max(0.5, Math.min(...ys, 10) / 2);
  const yMax = Math.max(10, ...ys) * 1.5;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (Math.log10(x) / Math.log10(xMax * 1.2)) * pw;
  const sy = (y: number) => M.top + ph - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${M.left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  // grid + ticks (decades)
  for (let d = 10 ** Math.floor(Math.log10(yMin)); d <= yMax; d *= 10) {
    if (d < yMin) continue;
    const y = sy(d).toFixed(1);
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${d}</text>`);
  }
  for (const x of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].filter((v) => v <= xMax * 1.2)) {
    const px = sx(x).toFixed(1);
    parts.push(`<line x1="${px}" x2="${px}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/>`);
    parts.push(`<text x="${px}" y="${M.top + ph + 16}" text-anchor="middle">${x}</text>`);
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle">registered ops N (log scale)</text>`);
  parts.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">overhead, guest instructions per call (log)</text>`);
  series.forEach((s, i) => {
    const d = s.points.map((p, k) => `${k ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const p of s.points) parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${s.color}"><title>N=${p.x}: ${p.y.toFixed(2)} insns</title></circle>`);
    const ly = M.top + 10 + i * 20;
    const lx = M.left + pw + 14;
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${lx + 30}" y="${ly}" dominant-baseline="middle">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
