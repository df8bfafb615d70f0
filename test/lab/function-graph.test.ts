// function_graph on the GCC `calls` fixture: return hooking through return_to_handler, call trees equal to the
// program's, durations from the instruction clock, depth limit, set_graph_function / set_graph_notrace, overruns.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FtraceLabError } from '../../src/errors.js';
import { Lab, type LabTraceEvent } from '../../src/lab/index.js';
import { formatFunctionGraph } from '../../src/tracefs/graph-format.js';
import { expectedStdout, fixturePath, loadFixtureRuns } from '../fixtures/manifest.js';

const CALLS = readFileSync(fixturePath('bin/calls.rv64imac.elf'));
const CALLS_IMA = readFileSync(fixturePath('bin/calls.rv64ima.elf'));
const callsStdout = expectedStdout(loadFixtureRuns().find((r) => r.elfs.some((e) => e.includes('calls.rv64imac')))!);

async function graphRun(reg: Parameters<Lab['ftrace']['register']>[0], opts: { scheme?: 'list' | 'callops'; elf?: Uint8Array; withFunction?: boolean } = {}) {
  const lab = await Lab.create({ elf: opts.elf ?? CALLS, scheme: opts.scheme ?? 'callops', bufferSizeKb: 2048 });
  await lab.ftrace.register({ tracer: 'function_graph', ...reg });
  if (opts.withFunction) await lab.ftrace.register({ tracer: 'function', ...(reg.filter ? { filter: reg.filter } : {}) });
  const r = await lab.run({ maxInsns: 3e8 });
  expect(r.reason).toBe('halted');
  expect(r.exitCode).toBe(0);
  expect(lab.machine.takeUartOutput()).toBe(callsStdout); // hooked returns land where they should
  const evs = lab.trace.drain();
  expect(lab.trace.lost().perHart).toEqual([0]);
  return { lab, evs, graph: evs.filter((e) => e.kind !== 'function'), fn: evs.filter((e) => e.kind === 'function') };
}

/** Replays entries/returns with a stack; returns caller -> callee counts and checks every return closes the newest entry. */
function callTree(graph: readonly LabTraceEvent[]): Map<string, number> {
  const stack: LabTraceEvent[] = [];
  const edges = new Map<string, number>();
  for (const e of graph) {
    if (e.kind === 'graph_entry') {
      expect(e.depth).toBe(stack.length);
      const parent = stack[stack.length - 1]?.symbol ?? '-';
      edges.set(`${parent}>${e.symbol}`, (edges.get(`${parent}>${e.symbol}`) ?? 0) + 1);
      stack.push(e);
    } else {
      const open = stack.pop()!;
      expect(e.ip).toBe(open.ip);
      expect(e.depth).toBe(stack.length);
      expect(e.callTimestamp).toBe(open.timestamp); // calltime saved on the shadow stack at entry
      expect(e.timestamp > open.timestamp).toBe(true);
      expect(e.ns - e.callNs!).toBe(Number(e.timestamp - open.timestamp)); // 1 GHz: duration = instruction difference
    }
  }
  return edges;
}

describe('function_graph on the calls fixture', () => {
  for (const scheme of ['callops', 'list'] as const) {
    it(`${scheme}: the chain's tree and counts are the program's, and equal the function tracer's counts`, async () => {
      const { graph, fn } = await graphRun({ filter: ['chain*', 'main'] }, { scheme, withFunction: true });
      const edges = callTree(graph);
      expect(edges.get('->main')).toBe(1);
      expect(edges.get('main>chain1')).toBe(5000); // run_chain(5000) was inlined into main
      for (let n = 2; n <= 8; n++) expect(edges.get(`chain${n - 1}>chain${n}`)).toBe(5000);
      expect(edges.size).toBe(9);
      const entries = new Map<string, number>();
      for (const e of graph) if (e.kind === 'graph_entry') entries.set(e.symbol, (entries.get(e.symbol) ?? 0) + 1);
      const calls = new Map<string, number>();
      for (const e of fn) calls.set(e.symbol, (calls.get(e.symbol) ?? 0) + 1);
      expect(entries).toEqual(calls);
    });
  }

  it('rv64ima build (4-byte nops) works the same', async () => {
    const { graph } = await graphRun({ filter: 'chain*' }, { elf: CALLS_IMA });
    const edges = callTree(graph);
    expect(edges.get('->chain1')).toBe(5000);
    expect(edges.get('chain7>chain8')).toBe(5000);
  });

  it('every function: deep recursion overruns the 50-frame stack, counted, and the program still runs right', async () => {
    const { lab, graph, fn } = await graphRun({}, { withFunction: true });
    expect(lab.ftrace.graph.task(0).overrun).toBeGreaterThan(0);
    callTree(graph);
    const rets = graph.filter((e) => e.kind === 'graph_return');
    expect(graph.reduce((m, e) => Math.max(m, e.depth!), 0)).toBe(49);
    expect(rets[rets.length - 1]!.overrun).toBe(lab.ftrace.graph.task(0).overrun);
    // fib recursion stays within 25 frames: every call is graphed (GCC turned one of its two recursive calls into a loop)
    const fibs = fn.filter((e) => e.symbol === 'fib').length;
    expect(fibs).toBe(75025);
    expect(graph.filter((e) => e.kind === 'graph_entry' && e.symbol === 'fib')).toHaveLength(fibs);
    // ackermann(3,4) and is_even/is_odd(1001) recurse deeper than 50: graphed + unhooked (overrun) calls = all calls
    const entries = graph.filter((e) => e.kind === 'graph_entry');
    expect(fn.length - entries.length).toBe(lab.ftrace.graph.task(0).overrun);
    expect(entries.filter((e) => e.symbol === 'ackermann').length).toBeLessThan(fn.filter((e) => e.symbol === 'ackermann').length);
    expect(lab.ftrace.graph.dead).toBe(false);
  });

  it('max_graph_depth 1 records only outermost calls', async () => {
    const { graph } = await graphRun({ filter: 'chain*', maxGraphDepth: 1 });
    expect(graph.every((e) => e.depth === 0 && e.symbol === 'chain1')).toBe(true);
    expect(graph).toHaveLength(10000);
  });

  it('set_graph_function graphs only that function and its callees; depth counts from it', async () => {
    const { graph } = await graphRun({ filter: 'chain*', graphFunction: 'chain4' });
    const names = new Set(graph.map((e) => e.symbol));
    expect([...names].sort()).toEqual(['chain4', 'chain5', 'chain6', 'chain7', 'chain8']);
    expect(graph.find((e) => e.symbol === 'chain4')!.depth).toBe(0);
    expect(callTree(graph).get('chain4>chain5')).toBe(5000);
  });

  it('set_graph_notrace hides the function and everything below it; its caller becomes a leaf', async () => {
    const { lab, graph } = await graphRun({ filter: 'chain*', graphNotrace: 'chain6' });
    expect(new Set(graph.map((e) => e.symbol))).toEqual(new Set(['chain1', 'chain2', 'chain3', 'chain4', 'chain5']));
    const text = formatFunctionGraph(graph, { cpus: 1 });
    expect(text).toMatch(/\|\s{10}chain5\(\);\n/);
    void lab;
  });

  it('one graph tracer at a time; bad graph options are typed errors', async () => {
    const lab = await Lab.create({ elf: CALLS });
    await lab.ftrace.register({ tracer: 'function_graph', filter: 'chain1' });
    await expect(lab.ftrace.register({ tracer: 'function_graph' })).rejects.toMatchObject({ code: 'LAB_BUSY' });
    await expect(lab.ftrace.register({ tracer: 'function_graph', graphFunction: 'no_such_fn' })).rejects.toMatchObject({ code: 'FTRACE_NO_MATCH' });
    await expect(lab.ftrace.register({ tracer: 'function_graph', maxGraphDepth: -1 })).rejects.toBeInstanceOf(FtraceLabError);
    await expect(lab.ftrace.register({ tracer: 'function', maxGraphDepth: 2 })).rejects.toMatchObject({ code: 'LAB_BAD_OPTION' });
  });
});
