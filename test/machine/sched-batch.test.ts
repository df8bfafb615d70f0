// Deterministic batches: decisions drawn ahead and run by the engine in one call give exactly the run that one
// decision per engine call gives (schedule log, registers, memory, minstret, mtime, UART output, stop), whatever
// ends a batch early: wfi, IPIs to sleeping harts, timer interrupts, host actions, breakpoints, budgets, halts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { Machine, type MachineOptions, type RunOptions } from '../../src/machine/index.js';
import { crossHartIcache, ipiPingPong, spinlockCounter, timerInterrupt } from './programs.js';

type Setup = (m: Machine) => void;

/** Runs src to the end in runs of `chunk` instructions; `decisionByDecision` forces one engine call per decision. */
function outcome(src: string, opts: MachineOptions, decisionByDecision: boolean, chunk: number, setup?: Setup) {
  const m = Machine.create({ ram: 0x800000, recordSchedule: true, ...opts });
  m.loadProgram(assemble(src, { file: 'sched-batch.s' }));
  setup?.(m);
  const stops: string[] = [];
  const run: RunOptions = { maxInsns: chunk, ...(decisionByDecision ? { until: () => false } : {}) };
  for (let i = 0; i < 10_000; i++) {
    const r = m.run(run);
    stops.push(`${r.reason} ${r.instructions} ${r.harts.map((h) => h.instructions).join(',')} ${r.hart ?? '-'}`);
    if (r.reason === 'budget') continue;
    if (r.reason === 'breakpoint') {
      m.step(r.hart!);
      continue;
    }
    break;
  }
  const regs = m.harts.map((h) => {
    const xs: string[] = [`pc=${h.pc.toString(16)}`, `minstret=${h.minstret}`];
    for (let r = 1; r < 32; r++) xs.push(h.x(r).toString(16));
    return xs.join(' ');
  });
  return {
    stops,
    regs,
    mtime: m.clint.mtime,
    memory: createHash('sha256').update(m.memory.read(m.memory.base, m.memory.size)).digest('hex'),
    uart: m.uartOutput,
    log: m.scheduleLog(),
    batched: m.scheduler!.batched,
  };
}

function expectSameRun(src: string, opts: MachineOptions, chunk: number, setup?: Setup) {
  const one = outcome(src, opts, true, chunk, setup);
  const batched = outcome(src, opts, false, chunk, setup);
  expect(one.batched).toBe(0);
  expect(batched.batched).toBeGreaterThan(0);
  const { batched: _a, ...a } = one;
  const { batched: _b, ...b } = batched;
  expect(b).toEqual(a);
  expect(a.log.length).toBeGreaterThan(0);
  return batched;
}

describe('deterministic batches = one decision per engine call', () => {
  for (const engine of ['interp', 'jit'] as const) {
    it(`${engine}: spinlock, 2 harts, quantum 1, in runs of 777 instructions`, () => {
      const r = expectSameRun(spinlockCounter(2, 300, false), { harts: 2, seed: 5, quantum: 1, engine }, 777);
      expect(r.stops.at(-1)).toMatch(/^halted /);
      expect(r.stops.length).toBeGreaterThan(2); // several runs: the budget cut batches
    });

    it(`${engine}: spinlock (LR/SC), 3 harts, quantum 5`, () => {
      expectSameRun(spinlockCounter(3, 200, true), { harts: 3, seed: 11, quantum: 5, engine }, 1e7);
    });

    it(`${engine}: IPI ping-pong (wfi, IPIs to sleeping harts), quantum 1 and 3`, () => {
      for (const quantum of [1, 3]) {
        const r = expectSameRun(ipiPingPong(), { harts: 2, seed: 3, quantum, engine }, 1e6);
        expect(r.log).toMatch(/ 2\n/); // some decisions ended in wfi (STOP_WFI = 2)
      }
    });

    it(`${engine}: timer interrupts (mtime advanced inside batches), quantum 1`, () => {
      expectSameRun(timerInterrupt(), { harts: 1, quantum: 1, engine }, 1e6);
    });

    it(`${engine}: cross-hart icache (store + IPI + fence.i), quantum 2`, () => {
      expectSameRun(crossHartIcache(), { harts: 2, seed: 5, quantum: 2, engine }, 2e7);
    });

    it(`${engine}: host actions at steps end batches before them (machine.at)`, () => {
      const src = spinlockCounter(2, 300, false);
      const setup: Setup = (m) => {
        // poke a register of hart 1 that the program does not use, at steps a batch would otherwise run over
        for (const step of [1, 500, 1023, 1024, 1025, 3000]) m.at(step, { reg: { hart: 1, reg: 't6', value: step } });
        m.at(2048, (mm) => mm.hart(0).setX('t5', mm.scheduler!.step));
      };
      const r = expectSameRun(src, { harts: 2, seed: 9, quantum: 1, engine }, 1e7, setup);
      expect(r.regs[1]).toContain(` ${(3000).toString(16)}`);
    });

    it(`${engine}: a list breakpoint stops a batch at the same decision`, () => {
      const src = spinlockCounter(2, 100, false);
      const prog = assemble(src, { file: 'sched-batch.s' });
      const at = prog.symbols.find((s) => s.name === 'loop')!.value;
      const r = expectSameRun(src, { harts: 2, seed: 4, quantum: 7, engine }, 1e7, (m) => m.breakpoints.add(at));
      expect(r.stops.filter((s) => s.startsWith('breakpoint')).length).toBeGreaterThan(50);
    });
  }
});
