// CLI verbs `trace` and `bench`: trace lines, count tracer, dry-run plans, ELF fixtures, sweep JSON/SVG files, usage errors.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main as benchMain, parseBenchArgs } from '../../src/cli/bench.js';
import { EXIT_USAGE } from '../../src/cli/exit-codes.js';
import { main as traceMain } from '../../src/cli/trace.js';
import { capture } from '../capture-output.js';
import { SCHEME_NAMES } from '../../src/ftrace/index.js';


afterEach(() => vi.restoreAllMocks());

const EVENT = /^ +hart-(\d+)-\d+ +\[(\d{3})\] \.\.\.\.\. +\d+\.\d{6}: (\S+) <-(\S+)$/;
const events = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

describe('ftrace-lab trace', () => {
  it('--kernel: one line per call of the selected functions, ending ": func <-parent"', async () => {
    const io = capture();
    expect(await traceMain(['--kernel', '20', '-l', 'tracee_*', '--sample-calls', '5', '--harts', '2'])).toBe(0);
    const lines = events(io.out());
    expect(io.out()).toContain('# tracer: function');
    expect(lines).toHaveLength(5);
    for (const l of lines) {
      const m = EVENT.exec(l);
      expect(m, l).not.toBeNull();
      expect(m![3]).toBe('tracee_relevant');
      expect(m![4]).toBe('ftrace_ops_sample_run');
    }
  });

  it('-p count prints hits per function; -n excludes', async () => {
    const io = capture();
    expect(await traceMain(['--kernel', '20', '-p', 'count', '-n', 'kfunc_*', '--sample-calls', '9', '--scheme', 'list'])).toBe(0);
    expect(io.out()).toMatch(/^ {2}tracee_relevant +9$/m);
    expect(io.out()).not.toMatch(/kfunc_/);
  });

  it('--dry-run prints the plan, one write per line with old -> new bytes', async () => {
    const io = capture();
    expect(await traceMain(['--kernel', '20', '-l', 'tracee_relevant', '--dry-run'])).toBe(0);
    const lines = io.out().trim().split('\n');
    const insn = lines.find((l) => / tracee_relevant +insn +13 00 00 00 -> [0-9a-f]{2}( [0-9a-f]{2}){3}$/.test(l));
    expect(insn, io.out()).toBeDefined();
    expect(lines.some((l) => / tracee_relevant +literal /.test(l))).toBe(true);
    expect(events(io.out()).every((l) => !EVENT.test(l))).toBe(true); // nothing ran
  });

  it('traces a GCC fixture ELF (runtime placed above its segments); the program still exits normally', async () => {
    const io = capture();
    const elf = join('test', 'fixtures', 'bin', 'calls.rv64imac.elf');
    expect(await traceMain([elf, '-l', 'chain*'])).toBe(0);
    const lines = events(io.out());
    expect(lines.length).toBeGreaterThan(8);
    const first = lines.map((l) => EVENT.exec(l)!).filter((m) => m[3] === 'chain2');
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((m) => m[4] === 'chain1')).toBe(true);
  });

  it('usage errors exit 64 with one line and a pointer to --help; a filter that matches nothing exits 65', async () => {
    const io = capture();
    expect(await traceMain([])).toBe(EXIT_USAGE);
    expect(await traceMain(['--kernel', '5', '-p', 'wakeup'])).toBe(EXIT_USAGE);
    expect(io.err().split('\n').slice(2, 4)).toEqual(["ftrace-lab trace: -p: expected one of function, function_graph, count, got 'wakeup'", "Run 'ftrace-lab trace --help' for the options."]);
    expect(io.err()).not.toContain('usage:');
    expect(await traceMain(['--kernel', '5', '-l', 'no_such_fn'])).toBe(65);
    expect(io.err()).toMatch(/ftrace-lab trace: .*no_such_fn/);
  });
});

describe('ftrace-lab bench', () => {
  it('defaults to 100,000 calls and the published rows for both schemes', () => {
    const a = parseBenchArgs([]);
    expect(a).not.toBe('help');
    if (a === 'help') return;
    expect(a.calls).toBe(100_000);
    expect(a.rows).toHaveLength(10);
    expect(a.schemes).toEqual([...SCHEME_NAMES]); // every registered scheme
    const regs = parseBenchArgs(['--save-regs']);
    if (regs !== 'help') expect(regs.schemes).toEqual(['riscv-legacy']); // the only one with ftrace_regs_caller
  });

  it('--json prints rows with the documented fields and writes results.json + overhead.svg', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftrace-bench-'));
    const io = capture();
    expect(await benchMain(['--calls', '20', '--repeats', '1', '--relevant', '1', '--irrelevant', '3', '--json', '--out', dir])).toBe(0);
    const json = JSON.parse(io.out()) as { rows: Record<string, unknown>[] };
    expect(json.rows).toHaveLength(SCHEME_NAMES.length);
    for (const r of json.rows) {
      for (const k of ['scheme', 'relevant', 'irrelevant', 'overheadInsns', 'overheadNs', 'baselineInsns']) expect(r).toHaveProperty(k);
      expect(r['relevant']).toBe(1);
      expect(r['irrelevant']).toBe(3);
    }
    const list = json.rows.find((r) => r['scheme'] === 'list')!;
    const callops = json.rows.find((r) => r['scheme'] === 'callops')!;
    expect(list['overheadInsns'] as number).toBeGreaterThan(callops['overheadInsns'] as number);
    expect(existsSync(join(dir, 'results.json'))).toBe(true);
    const svg = readFileSync(join(dir, 'overhead.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('list: 1 relevant');
    expect(svg).toContain('callops: 1 relevant');
  });

  it('bad options exit 64', async () => {
    capture();
    expect(await benchMain(['--calls', '0'])).toBe(EXIT_USAGE);
    expect(await benchMain(['--scheme', 'x86'])).toBe(EXIT_USAGE);
    expect(await benchMain(['--bogus'])).toBe(EXIT_USAGE);
  });
});
