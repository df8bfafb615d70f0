// The runtime's assembly as built: trampoline encodings, static ops structs and globals, options, symbols, count table, direct calls.
import { describe, expect, it } from 'vitest';
import { FtraceOps, FTRACE_OPS_FL_INITIALIZED, FTRACE_OPS_FL_STUB } from '../../src/ftrace/index.js';
import {
  buildGuestRuntime, countTableBytes, decodeCountTable, encodeCountTable, GuestRuntimeError, guestRuntimeSymbols,
  resolveGuestOptions, ringBufferEvents, type GuestRuntimeOptions,
} from '../../src/guest/index.js';
import { assemble, type AssembledProgram } from '../../src/isa/index.js';
import { bootGuest, initFtrace } from './harness.js';

const MAIN = '\n\t.text\n\t.globl main\nmain:\n\tli a0, 0\n\tret\n';

function build(o: GuestRuntimeOptions): { p: AssembledProgram; sym: (n: string) => number; u32: (a: number) => number; u64: (a: number) => bigint } {
  const p = assemble(buildGuestRuntime(o) + MAIN);
  const sym = (n: string) => p.symbols.find((s) => s.name === n)!.value;
  const view = (a: number) => {
    const s = p.sections.find((x) => !x.nobits && x.addr <= a && a < x.addr + x.data.length)!;
    return new DataView(s.data.buffer, s.data.byteOffset + a - s.addr);
  };
  return { p, sym, u32: (a) => view(a).getUint32(0, true), u64: (a) => view(a).getBigUint64(0, true) };
}

function words(b: ReturnType<typeof build>, name: string): number[] {
  const s = b.p.symbols.find((x) => x.name === name)!;
  const out: number[] = [];
  for (let a = s.value; a < s.value + s.size - 2; a += 2) out.push(b.u32(a));
  return out; // every 2-byte offset: finds 32-bit words whatever the compression around them
}

describe('trampolines', () => {
  it('callops ftrace_caller starts with ld t1, -16(t0) (the literal at func-8) and passes ip = t0 - 4', () => {
    const b = build({ harts: 1, scheme: 'callops' });
    expect(b.u32(b.sym('ftrace_caller'))).toBe(0xff02b303);
    expect(words(b, 'ftrace_caller')).toContain(0xffc28513); // addi a0, t0, -4
    expect(words(b, 'ftrace_caller')).toContain(0xff02b603); // ld a2, -16(t0)
    expect(b.p.symbols.some((s) => s.name === 'ftrace_regs_caller')).toBe(false); // 6.16: DYNAMIC_FTRACE_WITH_ARGS only
  });

  it('6.16 SAVE_ABI_REGS stores the real t1 and no s0 (no HAVE_FUNCTION_GRAPH_FP_TEST), in struct ftrace_regs order', () => {
    const b = build({ harts: 1, scheme: 'callops' });
    const w = words(b, 'ftrace_caller');
    expect(w).toContain(0x02613023); // sd t1, 32(sp): fregs->t1
    expect(w).not.toContain(0x00813c23); // no sd s0, 24(sp)
    expect(w).toContain(0x02a13423); // sd a0, 40(sp): fregs->a0
    expect(w).toContain(0x00a13823); // sd a0, 16(sp): fregs->sp (the original sp, through a0)
  });

  it('riscv-legacy has ftrace_regs_caller and patched calls at ftrace_call / ftrace_regs_call, and no literal load', () => {
    const b = build({ harts: 1, scheme: 'riscv-legacy' });
    for (const n of ['ftrace_regs_caller', 'ftrace_call', 'ftrace_regs_call']) expect(b.p.symbols.some((s) => s.name === n)).toBe(true);
    expect(words(b, 'ftrace_caller')).not.toContain(0xff02b303);
    const call = b.sym('ftrace_call');
    expect(b.u32(call) & 0xfff).toBe(0x097); // auipc ra
    expect(b.u32(call + 4) & 0xfffff).toBe(0x080e7); // jalr ra, lo(ra)
  });

  it('list ftrace_caller never reads the literal; without directCalls there is no direct exit', () => {
    const b = build({ harts: 1, scheme: 'list', directCalls: false });
    expect(words(b, 'ftrace_caller')).not.toContain(0xff02b303);
    expect(words(b, 'ftrace_caller')).not.toContain(0xff02b603);
    expect(words(b, 'ftrace_caller')).toContain(0xffc28513);
    expect(b.p.symbols.some((s) => s.name === 'ftrace_caller_direct')).toBe(false);
  });
});

describe('static data', () => {
  it('boot values of the stub ops and the globals the core expects', () => {
    const b = build({ harts: 2, scheme: 'list' });
    const s = guestRuntimeSymbols(b.p);
    expect(b.u64(s.ftrace_list_end)).toBe(BigInt(s.ftrace_stub));
    expect(b.u64(s.ftrace_list_end + 16)).toBe(BigInt(FTRACE_OPS_FL_STUB | FTRACE_OPS_FL_INITIALIZED));
    expect(b.u64(s.ftrace_nop_ops)).toBe(BigInt(s.ftrace_ops_nop_func)); // kernel/trace/ftrace.c: .func = ftrace_ops_nop_func
    expect(b.u64(s.ftrace_nop_ops + 16)).toBe(BigInt(FTRACE_OPS_FL_STUB));
    expect(b.u64(s.ftrace_list_ops)).toBe(BigInt(s.ftrace_ops_list_func));
    expect(b.u64(s.ftrace_list_ops + 16)).toBe(BigInt(FTRACE_OPS_FL_STUB));
    expect(b.u64(s.ftrace_ops_list)).toBe(BigInt(s.ftrace_list_end));
    expect(b.u64(s.function_trace_op)).toBe(BigInt(s.ftrace_list_end));
    expect(b.u64(s.ftrace_call_dest)).toBe(BigInt(s.ftrace_stub));
    expect(s.ftrace_heap_end - s.ftrace_heap_start).toBe(1024 * 1024);
    expect(s.tohost % 8).toBe(0);
  });

  it('guestRuntimeSymbols names what a program without the runtime lacks', () => {
    const p = assemble(MAIN);
    expect(() => guestRuntimeSymbols(p)).toThrow(GuestRuntimeError);
    expect(() => guestRuntimeSymbols(p)).toThrow(/ftrace_caller/);
  });
});

describe('options', () => {
  it('defaults: 1 MiB ring per hart = 16384 events of 64 bytes', () => {
    const o = resolveGuestOptions({ harts: 4, scheme: 'callops' });
    expect(o.bufferSizeKb).toBe(1024);
    expect(o.ringEvents).toBe(16384);
    expect(ringBufferEvents(3)).toBe(32);
  });

  it('rejects bad options with GUEST_BAD_OPTION', () => {
    const bad: unknown[] = [
      { harts: 0, scheme: 'list' },
      { harts: 33, scheme: 'list' },
      { harts: 1, scheme: 'x86' },
      { harts: 1, scheme: 'list', bufferSizeKb: 0 },
      { harts: 1, scheme: 'list', stackSize: 1000 },
      { harts: 1, scheme: 'list', stackSize: 4104 },
      { harts: 1, scheme: 'list', mainSymbol: 'not a symbol' },
      null,
    ];
    for (const o of bad) {
      expect(() => buildGuestRuntime(o as GuestRuntimeOptions)).toThrow(GuestRuntimeError);
    }
  });
});

describe('count table', () => {
  it('round-trips sorted ips and zero counters; rejects a misaligned address', () => {
    const addr = 0x80001000;
    const bytes = encodeCountTable([0x80000030, 0x80000010, 0x80000020, 0x80000010], addr);
    expect(bytes.length).toBe(countTableBytes(3));
    const read = (a: number, l: number) => bytes.slice(a - addr, a - addr + l);
    const t = decodeCountTable(read, addr);
    expect([...t.counts.keys()]).toEqual([0x80000010, 0x80000020, 0x80000030]);
    expect([...t.counts.values()]).toEqual([0, 0, 0]);
    expect(() => encodeCountTable([1], addr + 4)).toThrow(GuestRuntimeError);
  });
});

describe('direct calls (callops)', () => {
  it('ftrace_caller jumps to op->direct_call before saving anything, and the function still returns normally', () => {
    const extra = `
\t.text
\t.globl direct_tramp
direct_tramp:\t\t\t# t0 = func + 8, ra = parent
\tla t1, direct_hits
\tld t2, 0(t1)
\taddi t2, t2, 1
\tsd t2, 0(t1)
\tjr t0
\t.data
\t.balign 8
direct_hits: .dword 0
`;
    const g = bootGuest({ scheme: 'callops', runSample: true, nrCalls: 15, extraSource: extra });
    const { core, apply } = initFtrace(g);
    const ops = new FtraceOps({ name: 'direct', func: 'function_tracer_func', directCall: g.sym('direct_tramp') });
    core.setFilter(ops, 'tracee_relevant');
    apply(core.register(ops));
    expect(g.run().exitCode).toBe(0);
    expect(g.u64('direct_hits')).toBe(15n);
    expect(g.events(0)).toHaveLength(0); // op->func never ran
    expect(g.u64('ftrace_ops_sample_calls_done')).toBe(15n);
  });
});
