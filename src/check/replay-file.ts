// Counterexamples as files: the replay JSON (scenario, profile, protocol, strategy, seed, the schedule and its evictions), written compactly and validated strictly on load.
import { AGENT } from '../machine/sched/deterministic.js';
import { parseProtocolFile, type ProtocolFile } from '../patch/protocol-file.js';
import { CheckError } from './errors.js';
import { INVARIANTS, type InvariantName } from './monitor.js';
import { PROFILE_NAMES, type ProfileName } from './profiles.js';
import { isScenarioName, type ScenarioSpec } from './scenario.js';
import type { Decision } from './strategies.js';

export const REPLAY_FORMAT = 'ftrace-lab-replay/1';

/** A protocol by built-in name, or the whole protocol file (so a replay does not depend on a path). */
export type ProtocolRef = { readonly name: string } | { readonly file: ProtocolFile };

export interface ReplayFile {
  readonly format: typeof REPLAY_FORMAT;
  /** ftrace-lab version that wrote it (a replay runs only on the same version: the guest code must be identical). */
  readonly version: string;
  readonly scenario: ScenarioSpec;
  readonly profile: ProfileName;
  readonly memory: 'sc' | 'rvwmo';
  readonly protocol: ProtocolRef;
  readonly strategy: string;
  /** Index of the schedule in its exploration and the seed it was drawn from. */
  readonly index: number;
  readonly seed: number;
  readonly invariant: InvariantName;
  readonly message: string;
  /** Decisions as `hart:budget` tokens (hart `A` = the host agent), `xN` repeating one N times. */
  readonly schedule: string;
  /** Decisions before which every hart's decode cache was evicted. */
  readonly evictions: readonly number[];
}

/** Run-length encoded decisions: "0:12 A:1x3 1:5". */
export function encodeSchedule(ds: readonly Decision[]): string {
  const out: string[] = [];
  for (let i = 0; i < ds.length; ) {
    const d = ds[i]!;
    let n = 1;
    while (i + n < ds.length && ds[i + n]!.hart === d.hart && ds[i + n]!.budget === d.budget) n++;
    const tok = `${d.hart === AGENT ? 'A' : d.hart}:${d.budget}`;
    out.push(n > 1 ? `${tok}x${n}` : tok);
    i += n;
  }
  return out.join(' ');
}

export function decodeSchedule(text: string): Decision[] {
  const out: Decision[] = [];
  for (const [i, tok] of text.split(/\s+/).filter(Boolean).entries()) {
    const m = /^(A|\d{1,2}):(\d{1,10})(?:x(\d{1,7}))?$/.exec(tok);
    if (!m) throw new CheckError('CHECK_BAD_REPLAY', `$.schedule: token ${i + 1} '${tok}' is not hart:budget[xN]`);
    const hart = m[1] === 'A' ? AGENT : Number(m[1]);
    const budget = Number(m[2]);
    if (budget < 1) throw new CheckError('CHECK_BAD_REPLAY', `$.schedule: token ${i + 1} '${tok}' grants no instruction`);
    for (let n = Number(m[3] ?? 1); n > 0; n--) out.push({ hart, budget });
  }
  return out;
}

function bad(path: string, message: string): never {
  throw new CheckError('CHECK_BAD_REPLAY', `${path}: ${message}`);
}

/** Validates a parsed replay file written by this `version`. */
export function parseReplayFile(json: unknown, version: string): ReplayFile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('$', 'a replay file is a JSON object');
  const o = json as Record<string, unknown>;
  if (o.format !== REPLAY_FORMAT) bad('$.format', `expected "${REPLAY_FORMAT}", got ${JSON.stringify(o.format)} (not a replay file, or another format version)`);
  if (o.version !== version) bad('$.version', `written by ftrace-lab ${JSON.stringify(o.version)}, this is ${version}: replays need the same guest code, re-run the check to get a new one`);
  const s = o.scenario as Record<string, unknown> | undefined;
  if (!s || typeof s !== 'object') bad('$.scenario', 'missing');
  if (!isScenarioName(s.name)) bad('$.scenario.name', `unknown scenario ${JSON.stringify(s.name)}`);
  for (const k of ['harts', 'functions', 'kernelSeed', 'startAt'] as const) if (!Number.isSafeInteger(s[k])) bad(`$.scenario.${k}`, 'expected an integer');
  if (typeof s.scheme !== 'string') bad('$.scenario.scheme', 'expected a scheme name');
  if (!PROFILE_NAMES.includes(o.profile as ProfileName)) bad('$.profile', `expected one of ${PROFILE_NAMES.join(', ')}`);
  if (o.memory !== 'sc' && o.memory !== 'rvwmo') bad('$.memory', 'expected "sc" or "rvwmo"');
  const p = o.protocol as Record<string, unknown> | undefined;
  let protocol: ProtocolRef;
  if (p && typeof p.name === 'string') protocol = { name: p.name };
  else if (p && typeof p.file === 'object') {
    try {
      protocol = { file: parseProtocolFile(p.file) };
    } catch (e) {
      bad('$.protocol.file', (e as Error).message);
    }
  } else bad('$.protocol', 'expected {"name": ...} or {"file": {...}}');
  if (!(typeof o.invariant === 'string' && o.invariant in INVARIANTS)) bad('$.invariant', 'unknown invariant');
  if (typeof o.schedule !== 'string') bad('$.schedule', 'expected a string of decisions');
  decodeSchedule(o.schedule);
  if (!Array.isArray(o.evictions) || o.evictions.some((e) => !Number.isSafeInteger(e) || (e as number) < 0)) bad('$.evictions', 'expected an array of decision numbers');
  for (const k of ['index', 'seed'] as const) if (!Number.isSafeInteger(o[k])) bad(`$.${k}`, 'expected an integer');
  return {
    format: REPLAY_FORMAT,
    version,
    scenario: s as unknown as ScenarioSpec,
    profile: o.profile as ProfileName,
    memory: o.memory,
    protocol,
    strategy: String(o.strategy ?? ''),
    index: o.index as number,
    seed: o.seed as number,
    invariant: o.invariant as InvariantName,
    message: String(o.message ?? ''),
    schedule: o.schedule,
    evictions: o.evictions as number[],
  };
}

/** JSON text of a replay file (one decision string: small and diffable). */
export function formatReplayFile(r: ReplayFile): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
