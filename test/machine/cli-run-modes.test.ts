// `ftrace-lab run --harts/--mode/--seed/--quantum`: the deterministic --json line is reproducible for one seed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, toElf } from '../../src/isa/index.js';
import { spinlockCounter } from './programs.js';

const cli = join(import.meta.dirname, '../../dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'ftl-run-'));
const elf = join(dir, 'spin.elf');
writeFileSync(elf, toElf(assemble(spinlockCounter(3, 3000, true))));

function jsonLine(args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [cli, 'run', elf, '--json', ...args], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  const line = JSON.parse(r.stderr.trim().split('\n').pop()!) as Record<string, unknown>;
  delete line.seconds;
  delete line.mips;
  return line;
}

describe('ftrace-lab run with several harts', () => {
  it('prints an identical --json line (apart from seconds and mips) for two runs with one seed', () => {
    const a = jsonLine(['--harts', '3', '--seed', '9', '--quantum', '5']);
    const b = jsonLine(['--harts', '3', '--seed', '9', '--quantum', '5']);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ stopReason: 'halted', exitCode: 0, mode: 'deterministic', seed: 9, quantum: 5 });
    expect((a.harts as unknown[]).length).toBe(3);
    const c = jsonLine(['--harts', '3', '--seed', '10', '--quantum', '5']);
    expect(c.harts).not.toEqual(a.harts);
  });

  it('--engine interp and --engine jit print the same --json line; a bad engine is a usage error', () => {
    const a = jsonLine(['--harts', '3', '--seed', '4', '--quantum', '50', '--engine', 'interp']);
    const b = jsonLine(['--harts', '3', '--seed', '4', '--quantum', '50', '--engine', 'jit']);
    expect(b).toEqual(a);
    const r = spawnSync(process.execPath, [cli, 'run', elf, '--engine', 'fast'], { encoding: 'utf8' });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain("--engine: expected one of jit, interp, got 'fast'");
  });

  it('runs the harts in parallel workers with --mode parallel', () => {
    const a = jsonLine(['--harts', '3', '--mode', 'parallel']);
    expect(a).toMatchObject({ stopReason: 'halted', exitCode: 0, mode: 'parallel' });
  });

  it('rejects a bad mode or quantum with exit status 64', () => {
    for (const bad of [['--mode', 'fast'], ['--quantum', '0'], ['--seed', '-1']]) {
      const r = spawnSync(process.execPath, [cli, 'run', elf, ...bad], { encoding: 'utf8' });
      expect(r.status).toBe(64);
      expect(r.stderr).toMatch(/ftrace-lab run:/);
    }
    expect(execFileSync(process.execPath, [cli, 'run', '--help'], { encoding: 'utf8' })).toMatch(/--quantum/);
  });
});
