// Multi-hart benchmarks: parallel scaling 1 -> 2 harts, deterministic-mode speed by quantum, pause latency.
import { assemble } from '../src/isa/index.js';
import { Machine, type MachineOptions } from '../src/machine/index.js';
import { measure, median, report } from './harness.js';

/** Every hart runs `iters` iterations of an ALU loop on its own registers; hart 0 waits for all, then exits. */
function independentLoops(nharts: number, iters: number): string {
  return `
  .globl _start
_start:
  li t0, ${iters}
  li a0, 1
  li a1, 3
1:
  add a2, a0, a1
  xor a3, a2, a0
  slli a4, a3, 3
  srli a5, a4, 2
  sub a0, a5, a1
  or a1, a1, a0
  andi a1, a1, 255
  addi t0, t0, -1
  bnez t0, 1b
  la t1, done
  li t2, 1
  amoadd.d zero, t2, (t1)
  csrr t3, mhartid
  bnez t3, 3f
2: ld t4, 0(t1)
  li t5, ${nharts}
  bne t4, t5, 2b
  la t5, tohost
  li t6, 1
  sd t6, 0(t5)
3: wfi
  j 3b
  .data
  .align 6
  .globl tohost
tohost: .dword 0
  .align 6
done: .dword 0
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function boot(nharts: number, iters: number, opts: MachineOptions): Machine {
  const m = Machine.create({ ram: 0x100000, harts: nharts, ...opts });
  m.loadProgram(assemble(independentLoops(nharts, iters)));
  return m;
}

export async function benchMultihart(): Promise<void> {
  // --- parallel scaling: steady-state aggregate rate of the same per-hart loop on 1 and 2 harts (2 cores).
  // Each run starts its workers, lets V8 tier the engine up (the optimising compile runs on a background
  // thread and would otherwise eat into the second core), then samples every hart's minstret over a window.
  // Interleaved 1-hart / 2-hart runs (A/B pairs), so drift on the noisy VM hits both sides alike.
  const windowMs = Number(process.env.BENCH_MH_WINDOW_MS ?? 1500);
  const rates: Record<number, number[]> = { 1: [], 2: [] };
  const sample = async (n: number): Promise<number> => {
    const m = boot(n, 2_000_000_000, { mode: 'parallel' });
    const done = m.start({ maxInsns: 1e13 });
    await sleep(500);
    const retired = () => m.harts.reduce((a, h) => a + Number(h.minstret), 0);
    const i0 = retired();
    const t0 = performance.now();
    await sleep(windowMs);
    const rate = (retired() - i0) / (performance.now() - t0) / 1000;
    await m.pause();
    m.harts.forEach((h) => h.setX('t0', 1)); // end the loops
    m.resume();
    const r = await done;
    if (r.reason !== 'halted') throw new Error(`run ended with ${r.reason}`);
    return rate;
  };
  for (let rep = 0; rep < 5; rep++) {
    for (const n of [1, 2]) {
      const t = await measure(`parallel ${n} hart(s)`, async () => rates[n]!.push(await sample(n)), { iterations: 1, warmupIterations: 0 });
      void t;
    }
  }
  const mips = { 1: median(rates[1]!), 2: median(rates[2]!) };
  for (const n of [1, 2] as const) {
    report('multihart', `parallel aggregate, ${n} hart(s) (median of 5)`, mips[n], 'M instr/s', { samples: rates[n] });
  }
  const ratios = rates[1]!.map((r1, i) => rates[2]![i]! / r1);
  report('multihart', 'parallel scaling 2 harts / 1 hart (median of pairs)', median(ratios), 'x (floor 1.85)', { ratios });

  // --- deterministic mode speed at quantum 1, 100, 10000 (2 harts)
  for (const q of [1, 100, 10_000]) {
    const work = q === 1 ? 500_000 : q === 100 ? 5_000_000 : 20_000_000;
    let insns = 0;
    const t = await measure(`deterministic quantum ${q}`, () => {
      const m = boot(2, work, { mode: 'deterministic', seed: 1, quantum: q, recordSchedule: false });
      const r = m.run({ maxInsns: 1e12 });
      if (r.reason !== 'halted') throw new Error(`run ended with ${r.reason}`);
      insns = r.instructions;
    }, { iterations: 3, warmupIterations: 1 });
    report('multihart', `deterministic 2 harts, quantum ${q}`, insns / t.medianMs / 1000, 'M instr/s');
  }

  // --- pause latency: 2 harts running, pause/resume 50 times
  const m = boot(2, 2_000_000_000, { mode: 'parallel' });
  const run = m.start({ maxInsns: 1e12 });
  await sleep(200);
  const lat: number[] = [];
  for (let i = 0; i < 50; i++) {
    lat.push(await m.pause());
    m.resume();
    await sleep(5);
  }
  await m.pause();
  m.harts.forEach((h) => h.setX('t0', 1)); // finish the loops quickly
  m.resume();
  await run;
  report('multihart', 'pause latency median (2 harts)', median(lat), 'ms');
  report('multihart', 'pause latency max (2 harts)', Math.max(...lat), 'ms');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchMultihart();
}
