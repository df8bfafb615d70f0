// Guards test/fixtures/expected/: runs every Linux-user fixture under qemu-riscv64 and compares stdout and exit code.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expectedStdout, FIXTURES_DIR, isLinuxElf, loadFixtureRuns } from './fixtures/manifest.js';

const QEMU = 'qemu-riscv64';
const haveQemu = spawnSync(QEMU, ['--version'], { encoding: 'utf8' }).status === 0;
const requireQemu = Boolean(process.env.CI);

/** Runs a Linux-user fixture with a small fixed environment, from test/fixtures/ so relative paths resolve. */
function runUnderQemu(elf: string, args: string[] = [], env: Record<string, string> = {}) {
  return spawnSync(QEMU, [elf, ...args], {
    cwd: FIXTURES_DIR,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe.skipIf(!haveQemu && !requireQemu)('Linux-user fixtures under qemu-riscv64', () => {
  it('has qemu-riscv64 (CI installs qemu-user)', () => {
    expect(haveQemu).toBe(true);
  });

  for (const run of loadFixtureRuns()) {
    for (const elf of run.elfs.filter(isLinuxElf)) {
      it(`${run.name}: ${elf} prints ${run.stdout} and exits ${run.exitCode}`, () => {
        const result = runUnderQemu(elf, run.args, run.env);
        expect(result.error).toBeUndefined();
        expect(result.stdout).toBe(expectedStdout(run));
        expect(result.status).toBe(run.exitCode);
      });
    }
  }

  it('linuxio reports a missing file with exit code 3', () => {
    const result = runUnderQemu('bin/linuxio.linux.elf', ['data/no-such-file.txt']);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('linuxio: open');
  });

  it('linuxio without a file argument prints usage and exits 2', () => {
    const result = runUnderQemu('bin/linuxio.linux.elf');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage');
    expect(result.stdout).toBe('');
  });

  it('linuxio exit code follows its input: (words + argc) & 0x7f', () => {
    const result = runUnderQemu('bin/linuxio.linux.elf', ['data/linuxio-input.txt']);
    expect(result.stdout).toContain('words 9 ');
    expect(result.status).toBe(9 + 2);
  });
});
