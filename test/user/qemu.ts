// Test helper: runs a Linux-user ELF under qemu-riscv64 (the oracle) with a fixed environment and captures everything.
import { spawnSync } from 'node:child_process';

export const QEMU = 'qemu-riscv64';
export const haveQemu = spawnSync(QEMU, ['--version'], { encoding: 'utf8' }).status === 0;
/** CI installs qemu-user (.ci/run), so there a missing qemu is a failure, not a skip. */
export const requireQemu = Boolean(process.env.CI);

export interface OracleRun {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit status, or 128 + signal number like a shell reports a killed process. */
  status: number;
}

const SIGNALS: Record<string, number> = { SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGSEGV: 11 };

export function runQemu(elf: string, args: string[], opts: { cwd: string; env?: Record<string, string>; input?: Uint8Array }): OracleRun {
  const r = spawnSync(QEMU, [elf, ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env },
    input: opts.input ?? new Uint8Array(0),
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  const status = r.status ?? 128 + (SIGNALS[r.signal ?? ''] ?? 0);
  return { stdout: r.stdout, stderr: r.stderr, status };
}
