// Runs the guest runtime + synthetic kernel on the machine: boot/exit, ftrace_init, function tracer events, 1 and 2 harts.
import { describe, expect, it } from 'vitest';
import { FtraceOps, FTRACE_OPS_FL_SAVE_REGS, siteFuncAddr } from '../../src/ftrace/index.js';
import { GUEST_TRAP_EXIT_CODE, RB_EVENT_FUNCTION, ringBufferAddr, ringBufferLost } from '../../src/guest/index.js';
import { dynamicCallCounts, expectedKernelResult, KERNEL_RUN_SYMBOL, WORKLOAD_SYMBOLS } from '../../src/workload/index.js';
import { bootGuest, initFtrace, type Guest } from './harness.js';

function checkResults(g: Guest): void {
  const want = expectedKernelResult(g.img.kernel, 1n);
  for (let h = 0; h < g.harts; h++) expect(g.u64(WORKLOAD_SYMBOLS.results, h)).toBe(want);
}

describe('boot', () => {
  for (const harts of [1, 2]) {
    for (const layout of ['rvc-8,4', 'norvc-4,2'] as const) {
      it(`runs the untouched kernel (compiler NOPs) on ${harts} hart(s), ${layout}`, () => {
        const g = bootGuest({ harts, scheme: 'callops', layout, runSample: true, nrCalls: 25 });
        const r = g.run();
        expect(r.reason).toBe('halted');
        expect(r.exitCode).toBe(0);
        checkResults(g);
        expect(g.u64('ftrace_ops_sample_calls_done')).toBe(25n);
        expect(g.u64('ftrace_ops_sample_instret')).toBeGreaterThan(25n * 5n);
      });
    }
  }

  it('reports an unexpected trap on the UART and exits with GUEST_TRAP_EXIT_CODE', () => {
    const g = bootGuest({ scheme: 'list', extraSource: '\t.text\n\t.globl boom\nboom:\n\tebreak\n' });
    // make main trap: write `ebreak` at main's first instruction
    g.m.memory.write(g.sym('main'), g.m.memory.read(g.sym('boom'), 4));
    const r = g.run();
    expect(r.exitCode).toBe(GUEST_TRAP_EXIT_CODE);
    expect(g.m.uartOutput).toContain('unexpected trap: mcause=0x0000000000000003');
    expect(g.m.uartOutput).toContain(`mepc=0x${g.sym('main').toString(16).padStart(16, '0')}`);
  });
});

describe('ftrace_init conversion', () => {
  for (const scheme of ['list', 'callops', 'riscv-legacy'] as const) {
    it(`${scheme}: disabled sites (${scheme === 'riscv-legacy' ? 'nop + nop' : 'auipc t0 + nop'}) run the kernel correctly and cost 2 instructions per call`, () => {
      const before = bootGuest({ scheme, runSample: true, nrCalls: 100 });
      before.run();
      const g = bootGuest({ scheme, runSample: true, nrCalls: 100 });
      const { init, rec } = initFtrace(g);
      expect(init.rejected).toEqual([]);
      const r = g.run();
      expect(r.exitCode).toBe(0);
      checkResults(g);
      const func = siteFuncAddr(rec('tracee_relevant').ip);
      if (scheme === 'riscv-legacy') expect(g.m.memory.readU32(func)).toBe(0x13); // nop: both words are patched
      else expect(g.m.memory.readU32(func) & 0xfff).toBe(0x297); // auipc t0, frozen on ftrace_caller
      expect(g.m.memory.readU32(func + 4)).toBe(0x13); // nop
      // 4 c.nop -> two 4-byte words: two fewer instructions per call
      expect(before.u64('ftrace_ops_sample_instret') - g.u64('ftrace_ops_sample_instret')).toBe(200n);
    });
  }
});

describe('function tracer', () => {
  for (const scheme of ['list', 'callops', 'riscv-legacy', 'trampoline'] as const) {
    for (const harts of [1, 2]) {
      it(`${scheme}, ${harts} hart(s): one event per call of the filtered function, with ip = rec->ip and the caller as parent`, () => {
        const g = bootGuest({ scheme, harts });
        const { core, apply, rec } = initFtrace(g);
        const counts = dynamicCallCounts(g.img.kernel.graph);
        // a non-root function that is called at least twice
        const f = counts.findIndex((c, i) => c >= 2 && g.img.kernel.graph.level[i]! > 0);
        expect(f).toBeGreaterThan(0);
        const name = g.img.kernel.functions[f]!.name;
        const ops = new FtraceOps({ name: 'fn', func: 'function_tracer_func' });
        core.setFilter(ops, name);
        apply(core.register(ops));
        const r = g.run();
        expect(r.exitCode).toBe(0);
        checkResults(g);
        const callers = g.img.kernel.functions.filter((fn) => fn.callees.includes(f)).map((fn) => {
          const s = g.img.program.symbols.find((x) => x.name === fn.name)!;
          return [s.value, s.value + s.size] as const;
        });
        for (let h = 0; h < harts; h++) {
          const ev = g.events(h);
          expect(ev).toHaveLength(counts[f]!);
          for (const e of ev) {
            expect(e.ip).toBe(rec(name).ip);
            expect(e.hart).toBe(h);
            expect(e.type).toBe(RB_EVENT_FUNCTION);
            expect(callers.some(([lo, hi]) => e.parentIp > lo && e.parentIp <= hi)).toBe(true);
          }
          expect(g.events(h)).toHaveLength(0); // drained
        }
      });
    }
  }

  it('traces every function; parent of a root is the driver; timestamps do not go backwards', () => {
    const g = bootGuest({ scheme: 'callops' });
    const { core, apply, rec } = initFtrace(g);
    apply(core.register(new FtraceOps({ name: 'all', func: 'function_tracer_func' })));
    expect(g.run().exitCode).toBe(0);
    checkResults(g);
    const ev = g.events(0);
    const counts = dynamicCallCounts(g.img.kernel.graph);
    expect(ev).toHaveLength(counts.reduce((a, b) => a + b, 0));
    const run = g.img.program.symbols.find((s) => s.name === KERNEL_RUN_SYMBOL)!;
    const root = g.img.kernel.functions[g.img.kernel.graph.roots[0]!]!.name;
    expect(ev[0]!.ip).toBe(rec(root).ip);
    expect(ev[0]!.parentIp).toBeGreaterThan(run.value);
    expect(ev[0]!.parentIp).toBeLessThanOrEqual(run.value + run.size);
    for (let i = 1; i < ev.length; i++) expect(ev[i]!.timestamp >= ev[i - 1]!.timestamp).toBe(true);
  });

  it('counts events that do not fit the buffer as lost', () => {
    const g = bootGuest({ scheme: 'callops', bufferSizeKb: 1 }); // 16 events of 64 bytes
    const { core, apply } = initFtrace(g);
    apply(core.register(new FtraceOps({ name: 'all', func: 'function_tracer_func' })));
    expect(g.run().exitCode).toBe(0);
    const total = dynamicCallCounts(g.img.kernel.graph).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(16);
    const header = ringBufferAddr(g.m.memory, g.sym('ftrace_percpu'), 0);
    expect(g.events(0)).toHaveLength(16);
    expect(ringBufferLost(g.m.memory, header)).toBe(total - 16);
  });

  for (const scheme of ['list', 'callops'] as const) {
    it(`${scheme}: 6.16 has no ftrace_regs_caller, so a SAVE_REGS ops is refused (register_ftrace_function -EINVAL)`, () => {
      const g = bootGuest({ scheme });
      const { core } = initFtrace(g);
      expect(g.img.program.symbols.some((s) => s.name === 'ftrace_regs_caller')).toBe(false);
      const ops = new FtraceOps({ name: 'regs', func: 'function_tracer_func', flags: FTRACE_OPS_FL_SAVE_REGS });
      expect(() => core.register(ops)).toThrow(/SAVE_REGS/);
    });
  }

  for (const scheme of ['riscv-legacy'] as const) {
    it(`${scheme}: a SAVE_REGS ops goes through ftrace_regs_caller and the kernel still computes the right result`, () => {
      const g = bootGuest({ scheme });
      const { core, apply, rec } = initFtrace(g);
      const ops = new FtraceOps({ name: 'regs', func: 'function_tracer_func', flags: FTRACE_OPS_FL_SAVE_REGS });
      const name = g.img.kernel.functions[0]!.name;
      core.setFilter(ops, name);
      apply(core.register(ops));
      expect(rec(name).state.call).toBe(g.sym('ftrace_regs_caller'));
      expect(g.run().exitCode).toBe(0);
      checkResults(g);
      expect(g.events(0).map((e) => e.ip)).toEqual([rec(name).ip]);
    });
  }
});
