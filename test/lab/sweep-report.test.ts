// The overhead report a newcomer reads: legend lines, medians with spread, "within noise" instead of negative ns,
// noisy rows flagged, a chart with two panels whose legend fits and whose coinciding series stay distinguishable.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressLine, runBench } from '../../src/cli/bench.js';
import { medianSpread, type SweepRow } from '../../src/lab/overhead-sweep.js';
import { chartSeries, sweepChartSvg } from '../../src/lab/sweep-chart.js';
import { formatOverheadNs, formatSweepTable, sweepLegend } from '../../src/lab/sweep-report.js';
import { capture } from '../capture-output.js';

afterEach(() => vi.restoreAllMocks());

function row(scheme: string, relevant: number, irrelevant: number, insns: number, ns: number, spread: number): SweepRow {
  return {
    scheme: scheme as SweepRow['scheme'], relevant, irrelevant, saveRegs: false, calls: 1000,
    tracedInsns: insns + 8, baselineInsns: 8, overheadInsns: insns, tracedInstret: BigInt((insns + 8) * 1000), baselineInstret: 8000n,
    tracedNs: ns + 15, baselineNs: 15, overheadNs: ns, tracedNsSpread: spread, baselineNsSpread: 1, overheadNsSpread: spread,
    samples: 6, noisy: ns <= 0 || spread >= ns,
  };
}

const SWEEP = [
  row('list', 1, 0, 112, 330, 10), row('list', 1, 1, 142, 400, 12), row('list', 0, 0, 0, -3.5, 2),
  row('callops', 1, 0, 41, 100, 150), row('callops', 1, 1, 41, 100, 4),
];

describe('sweep report', () => {
  it('median and spread: half the interquartile range', () => {
    expect(medianSpread([1, 2, 3, 4, 5])).toEqual({ median: 3, spread: 1 });
    expect(medianSpread([10, 10, 10, 10])).toEqual({ median: 10, spread: 0 });
  });

  it('never prints a negative overhead as a value', () => {
    expect(formatOverheadNs({ overheadNs: -3.5, overheadNsSpread: 2 })).toBe('within noise (±2.0)');
    expect(formatOverheadNs({ overheadNs: 0, overheadNsSpread: 0 })).toBe('within noise (±0.0)');
    expect(formatOverheadNs({ overheadNs: 330, overheadNsSpread: 10 })).toBe('330.0 ± 10.0');
    const table = formatSweepTable(SWEEP);
    expect(table).not.toMatch(/\| +-\d/); // no cell starts with a minus sign
    expect(table).toMatch(/\| list +\| +0 \| +0 \|.*within noise \(±2\.0\)/);
  });

  it('flags rows whose spread exceeds their difference', () => {
    const lines = formatSweepTable(SWEEP).trim().split('\n');
    const flagged = lines.filter((l) => /\| noisy \|$/.test(l));
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatch(/^\| callops +\| +1 \| +0 \|/);
  });

  it('says in one line per scheme what the scheme is, and what baseline and overhead mean', () => {
    const legend = sweepLegend(SWEEP);
    expect(legend).toMatch(/^ {2}list +RISC-V 6.16 without CALL_OPS: .+list func/m);
    expect(legend).toMatch(/^ {2}callops +RISC-V 6.16 with CALL_OPS: /m);
    expect(legend).toMatch(/^ {2}baseline +the same loop with no ops registered/m);
    expect(legend).toMatch(/^ {2}overhead +traced minus baseline/m);
    expect(sweepLegend([row('futuristic', 1, 0, 5, 5, 1)])).toMatch(/futuristic +call-site scheme 'futuristic'/);
  });

  it('progress: a counter line on a terminal, nothing when stderr is not one', async () => {
    expect(progressLine(3, 20, { scheme: 'list', relevant: 1, irrelevant: 2 }, 4.24)).toBe('[####--------------------] 3/20 rows  list (1,2)  4.2 s');
    const args = { calls: 50, rows: [[1, 0] as const, [1, 1] as const], saveRegs: false, schemes: ['callops' as const], repeats: 2, out: null, json: true };
    let io = capture();
    await runBench({ ...args }, true);
    expect(io.err()).toMatch(/\r\x1b\[K\[#+-*\] 1\/2 rows {2}callops \(1,0\)/);
    expect(io.err()).toMatch(/2\/2 rows {2}callops \(1,1\) {2}[\d.]+ s\n$/);
    vi.restoreAllMocks();
    io = capture();
    await runBench({ ...args }, false);
    expect(io.err()).toBe('');
    const json = JSON.parse(io.out()) as { rows: { samples: number; overheadNsSpread: number; noisy: boolean }[] };
    for (const r of json.rows) {
      expect(r.samples).toBeGreaterThanOrEqual(2);
      expect(r.samples % 2).toBe(0); // interleaved in ABBA pairs
      expect(typeof r.overheadNsSpread).toBe('number');
      expect(typeof r.noisy).toBe('boolean');
    }
  });
});

describe('sweep chart', () => {
  it('has a second panel with ns per call and a legend that fits the width, for any number of schemes', () => {
    const rows = ['list', 'callops', 'direct', 'hotpatch', 'static-key'].flatMap((s, i) => [
      row(s, 1, 0, 40 + i, 100, 5), row(s, 1, 10, 40 + i, 100, 5), row(s, 10, 0, 400, 900, 30),
    ]);
    const svg = sweepChartSvg(rows);
    expect(svg).toContain('Guest instructions per call');
    expect(svg).toContain('Host time per call');
    expect(svg).toContain('overhead, ns per call (log)');
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    // every legend label ends inside the picture (6.6 px per character at 12 px is an upper estimate)
    for (const m of svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" dominant-baseline="middle">([^<]+)<\/text>/g)) {
      expect(Number(m[1]) + m[2]!.length * 6.6).toBeLessThanOrEqual(width);
    }
    const series = chartSeries(rows);
    expect(series).toHaveLength(10);
    expect(new Set(series.map((s) => `${s.color}/${s.marker}/${s.dashed}`)).size).toBe(10); // all distinguishable
  });

  it('coinciding series are drawn side by side, not on top of each other', () => {
    const rows = [row('a', 1, 0, 41, 100, 1), row('a', 1, 1, 41, 100, 1), row('b', 1, 0, 41, 100, 1), row('b', 1, 1, 41, 100, 1)];
    const svg = sweepChartSvg(rows);
    const firstPanel = svg.slice(0, svg.indexOf('Host time per call'));
    const xs = [...firstPanel.matchAll(/<(?:circle cx|rect x|path d="M)="?([\d.]+)/g)].map((m) => Number(m[1]));
    expect(new Set(xs).size).toBeGreaterThan(2);
    // a within-noise point is drawn hollow, not at a made-up value
    const noisy = sweepChartSvg([row('a', 1, 0, 41, -2, 1), row('a', 1, 1, 41, 5, 1)]);
    expect(noisy).toMatch(/fill="white"[^>]*><title>[^<]*within noise/);
  });
});
