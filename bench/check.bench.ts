// The interleaving checker (issue 10): schedules per second per core on the standard 2-hart scenario (process CPU
// time, so other load on the machine does not count), and how often each strategy hits each negative control.
// Run: npx tsx bench/check.bench.ts   (BENCH_JSON=1 for JSON lines; CHECK_SCHEDULES=N per row, default 1000;
// CHECK_ONLY=speed for the speed line alone)
import { readFileSync } from 'node:fs';
import { explore, type CheckOptions, type StrategyName } from '../src/check/explore.js';
import type { ProtocolRef } from '../src/check/replay-file.js';
import { DEFAULT_SCENARIO, type ScenarioName } from '../src/check/scenario.js';
import { parseProtocolFile } from '../src/patch/protocol-file.js';
import { median, report } from './harness.js';

const N = Number(process.env.CHECK_SCHEDULES ?? 1000);
const file = (name: string): ProtocolRef => ({ file: parseProtocolFile(JSON.parse(readFileSync(new URL(`../protocols/${name}.json`, import.meta.url), 'utf8'))) });

async function run(o: { scenario?: ScenarioName; scheme?: string; protocol?: ProtocolRef; profile?: CheckOptions['profile']; strategy: StrategyName; schedules: number }) {
  const cpu0 = process.cpuUsage();
  const r = await explore({
    scenario: { ...DEFAULT_SCENARIO, name: o.scenario ?? 'ftrace', scheme: o.scheme ?? 'callops', harts: 2 },
    profile: o.profile ?? 'riscv',
    protocol: o.protocol ?? { name: 'atomic' },
    strategy: o.strategy,
    schedules: o.schedules,
    seed: 1,
    keep: 0,
    version: 'bench',
  });
  const cpu = process.cpuUsage(cpu0);
  return { r, cpuS: (cpu.user + cpu.system) / 1e6 };
}

// speed: the standard scenario (ftrace register / filter / unregister, callops, 2 harts, atomic), three runs
const speeds: number[] = [];
for (let i = 0; i < 3; i++) {
  const { r, cpuS } = await run({ strategy: 'random', schedules: Math.min(N, 1000) });
  speeds.push(r.schedules / cpuS);
}
report('check', 'standard 2-hart scenario: schedules per second per core', median(speeds), 'schedules/s', { target: 2000 });

if (process.env.CHECK_ONLY !== 'speed') {
  const controls: [string, Parameters<typeof run>[0]][] = [
    ['teardown without grace period', { protocol: file('unsafe/atomic-no-grace-period'), strategy: 'random', schedules: N }],
    ['atomic without remote fence.i', { protocol: file('unsafe/atomic-no-fencei'), strategy: 'random', schedules: N }],
    ['breakpoint without middle sync', { protocol: file('unsafe/breakpoint-no-middle-sync'), strategy: 'random', schedules: N }],
    ['32-bit poke at 2 mod 4', { scenario: 'poke-rvc', strategy: 'random', schedules: N }],
    ['riscv-legacy without stop_machine', { scheme: 'riscv-legacy', protocol: file('unsafe/text-poke-no-stop'), strategy: 'random', schedules: N }],
    ['riscv-legacy with stop_machine', { scheme: 'riscv-legacy', protocol: { name: 'stop-machine' }, strategy: 'random', schedules: N }],
    ['trampoline teardown without grace period', { scheme: 'trampoline', protocol: file('unsafe/atomic-no-grace-period'), strategy: 'random', schedules: N }],
    ['jump label at 2 mod 4', { scenario: 'static-key-misaligned4', strategy: 'random', schedules: N }],
    ['site word before literal (callops)', { protocol: file('unsafe/atomic-site-before-literal'), strategy: 'random', schedules: N }],
  ];
  for (const strategy of ['random', 'pct', 'exhaustive'] as const) {
    for (const [name, o] of controls) {
      const { r, cpuS } = await run({ ...o, strategy });
      const inv = Object.entries(r.byInvariant).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
      report('check', `${strategy}: ${name}: schedules with a violation (${inv})`, (100 * r.violations) / r.schedules, '%', { schedules: r.schedules, k: r.params.k, cpuS: Number(cpuS.toFixed(1)) });
    }
    for (const p of ['atomic', 'stop-machine', 'breakpoint', 'stop-all']) {
      const { r } = await run({ protocol: { name: p }, strategy, schedules: N });
      report('check', `${strategy}: ${p} as intended: schedules with a violation (stale site runs ${r.witness.staleExecutions})`, r.violations, 'schedules', { schedules: r.schedules });
    }
  }
}
