// Differential test: every Linux-user fixture prints the same stdout and stderr and exits the same under
// ftrace-lab's user mode as under qemu-riscv64 (plus linuxio's error paths).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runUserProgram } from '../../src/user/index.js';
import { FIXTURES_DIR, expectedStdout, fixturePath, isLinuxElf, loadFixtureRuns } from '../fixtures/manifest.js';
import { haveQemu, requireQemu, runQemu } from './qemu.js';

const dec = new TextDecoder();

/** Runs elf (relative to test/fixtures) under ftrace-lab with the same argv/env/files qemu gets. */
function runHere(elf: string, args: string[], env: Record<string, string>, files: string[]) {
  const r = runUserProgram(readFileSync(fixturePath(elf)), {
    argv: [elf, ...args],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    files: Object.fromEntries(files.map((f) => [f, readFileSync(fixturePath(f))])),
    maxInsns: 1e9,
  });
  return { stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr), status: r.exitCode, result: r };
}

function compare(elf: string, args: string[] = [], env: Record<string, string> = {}, files: string[] = []) {
  const here = runHere(elf, args, env, files);
  const oracle = runQemu(elf, args, { cwd: FIXTURES_DIR, env });
  expect(here.stdout).toBe(dec.decode(oracle.stdout));
  expect(here.stderr).toBe(dec.decode(oracle.stderr));
  expect(here.status).toBe(oracle.status);
  expect(here.result.unknownSyscalls).toEqual([]);
  return here;
}

describe('Linux-user fixtures: ftrace-lab user mode', () => {
  // Without the oracle the expected files (themselves made with qemu-riscv64) still pin the output.
  for (const run of loadFixtureRuns()) {
    for (const elf of run.elfs.filter(isLinuxElf)) {
      it(`${run.name}: ${elf} prints ${run.stdout} and exits ${run.exitCode}`, () => {
        const here = runHere(elf, run.args ?? [], run.env ?? {}, run.files ?? []);
        expect(here.stdout).toBe(expectedStdout(run));
        expect(here.status).toBe(run.exitCode);
        expect(here.result.status).toBe('exited');
      });
    }
  }
});

describe.skipIf(!haveQemu && !requireQemu)('Linux-user fixtures: ftrace-lab = qemu-riscv64 (stdout, stderr, exit code)', () => {
  it('has qemu-riscv64 (CI installs qemu-user)', () => {
    expect(haveQemu).toBe(true);
  });

  for (const run of loadFixtureRuns()) {
    for (const elf of run.elfs.filter(isLinuxElf)) {
      it(`${run.name}: ${elf}`, () => {
        compare(elf, run.args, run.env, run.files);
      }, 60_000);
    }
  }

  it('linuxio with a file outside the map: perror text on stderr, exit 3', () => {
    const here = compare('bin/linuxio.linux.elf', ['data/no-such-file.txt']);
    expect(here.stderr).toBe('linuxio: open: No such file or directory\n');
    expect(here.status).toBe(3);
  });

  it('linuxio without arguments: usage on stderr, exit 2', () => {
    expect(compare('bin/linuxio.linux.elf').status).toBe(2);
  });

  it('linuxio with fewer words and arguments: exit code follows the input', () => {
    expect(compare('bin/linuxio.linux.elf', ['data/linuxio-input.txt'], {}, ['data/linuxio-input.txt']).status).toBe(11);
  });
});
