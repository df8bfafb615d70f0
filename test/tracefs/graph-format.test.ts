// The function_graph text format against the kernel's rules (v6.6 trace_functions_graph.c, trace_output.c trace_find_mark).
import { describe, expect, it } from 'vitest';
import type { LabTraceEvent } from '../../src/lab/index.js';
import { formatFunctionGraph, formatGraphDuration, formatGraphHeader, traceFindMark } from '../../src/tracefs/graph-format.js';

let ipOf = new Map<string, number>();
function ent(hart: number, name: string, depth: number, ns: number): LabTraceEvent {
  if (!ipOf.has(name)) ipOf.set(name, 0x80000000 + 16 * ipOf.size);
  return { ip: ipOf.get(name)!, parentIp: 0, symbol: name, parentSymbol: '', hart, timestamp: BigInt(ns), ns, op: 0, qs: 0, kind: 'graph_entry', depth };
}
function ret(hart: number, name: string, depth: number, callNs: number, ns: number, overrun = 0): LabTraceEvent {
  if (!ipOf.has(name)) ipOf.set(name, 0x80000000 + 16 * ipOf.size);
  return { ...ent(hart, name, depth, ns), kind: 'graph_return', callNs, callTimestamp: BigInt(callNs), overrun };
}

describe('function_graph text', () => {
  it('duration column: µs with ns digits cut to 7 columns, padded to 8, and the overhead marks', () => {
    const col = (ns: number) => `${traceFindMark(ns)} ${formatGraphDuration(ns)}|  `;
    expect(col(50)).toBe('  0.050 us    |  ');
    expect(col(1234)).toBe('  1.234 us    |  ');
    expect(col(10_000)).toBe('  10.000 us   |  '); // not strictly above 10 µs: no mark
    expect(col(12_345)).toBe('+ 12.345 us   |  ');
    expect(col(123_456)).toBe('! 123.456 us  |  ');
    expect(col(1_234_567)).toBe('# 1234.567 us |  ');
    expect(col(12_345_678)).toBe('* 12345.67 us |  ');
    expect(col(123_456_789)).toBe('@ 123456.7 us |  ');
    expect(col(1_234_567_890)).toBe('$ 1234567 us  |  ');
  });

  it('header as __print_graph_headers_flags prints it (default flags, and with abstime)', () => {
    expect(formatGraphHeader({ cpus: 4 })).toBe(
      '# tracer: function_graph\n#\n# CPU  DURATION                  FUNCTION CALLS\n# |     |   |                     |   |   |   |\n',
    );
    expect(formatGraphHeader({ cpus: 1, abstime: true }).split('\n')[2]).toBe('#     TIME        CPU  DURATION                  FUNCTION CALLS');
  });

  it('nested entries, leaves (the next event of the same CPU is the return), closing braces and /* func */', () => {
    ipOf = new Map();
    const evs = [
      ret(1, 'idle_loop', 0, 0, 152_300 + 0), // return whose entry is not in the buffer
      ent(0, 'outer', 0, 1000),
      ent(0, 'leafy', 1, 1100),
      ent(1, 'other', 0, 1150), // another CPU in between does not spoil the leaf
      ret(0, 'leafy', 1, 1100, 1950),
      ent(0, 'mid', 1, 2000),
      ent(0, 'deep', 2, 2100),
      ret(0, 'deep', 2, 2100, 2400),
      ret(1, 'other', 0, 1150, 30_000),
      ret(0, 'mid', 1, 2000, 14_050),
      ret(0, 'outer', 0, 1000, 24_700),
    ];
    expect(formatFunctionGraph(evs, { cpus: 2 }).split('\n').slice(4).join('\n')).toBe(
      [
        ' 1) ! 152.300 us  |  } /* idle_loop */',
        ' 0)               |  outer() {',
        ' 0)   0.850 us    |    leafy();',
        ' 1) + 28.850 us   |  other();',
        ' 0)               |    mid() {',
        ' 0)   0.300 us    |      deep();',
        ' 0) + 12.050 us   |    }',
        ' 0) + 23.700 us   |  }',
        '',
      ].join('\n'),
    );
  });

  it('funcgraph-tail names every brace; funcgraph-overrun adds the count; wide CPU column for 11+ harts', () => {
    ipOf = new Map();
    const evs = [ent(10, 'a', 0, 0), ent(10, 'b', 1, 10), ent(10, 'c', 2, 20), ret(10, 'c', 2, 20, 30), ret(10, 'b', 1, 10, 40, 3), ret(10, 'a', 0, 0, 50, 3)];
    const body = formatFunctionGraph(evs, { cpus: 12, tail: true, overrun: true }).split('\n').slice(4);
    expect(body).toEqual([
      ' 10)               |  a() {',
      ' 10)               |    b() {',
      ' 10)   0.010 us    |      c();',
      ' 10)   0.030 us    |    } /* b */',
      ' (Overruns: 3)',
      ' 10)   0.050 us    |  } /* a */',
      ' (Overruns: 3)',
      '',
    ]);
  });
});
