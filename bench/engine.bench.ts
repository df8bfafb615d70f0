// Engine throughput benchmark: M guest instructions/s of the hart engine on three kernels (ALU, call-heavy, memory copy).
// Run: npx tsx bench/engine.bench.ts   (BENCH_JSON=1 for JSON lines; BENCH_INSNS to change the per-iteration count;
// BENCH_ENGINE=interp|jit, default both)
import { assemble } from '../src/isa/index.js';
import { DEFAULT_SLICE, Machine } from '../src/machine/index.js';
import { measure, report } from './harness.js';

/** Guest kernels: each loops forever, so a run is bounded only by maxInsns. */
export const KERNELS: Record<string, string> = {
  // integer ALU loop: dependent adds/xors/shifts and a counted backward branch
  alu: `
_start:
  li a0, 1000000000
  li a1, 0
  li a2, 7
1: add a1, a1, a2
  xor a3, a1, a0
  slli a4, a3, 3
  sub a1, a1, a4
  srai a5, a1, 2
  or a1, a1, a5
  addi a0, a0, -1
  bnez a0, 1b
  j _start
`,
  // call-heavy: nested calls with prologue/epilogue stack traffic, like kernel code
  call: `
_start:
  li sp, 0x80100000
  li s0, 100000000
1: mv a0, s0
  call outer
  addi s0, s0, -1
  bnez s0, 1b
  j _start
outer:
  addi sp, sp, -32
  sd ra, 24(sp)
  sd s1, 16(sp)
  sd s2, 8(sp)
  addi s1, a0, 1
  mv a0, s1
  call leaf
  add s2, a0, s1
  mv a0, s2
  ld s2, 8(sp)
  ld s1, 16(sp)
  ld ra, 24(sp)
  addi sp, sp, 32
  ret
leaf:
  slli a0, a0, 1
  xor a0, a0, s1
  ret
`,
  // memory copy: 8-byte load/store loop over 32 KiB, repeated
  memcpy: `
_start:
  li s0, 0x80100000
  li s1, 0x80200000
  li s2, 4096
1: mv t0, s0
  mv t1, s1
  mv t2, s2
2: ld t3, 0(t0)
  sd t3, 0(t1)
  addi t0, t0, 8
  addi t1, t1, 8
  addi t2, t2, -1
  bnez t2, 2b
  j 1b
`,
};

async function main(): Promise<void> {
  const insns = Number(process.env.BENCH_INSNS ?? 50_000_000);
  const slice = Number(process.env.BENCH_SLICE ?? DEFAULT_SLICE);
  const engines = (process.env.BENCH_ENGINE ?? 'interp,jit').split(',') as ('interp' | 'jit')[];
  for (const engine of engines) for (const [name, src] of Object.entries(KERNELS)) {
    const m = Machine.create({ ram: 0x400000, engine });
    m.loadProgram(assemble(src, { file: `${name}.s` }));
    m.run({ maxInsns: 2_000_000, slice }); // warm-up: V8 tiers the run loop up between calls
    const cpu0 = process.cpuUsage();
    const r = await measure(`engine ${name}`, () => m.run({ maxInsns: insns, slice }), { iterations: 7, warmupIterations: 2 });
    const cpu = process.cpuUsage(cpu0);
    // CPU-time based figure: less sensitive to other processes on a shared machine (includes warm-up runs)
    const cpuMips = (insns * (r.samples + 2)) / ((cpu.user + cpu.system) / 1e6) / 1e6;
    report('engine', `${name} ${engine} (M instr/s, median of ${r.samples})`, insns / (r.medianMs / 1000) / 1e6, 'M instr/s', {
      engine,
      cpuMips,
      kernel: name,
      insns,
      slice,
      medianMs: r.medianMs,
      best: insns / (r.minMs / 1000) / 1e6,
    });
    report('engine', `${name} ${engine} (M instr/s per CPU second)`, cpuMips, 'M instr/s', { kernel: name, engine, insns, slice, cpu: true });
  }
}

await main();
