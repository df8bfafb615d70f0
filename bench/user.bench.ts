// Linux-user mode vs qemu-riscv64: wall time of the compute fixture's glibc build, in-process and as whole processes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../src/machine/index.js';
import { runUserProgram } from '../src/user/index.js';
import { measure, median, report } from './harness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const elfPath = join(root, 'test/fixtures/bin/compute.linux.elf');
const elf = readFileSync(elfPath);
const RUNS = 5;

let insns = 0;
const here = await measure('user compute', () => {
  const r = runUserProgram(elf, { argv: ['compute.linux.elf'] });
  if (r.status !== 'exited' || r.exitCode !== 0) throw new Error(`compute: ${r.status} ${r.exitCode}`);
  insns = r.instructions;
}, { iterations: RUNS, warmupIterations: 1 });

// the same program built bare-metal (no translation): the Linux-user target is within 1.3x of its time
const bareElf = readFileSync(join(root, 'test/fixtures/bin/compute.rv64imac.elf'));
let bareInsns = 0;
const bare = await measure('bare compute', () => {
  const m = Machine.create({ ram: 0x800000 });
  m.loadElf(bareElf);
  const r = m.run({ maxInsns: 1e10 });
  if (r.reason !== 'halted' || r.exitCode !== 0) throw new Error(`compute: ${r.reason} ${r.exitCode}`);
  bareInsns = r.instructions;
}, { iterations: RUNS, warmupIterations: 1 });

/** Median wall time (ms) of a whole process, started RUNS times. */
function processMs(cmd: string, args: string[]): number | undefined {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.error || r.status !== 0) return undefined;
    times.push(performance.now() - t0);
  }
  return median(times);
}

const qemuMs = processMs('qemu-riscv64', [elfPath]);
const cliMs = processMs(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'run', '--user', elfPath]);

report('user', `compute.linux.elf in-process (${(insns / 1e6).toFixed(1)} M instructions)`, here.medianMs, 'ms');
report('user', 'compute.linux.elf in-process', insns / here.medianMs / 1000, 'M instr/s');
report('user', `compute.rv64imac.elf bare-metal (${(bareInsns / 1e6).toFixed(1)} M instructions)`, bareInsns / bare.medianMs / 1000, 'M instr/s');
report('user', 'ratio Linux-user / bare-metal time per instruction', (here.medianMs / insns) / (bare.medianMs / bareInsns), 'x');
if (cliMs !== undefined) report('user', 'compute.linux.elf: ftrace-lab run --user (process)', cliMs, 'ms');
if (qemuMs === undefined) {
  process.stdout.write('user         qemu-riscv64 not available: no ratio\n');
} else {
  report('user', 'compute.linux.elf: qemu-riscv64 (process)', qemuMs, 'ms');
  report('user', 'ratio ftrace-lab in-process / qemu-riscv64', here.medianMs / qemuMs, 'x');
  if (cliMs !== undefined) report('user', 'ratio ftrace-lab process / qemu-riscv64', cliMs / qemuMs, 'x');
}
