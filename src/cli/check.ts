// `ftrace-lab check`: explore interleavings of a patch protocol with running harts, count invariant violations, write counterexamples as replay files; sharded, with mergeable JSON.
import { join, resolve } from 'node:path';
import { explore, STRATEGIES, type CheckResult, type StrategyName } from '../check/explore.js';
import { INVARIANTS } from '../check/monitor.js';
import { PROFILE_NAMES, type ProfileName } from '../check/profiles.js';
import { formatReplayFile, type ProtocolRef } from '../check/replay-file.js';
import { DEFAULT_SCENARIO, SCENARIO_NAMES, type ScenarioName } from '../check/scenario.js';
import { SCHEME_NAMES } from '../ftrace/schemes/index.js';
import { schemeDescriptor } from '../ftrace/schemes/registry.js';
import { protocolFromText } from '../patch/protocol-file.js';
import { PROTOCOL_NAMES } from '../patch/protocols/index.js';
import { version } from './version.js';
import { ArgCursor, parseChoice, parseIntArg, VerbUsageError } from './verb-args.js';
import { ensureOutputDir, readInputFile, verbMain, writeOutputFile } from './verb-main.js';

export const CHECK_USAGE = `usage: ftrace-lab check [--scheme S] [--protocol NAME | --protocol-file F] [--profile riscv|arm64|armv7|s390]
                       [--harts N] [--schedules N] [--strategy pct|random|exhaustive] [--seed S] [--shard i/n]
                       [--scenario NAME] [--depth D] [--bound B] [--slice N] [--memory rvwmo|sc] [--keep N]
                       [--json] [--out DIR]

Runs a scenario (harts calling traced functions in a loop while the host lands a script of updates with the patch
protocol) under many schedules of the deterministic scheduler, checking the invariants while each runs:
${Object.entries(INVARIANTS).map(([k, v]) => `  ${k.padEnd(24)} ${v}`).join('\n')}
Exit 0 when every schedule is clean, 1 when a violation was found (its replay files are in --out).

  --scheme S         call-site scheme: ${SCHEME_NAMES.join(', ')} (default callops)
  --protocol NAME    built-in protocol: ${PROTOCOL_NAMES.join(', ')} (default: the scheme's own, atomic for
                     the 6.16 sites, stop-machine for riscv-legacy and trampoline-far)
  --protocol-file F  a protocol written as JSON (see protocols/*.json)
  --profile P        arch safety profile: ${PROFILE_NAMES.join(', ')} (default riscv)
  --harts N          2..4 (default 2)
  --schedules N      schedules of the whole exploration, all shards together (default 1000)
  --strategy S       random (default: a uniform walk over the runnable parties with seeded slices and
                     cache evictions), pct (priorities with depth-1 change points: PCT's probability bound)
                     or exhaustive (every schedule with at most --bound delays from round-robin, in order)
  --seed S           master seed (default 1); schedule i uses a seed mixed from (S, i)
  --shard i/n        run only schedules i, i+n, i+2n ... (merge the JSON of all shards with check-merge)
  --scenario NAME    ${SCENARIO_NAMES.join(', ')} (default ftrace)
  --depth D          PCT bug depth (default 3)
  --bound B          exhaustive: most delays per schedule (default 2)
  --slice N          largest hart slice per decision, 1..256 (default 32; exhaustive: the fixed slice, 16)
  --memory M         rvwmo (default: the host's stores between ordering points land in a seeded order) or sc
  --keep N           counterexamples to keep (default 3)
  --json             one JSON object on stdout (scheme, protocol, profile, harts, strategy, schedules,
                     violations, shard, counterexamples [{invariant, replayFile}], ...)
  --out DIR          where replay files go (default check-out)`;

export interface CheckArgs {
  scheme: string;
  protocol: ProtocolRef | { path: string };
  profile: ProfileName;
  harts: number;
  schedules: number;
  strategy: StrategyName;
  seed: number;
  shard: { index: number; count: number };
  scenario: ScenarioName;
  depth: number;
  bound: number;
  slice: number | undefined;
  memory: 'rvwmo' | 'sc';
  keep: number;
  json: boolean;
  out: string;
}

function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new VerbUsageError(`--shard must be i/n with 0 <= i < n, got '${text}'`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

export function parseCheckArgs(argv: readonly string[]): CheckArgs | 'help' {
  const a: CheckArgs = {
    scheme: 'callops',
    protocol: { name: 'atomic' },
    profile: 'riscv',
    harts: 2,
    schedules: 1000,
    strategy: 'random',
    seed: 1,
    shard: { index: 0, count: 1 },
    scenario: 'ftrace',
    depth: 3,
    bound: 2,
    slice: undefined,
    memory: 'rvwmo',
    keep: 3,
    json: false,
    out: 'check-out',
  };
  let protocolGiven = false;
  const c = new ArgCursor(argv);
  for (let w = c.next(); w !== undefined; w = c.next()) {
    if (w === '-h' || w === '--help') return 'help';
    else if (w === '--scheme') a.scheme = parseChoice(c.value(w), w, SCHEME_NAMES);
    else if (w === '--protocol' || w === '--protocol-file') {
      if (protocolGiven) throw new VerbUsageError('give one of --protocol and --protocol-file, once');
      protocolGiven = true;
      if (w === '--protocol') a.protocol = { name: parseChoice(c.value(w), w, PROTOCOL_NAMES) };
      else a.protocol = { path: c.value(w) };
    } else if (w === '--profile') a.profile = parseChoice(c.value(w), w, PROFILE_NAMES);
    else if (w === '--harts') a.harts = parseIntArg(c.value(w), w, 2, 4);
    else if (w === '--schedules') a.schedules = parseIntArg(c.value(w), w, 1, 1e12);
    else if (w === '--strategy') a.strategy = parseChoice(c.value(w), w, STRATEGIES);
    else if (w === '--seed') a.seed = parseIntArg(c.value(w), w, 0, 0xffffffff);
    else if (w === '--shard') a.shard = parseShard(c.value(w));
    else if (w === '--scenario') a.scenario = parseChoice(c.value(w), w, SCENARIO_NAMES);
    else if (w === '--depth') a.depth = parseIntArg(c.value(w), w, 1, 8);
    else if (w === '--bound') a.bound = parseIntArg(c.value(w), w, 0, 4);
    else if (w === '--slice') a.slice = parseIntArg(c.value(w), w, 1, 256);
    else if (w === '--memory') a.memory = parseChoice(c.value(w), w, ['rvwmo', 'sc'] as const);
    else if (w === '--keep') a.keep = parseIntArg(c.value(w), w, 0, 1000);
    else if (w === '--json') a.json = true;
    else if (w === '--out') a.out = c.value(w);
    else throw new VerbUsageError(w.startsWith('-') ? `unknown option '${w}'` : `unexpected argument '${w}'`);
  }
  if (!protocolGiven) a.protocol = { name: schemeDescriptor(a.scheme).protocol };
  return a;
}

/** Replay files of the kept counterexamples, named after the exploration and the schedule. */
export function writeReplays(r: CheckResult, out: string): void {
  if (r.counterexamples.length === 0) return;
  ensureOutputDir(out);
  for (const cx of r.counterexamples) {
    const name = `${r.scheme}-${r.protocol.replace(/ \(file\)$/, '')}-${r.profile}-${r.strategy}-s${r.seed}-${cx.index}-${cx.invariant}.json`;
    const file = join(out, name);
    writeOutputFile(file, formatReplayFile(cx.replay));
    cx.replayFile = resolve(file);
  }
}

/** The result as the --json object (replay contents stay in their files). */
export function resultJson(r: CheckResult): object {
  return { ...r, counterexamples: r.counterexamples.map(({ replay: _replay, ...rest }) => rest) };
}

export function formatResult(r: CheckResult): string {
  const inv = Object.entries(r.byInvariant).map(([k, n]) => `${k} ${n}`).join(', ');
  const lines = [
    `${r.schedules} schedules of ${r.scenario.name} (${r.scheme}, ${r.harts} harts), protocol ${r.protocol}, profile ${r.profile}, ${r.strategy} (depth ${r.params.depth}, k ${r.params.k}), memory ${r.params.memory}, shard ${r.shard}`,
    r.violations === 0 ? 'clean: no invariant violated' : `${r.violations} schedules violated an invariant: ${inv}`,
    ...r.counterexamples.map((c) => `  ${c.invariant}: ${c.message}\n    replay: ftrace-lab replay ${c.replayFile ?? '(not written)'}`),
    `${(r.elapsedMs / 1000).toFixed(1)} s, ${((r.schedules / Math.max(1, r.elapsedMs)) * 1000).toFixed(0)} schedules/s`,
  ];
  return lines.join('\n');
}

export const main = verbMain('check', CHECK_USAGE, parseCheckArgs, async (a) => {
  const tty = process.stderr.isTTY === true;
  const protocol: ProtocolRef = 'path' in a.protocol ? { file: protocolFromText(readInputFile(a.protocol.path).toString('utf8'), a.protocol.path).file } : a.protocol;
  const r = await explore({
    scenario: { ...DEFAULT_SCENARIO, name: a.scenario, scheme: a.scheme, harts: a.harts },
    profile: a.profile,
    protocol,
    strategy: a.strategy,
    memory: a.memory,
    depth: a.depth,
    bound: a.bound,
    ...(a.slice !== undefined ? { slice: a.slice } : {}),
    schedules: a.schedules,
    seed: a.seed,
    shard: a.shard,
    keep: a.keep,
    version: version(),
    progressEvery: 200,
    onProgress: (p) => {
      const text = `check: ${p.done}/${p.total} schedules, ${((p.done / p.elapsedMs) * 1000).toFixed(0)}/s, ${p.violations} violations`;
      process.stderr.write(tty ? `\r${text}   ` : `${text}\n`);
    },
  });
  if (tty) process.stderr.write('\n');
  writeReplays(r, a.out);
  if (a.json) process.stdout.write(JSON.stringify(resultJson(r)) + '\n');
  else process.stdout.write(formatResult(r) + '\n');
  return r.violations > 0 ? 1 : 0;
});

