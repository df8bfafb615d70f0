// Helpers for checker tests: short explorations of the standard scenarios with fixed seeds, protocol files from protocols/.
import { readFileSync } from 'node:fs';
import { explore, type CheckOptions, type CheckResult } from '../../src/check/explore.js';
import type { ProtocolRef } from '../../src/check/replay-file.js';
import { DEFAULT_SCENARIO, type ScenarioName } from '../../src/check/scenario.js';
import { parseProtocolFile } from '../../src/patch/protocol-file.js';

export const TEST_VERSION = 'test';

/** A protocol file shipped in protocols/ (e.g. 'unsafe/atomic-no-grace-period'). */
export function shipped(name: string): ProtocolRef {
  return { file: parseProtocolFile(JSON.parse(readFileSync(new URL(`../../protocols/${name}.json`, import.meta.url), 'utf8'))) };
}

export interface ShortCheck extends Partial<Omit<CheckOptions, 'scenario'>> {
  readonly scenario?: ScenarioName;
  readonly scheme?: string;
  readonly harts?: number;
}

/** A short exploration (random strategy, seed 1 unless given). */
export function check(o: ShortCheck): Promise<CheckResult> {
  return explore({
    scenario: { ...DEFAULT_SCENARIO, name: o.scenario ?? 'ftrace', scheme: o.scheme ?? 'callops', harts: o.harts ?? 2 },
    profile: o.profile ?? 'riscv',
    protocol: o.protocol ?? { name: 'atomic' },
    strategy: o.strategy ?? 'random',
    schedules: o.schedules ?? 100,
    seed: o.seed ?? 1,
    keep: o.keep ?? 1,
    version: TEST_VERSION,
    ...(o.depth !== undefined ? { depth: o.depth } : {}),
    ...(o.bound !== undefined ? { bound: o.bound } : {}),
    ...(o.memory !== undefined ? { memory: o.memory } : {}),
    ...(o.shard !== undefined ? { shard: o.shard } : {}),
  });
}
