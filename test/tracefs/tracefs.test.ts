// tracefs over the Lab: filter files with kernel semantics, current_tracer, tracing_on, the trace text format, enabled_functions.
import { describe, expect, it } from 'vitest';
import { FtraceLabError } from '../../src/errors.js';
import { Lab } from '../../src/lab/index.js';
import { TracefsError } from '../../src/tracefs/index.js';

const lab = (scheme: 'list' | 'callops' = 'callops', harts = 1) =>
  Lab.create({ harts, scheme, bufferSizeKb: 64, ram: 32 << 20, kernel: { functions: 20, seed: 5, runSample: true, nrCalls: 3 } });

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(FtraceLabError);
    return (e as FtraceLabError).code;
  }
  return undefined;
}

const LINE = /^ {0,16}hart-\d+-\d+ +\[\d{3}\] \.\.\.\.\. +\d+\.\d{6}: (\S+) <-(\S+)$/;

describe('tracefs files', () => {
  it('available_filter_functions lists every record; set_ftrace_filter truncates, appends and removes with !', async () => {
    const l = await lab();
    const avail = l.tracefs.read('available_filter_functions').trim().split('\n');
    expect(avail).toHaveLength(l.ftrace.records().length);
    expect(avail).toContain('tracee_relevant');
    expect(l.tracefs.read('set_ftrace_filter')).toBe('#### all functions enabled ####\n');
    await l.tracefs.write('set_ftrace_filter', 'kfunc_1 kfunc_2');
    await l.tracefs.write('set_ftrace_filter', 'tracee_*', { append: true });
    expect(l.tracefs.read('set_ftrace_filter').trim().split('\n').sort()).toEqual(['kfunc_1', 'kfunc_2', 'tracee_irrelevant', 'tracee_relevant']);
    await l.tracefs.write('set_ftrace_filter', '!tracee_irrelevant', { append: true });
    expect(l.tracefs.read('set_ftrace_filter').trim().split('\n').sort()).toEqual(['kfunc_1', 'kfunc_2', 'tracee_relevant']);
    await l.tracefs.write('set_ftrace_filter', 'kfunc_3'); // '>' truncates
    expect(l.tracefs.read('set_ftrace_filter')).toBe('kfunc_3\n');
    await l.tracefs.write('set_ftrace_filter', ''); // '> set_ftrace_filter' with nothing: all functions again
    expect(l.tracefs.read('set_ftrace_filter')).toBe('#### all functions enabled ####\n');
    await l.tracefs.write('set_ftrace_notrace', 'kfunc_1*');
    expect(l.tracefs.read('set_ftrace_notrace').trim().split('\n').every((n) => n.startsWith('kfunc_1'))).toBe(true);
  });

  it('bad writes are typed errors (-EINVAL, -ENOENT, read-only) and change nothing', async () => {
    const l = await lab();
    await l.tracefs.write('set_ftrace_filter', 'kfunc_1');
    expect(await codeOf(l.tracefs.write('set_ftrace_filter', 'no_such_fn'))).toBe('TRACEFS_EINVAL');
    expect(await codeOf(l.tracefs.write('set_ftrace_filter', 'kfunc_[1'))).toBe('TRACEFS_EINVAL');
    expect(l.tracefs.read('set_ftrace_filter')).toBe('kfunc_1\n');
    expect(await codeOf(l.tracefs.write('current_tracer', 'wakeup'))).toBe('TRACEFS_EINVAL');
    expect(await codeOf(l.tracefs.write('tracing_on', '2'))).toBe('TRACEFS_EINVAL');
    expect(await codeOf(l.tracefs.write('buffer_size_kb', '7'))).toBe('TRACEFS_EINVAL');
    expect(await codeOf(l.tracefs.write('available_filter_functions', 'x'))).toBe('TRACEFS_EACCES');
    expect(await codeOf(() => l.tracefs.read('no_such_file'))).toBe('TRACEFS_ENOENT');
    expect(await codeOf(() => l.tracefs.read('../etc/passwd'))).toBe('TRACEFS_ENOENT');
    const e = await l.tracefs.write('set_ftrace_filter', 'nope').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TracefsError);
    expect(l.tracefs.read('current_tracer')).toBe('nop\n');
  });

  for (const scheme of ['list', 'callops'] as const) {
    it(`${scheme}: current_tracer function fills trace in the function tracer's format; nop restores the sites`, async () => {
      const l = await lab(scheme, 2);
      await l.tracefs.write('set_ftrace_filter', 'tracee_relevant kfunc_1*');
      await l.tracefs.write('current_tracer', 'function');
      expect(l.tracefs.read('current_tracer')).toBe('function\n');
      const enabled = l.tracefs.read('enabled_functions').trim().split('\n');
      expect(enabled.length).toBe(l.tracefs.read('set_ftrace_filter').trim().split('\n').length);
      const rel = enabled.find((x) => x.startsWith('tracee_relevant (1)'))!;
      expect(rel).toContain('tramp: ftrace_caller');
      expect(rel).toContain('ops: global_ops:function (function_tracer_func)');
      if (scheme === 'callops') expect(rel).toContain('op=global_ops:function');
      expect((await l.run()).exitCode).toBe(0);
      const text = l.tracefs.read('trace');
      const lines = text.split('\n').filter((x) => x.length);
      expect(lines[0]).toBe('# tracer: function');
      expect(text).toMatch(/# entries-in-buffer\/entries-written: (\d+)\/\1   #P:2/);
      expect(text).toContain('#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION');
      const body = lines.filter((x) => !x.startsWith('#'));
      expect(body.length).toBeGreaterThan(3);
      for (const x of body) {
        const m = LINE.exec(x);
        expect(m, x).not.toBeNull();
        expect(m![1] === 'tracee_relevant' || m![1]!.startsWith('kfunc_1')).toBe(true);
      }
      expect(body.filter((x) => x.includes(': tracee_relevant <-ftrace_ops_sample_run'))).toHaveLength(3);
      expect(l.tracefs.read('trace')).toBe(text); // reading does not consume
      await l.tracefs.write('trace', '');
      expect(l.tracefs.read('trace').split('\n').filter((x) => x && !x.startsWith('#'))).toHaveLength(0);
      await l.tracefs.write('current_tracer', 'nop');
      expect(l.tracefs.read('enabled_functions')).toBe('');
      expect(l.ftrace.records().every((r) => r.count === 0)).toBe(true);
    });
  }

  it('tracing_on 0 keeps events out of the trace file; the count tracer keeps the filter', async () => {
    const l = await lab();
    await l.tracefs.write('set_ftrace_filter', 'tracee_relevant');
    await l.tracefs.write('current_tracer', 'function');
    await l.tracefs.write('tracing_on', '0');
    expect(l.tracefs.read('tracing_on')).toBe('0\n');
    await l.run();
    expect(l.tracefs.read('trace')).toContain('entries-in-buffer/entries-written: 0/0');
    await l.tracefs.write('tracing_on', '1');
    await l.tracefs.write('current_tracer', 'count');
    expect(l.tracefs.read('set_ftrace_filter')).toBe('tracee_relevant\n');
    expect(l.tracefs.read('enabled_functions')).toContain('ops: global_ops:count (count_tracer_func)');
    expect(l.tracefs.read('buffer_size_kb')).toBe('64\n');
    expect(l.tracefs.read('available_tracers')).toBe('function_graph function count nop\n');
  });
});

describe('tracefs: function_graph', () => {
  it('current_tracer function_graph with set_graph_function / max_graph_depth / set_graph_notrace; trace in the graph format', async () => {
    const l = await lab();
    expect(l.tracefs.read('available_tracers')).toBe('function_graph function count nop\n');
    expect(l.tracefs.read('set_graph_function')).toBe('#### all functions enabled ####\n');
    expect(l.tracefs.read('set_graph_notrace')).toBe('#### no functions disabled ####\n');
    await l.tracefs.write('set_graph_function', 'kfunc_1');
    await l.tracefs.write('max_graph_depth', '2');
    expect(l.tracefs.read('max_graph_depth')).toBe('2\n');
    expect(l.tracefs.read('set_graph_function')).toBe('kfunc_1\n');
    await l.tracefs.write('current_tracer', 'function_graph');
    expect(l.tracefs.read('current_tracer')).toBe('function_graph\n');
    await l.run();
    const text = l.tracefs.read('trace');
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual(['# tracer: function_graph', '#', '# CPU  DURATION                  FUNCTION CALLS', '# |     |   |                     |   |   |   |']);
    expect(lines[4]).toBe(' 0)               |  kfunc_1() {'); // kfunc_1 calls kfunc_9, kfunc_8 (which calls kfunc_14), kfunc_5
    expect(text).not.toMatch(/kfunc_14/); // depth 2: below max_graph_depth
    expect(text).toMatch(/\|    kfunc_8\(\);\n/); // its callees cut off by the depth limit, so a leaf
    const body = lines.slice(4).filter((x) => x);
    expect(body.length).toBeGreaterThan(2);
    for (const x of body) expect(x).toMatch(/^ 0\) [ +!#*@$] {1,2}[ .\d]*( us)? *\|  ( {2})?(\w+\(\) \{|\w+\(\);|\})$/);
    expect(body[body.length - 1]).toMatch(/^ 0\) .* us .*\|  \}$/); // depth 0 closes last
    expect(await codeOf(l.tracefs.write('set_graph_function', 'nope'))).toBe('TRACEFS_EINVAL');
    expect(await codeOf(l.tracefs.write('max_graph_depth', '-1'))).toBe('TRACEFS_EINVAL');
    expect(l.tracefs.read('trace_clock')).toBe('[local] insns\n');
    expect(await codeOf(l.tracefs.write('trace_clock', 'global'))).toBe('TRACEFS_EINVAL');
  });
});
