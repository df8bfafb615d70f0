// Block compiler vs interpreter vs qemu-riscv64, side by side in one run: GCC -O2 programs (bare metal; the Linux
// builds under qemu-riscv64 and under `run --user`), whole runs including compile time, plus compile cost per block.
// Run: npx tsx bench/jit.bench.ts   (BENCH_JSON=1 for JSON lines)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../src/machine/index.js';
import { median, report } from './harness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (f: string) => join(root, 'test/fixtures/bin', f);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);

function runBare(name: string, engine: 'interp' | 'jit', opts: { quantum?: number; harts?: number } = {}) {
  const m = Machine.create({ ram: 0x800000, engine, ...opts });
  m.loadElf(readFileSync(bin(`${name}.rv64imac.elf`)));
  const t0 = performance.now();
  const r = m.run({ maxInsns: 1e10 });
  const ms = performance.now() - t0;
  if (r.reason !== 'halted' || r.exitCode !== 0) throw new Error(`${name}: ${r.reason} ${r.exitCode}`);
  return { ms, insns: r.instructions, stats: m.jitStats() };
}

function qemuMs(elf: string): number | undefined {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const r = spawnSync('qemu-riscv64', [elf], { stdio: 'ignore' });
    if (r.error || r.status !== 0) return undefined;
    times.push(performance.now() - t0);
  }
  return median(times);
}

for (const name of ['compute', 'calls']) {
  // interleaved: interp, jit (first run of the process compiles; later runs reuse the compiled modules)
  const interp: number[] = [];
  const jit: number[] = [];
  let insns = 0;
  const first = runBare(name, 'jit');
  for (let i = 0; i < REPEATS; i++) {
    const a = runBare(name, 'interp');
    const b = runBare(name, 'jit');
    interp.push(a.ms);
    jit.push(b.ms);
    insns = a.insns;
  }
  const mi = insns / median(interp) / 1e3;
  const mj = insns / median(jit) / 1e3;
  report('jit', `${name}: interpreter (M instr/s, median of ${REPEATS})`, mi, 'M instr/s', { name, engine: 'interp' });
  report('jit', `${name}: block compiler, modules reused (M instr/s)`, mj, 'M instr/s', { name, engine: 'jit' });
  report('jit', `${name}: block compiler, first run incl. compiling (M instr/s)`, insns / first.ms / 1e3, 'M instr/s', { name, first: true });
  report('jit', `${name}: jit / interp`, mj / mi, 'x', { name });
  const st = first.stats!;
  report('jit', `${name}: blocks compiled`, st.compiled, 'blocks', { name });
  report('jit', `${name}: compile time per block (incl. instantiate)`, st.compileMs / Math.max(1, st.compiled), 'ms', { name });
  report('jit', `${name}: code size per block`, st.codeBytes / Math.max(1, st.compiled), 'bytes', { name });
  report('jit', `${name}: guest instructions per block`, st.blockInsns / Math.max(1, st.compiled + st.reused), 'insns', { name });
  const q = qemuMs(bin(`${name}.linux.elf`));
  if (q !== undefined) {
    // qemu runs the Linux build (same program, glibc start-up included: ~17.6 M instructions for compute)
    report('jit', `${name}: qemu-riscv64 (Linux build, whole process, ms)`, q, 'ms', { name });
    report('jit', `${name}: block compiler run time / qemu process time`, median(jit) / q, 'x', { name });
  }
}

// deterministic mode, 2 harts, quantum 1,000 (the multihart fixture at 2 harts is short: use compute on 1 hart with
// quantum 1,000 as the scheduler-bound figure)
const q1000: number[] = [];
let qInsns = 0;
for (let i = 0; i < REPEATS; i++) {
  const r = runBare('compute', 'jit', { quantum: 1000 });
  q1000.push(r.ms);
  qInsns = r.insns;
}
report('jit', 'compute, deterministic quantum 1,000, block compiler', qInsns / median(q1000) / 1e3, 'M instr/s');
