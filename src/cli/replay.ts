// `ftrace-lab replay FILE`: re-run a counterexample written by `check` and print what happened around the violation.
import { CheckError } from '../check/errors.js';
import { parseReplayFile } from '../check/replay-file.js';
import { formatReplay, replayCounterexample } from '../check/replay.js';
import { version } from './version.js';
import { ArgCursor, VerbUsageError } from './verb-args.js';
import { readInputFile, verbMain } from './verb-main.js';

export const REPLAY_USAGE = `usage: ftrace-lab replay [--json] FILE

Re-runs the schedule of a counterexample that \`ftrace-lab check\` wrote (same scenario, protocol, profile, memory
model, seed, decisions and cache evictions), one instruction per decision, and prints: the last events in order (each
hart's instructions with the site version it ran, the protocol's steps between them), each hart's last instructions,
and the violated invariant in one sentence. Exit 1 when the violation happens again, 0 when the schedule ran clean.

  --json   one JSON object: {invariant, message, decision, timeline: [{decision, who, text}]}`;

export function parseReplayArgs(argv: readonly string[]): { file: string; json: boolean } | 'help' {
  let file: string | undefined;
  let json = false;
  const c = new ArgCursor(argv);
  for (let w = c.next(); w !== undefined; w = c.next()) {
    if (w === '-h' || w === '--help') return 'help';
    else if (w === '--json') json = true;
    else if (w.startsWith('-')) throw new VerbUsageError(`unknown option '${w}'`);
    else if (file !== undefined) throw new VerbUsageError(`unexpected argument '${w}'`);
    else file = w;
  }
  if (file === undefined) throw new VerbUsageError('a replay FILE is needed');
  return { file, json };
}

export const main = verbMain('replay', REPLAY_USAGE, parseReplayArgs, async (a) => {
  const text = readInputFile(a.file).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CheckError('CHECK_BAD_REPLAY', `${a.file}: not JSON (${(e as Error).message})`);
  }
  const r = await replayCounterexample(parseReplayFile(json, version()));
  if (a.json) {
    const v = r.violation;
    process.stdout.write(JSON.stringify({ invariant: v?.invariant ?? null, message: v?.message ?? null, decision: r.timeline.at(-1)?.decision ?? null, timeline: r.timeline.slice(-40) }) + '\n');
  } else process.stdout.write(formatReplay(r) + '\n');
  return r.violation ? 1 : 0;
});
