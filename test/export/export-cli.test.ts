// trace --output/--format (text, json, perfetto) and report: a 4-hart live-patching run exported for Perfetto and
// checked against the Chrome Trace Event rules, byte-identical deterministic exports, report totals, bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromeTraceProblems } from './chrome-trace-rules.js';

const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'ftl-export-'));
const bin = (name: string) => join('test/fixtures/bin', name);

function ftl(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, first: r.stderr.split('\n')[0]! };
}

const LIVE = ['trace', '--kernel', '60', '--harts', '4', '--passes', '120', '--tracer', 'function_graph', '--enable-at', '20000', '--protocol', 'breakpoint', '--seed', '3'];

describe('trace --format perfetto: a 4-hart live-patching run', () => {
  const out = join(tmp, 'live.json');
  const r = ftl(...LIVE, '--format', 'perfetto', '--output', out);
  const text = readFileSync(out, 'utf8');
  const { problems, events } = chromeTraceProblems(text);

  it('exits 0 and follows the Chrome Trace Event rules', () => {
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(''); // the trace went to the file
    expect(problems).toEqual([]);
  });

  it('one process, one named track per hart plus the patch-protocol track', () => {
    expect(new Set(events.map((e) => e.pid))).toEqual(new Set([1]));
    const threads = events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, e.args!.name]);
    expect(threads).toEqual([[0, 'hart 0'], [1, 'hart 1'], [2, 'hart 2'], [3, 'hart 3'], [1000, 'patch protocol (breakpoint)']]);
    for (let h = 0; h < 4; h++) expect(events.filter((e) => e.tid === h && e.ph === 'X' && e.cat === 'function_graph').length).toBeGreaterThan(100);
  });

  it('the patch lands across harts: protocol steps, then IPI flows to every hart, graph slices only after them', () => {
    const steps = events.filter((e) => e.tid === 1000);
    expect(steps.length).toBeGreaterThan(10);
    for (let h = 0; h < 4; h++) {
      const ipi = events.filter((e) => e.tid === h && e.cat === 'patch' && e.ph === 'X' && e.name!.startsWith('ipi'));
      expect(ipi.length).toBeGreaterThan(0);
      const firstSlice = events.find((e) => e.tid === h && e.cat === 'function_graph')!;
      expect(firstSlice.ts!).toBeGreaterThan(ipi[0]!.ts!); // nothing is graphed before the first breakpoint-protocol IPI reached it
    }
    expect(events.filter((e) => e.ph === 's').length).toBe(events.filter((e) => e.ph === 'f').length);
  });

  it('report summarises it: calls per function add up to the slices, per-hart columns add up to the calls', () => {
    const rep = ftl('report', out);
    expect(rep.status).toBe(0);
    const lines = rep.stdout.split('\n');
    expect(lines[2]).toMatch(/^ {2}Total time {3}Self time {4}Avg time {7}Calls {7}hart0 {7}hart1 {7}hart2 {7}hart3 {2}Function$/);
    const rows = lines.slice(4).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/));
    const slices = events.filter((e) => e.ph === 'X' && e.cat === 'function_graph');
    let calls = 0;
    for (const row of rows) {
      const [c, h0, h1, h2, h3] = row.slice(6, 11).map(Number);
      expect(h0! + h1! + h2! + h3!).toBe(c);
      expect(slices.filter((s) => s.name === row[11]).length).toBe(c);
      calls += c!;
    }
    expect(calls).toBe(slices.length);
    // sorted by total time, descending
    const totals = rows.map((row) => Number(row[0]) * { us: 1, ms: 1e3, s: 1e6 }[row[1]!]!);
    for (let i = 1; i < totals.length; i++) expect(totals[i]!).toBeLessThanOrEqual(totals[i - 1]! + 0.001);
  });
});

describe('exports are deterministic and agree with each other', () => {
  it('two runs with the same seed give byte-identical text and JSON exports', () => {
    const SHORT = LIVE.map((w) => (w === '120' ? '60' : w)); // fewer passes: the patch lands on some harts only
    const a = ftl(...SHORT);
    const b = ftl(...SHORT);
    expect(a.status).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(10_000);
    expect(b.stdout).toBe(a.stdout);
    const ja = join(tmp, 'a.json');
    const jb = join(tmp, 'b.json');
    expect(ftl(...SHORT, '--format', 'json', '--output', ja).status).toBe(0);
    expect(ftl(...SHORT, '--format', 'json', '--output', jb).status).toBe(0);
    expect(readFileSync(jb)).toEqual(readFileSync(ja));
    // the JSON export's graph returns are the text's closing lines
    const doc = JSON.parse(readFileSync(ja, 'utf8')) as { events: { type: string }[] };
    const rets = doc.events.filter((e) => e.type === 'graph_return').length;
    const closing = a.stdout.split('\n').filter((l) => /us +\|\s+(\}|\w+\(\);)/.test(l)).length;
    expect(closing).toBe(rets);
  });

  it('report of a JSON export on the calls fixture: chain8 is a leaf (self = total), 5000 calls each', () => {
    const f = join(tmp, 'calls.json');
    expect(ftl('trace', '--tracer', 'function_graph', '-l', 'chain*', '--format', 'json', '--output', f, bin('calls.rv64imac.elf')).status).toBe(0);
    const rep = ftl('report', '-s', 'name', f);
    expect(rep.status).toBe(0);
    const rows = rep.stdout.split('\n').slice(4).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => r[r.length - 1])).toEqual(['chain1', 'chain2', 'chain3', 'chain4', 'chain5', 'chain6', 'chain7', 'chain8']);
    for (const r of rows) expect(r[6]).toBe('5000');
    const chain8 = rows[7]!;
    expect(chain8.slice(0, 2)).toEqual(chain8.slice(2, 4)); // total == self
  });
});

describe('bad input', () => {
  it('--format unknown: exit 64', () => {
    const r = ftl('trace', '--format', 'svg', bin('hello.rv64imac.elf'));
    expect(r.status).toBe(64);
    expect(r.first).toBe("ftrace-lab trace: --format: expected one of text, json, perfetto, got 'svg'");
  });
  it('unwritable --output: exit 65 naming the file, before the run', () => {
    const r = ftl('trace', '--output', '/nonexistent-dir/x.json', bin('hello.rv64imac.elf'));
    expect(r.status).toBe(65);
    expect(r.first).toBe("ftrace-lab trace: cannot write '/nonexistent-dir/x.json': no such file or directory");
    expect(r.stderr).not.toMatch(/hello/); // the guest never ran
  });
  it('report on a non-trace file: exit 65; missing file: exit 65; no file: exit 64', () => {
    const junk = join(tmp, 'junk.json');
    writeFileSync(junk, '{"hello": 1}');
    expect(ftl('report', junk)).toMatchObject({ status: 65 });
    expect(ftl('report', junk).first).toMatch(/is not a trace export/);
    expect(ftl('report', bin('hello.rv64imac.elf')).first).toMatch(/not JSON/);
    expect(ftl('report', join(tmp, 'none.json')).status).toBe(65);
    expect(ftl('report').status).toBe(64);
  });
  it('graph options without function_graph: exit 64', () => {
    expect(ftl('trace', '-g', 'main', bin('hello.rv64imac.elf')).status).toBe(64);
  });
});
