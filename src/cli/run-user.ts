// `ftrace-lab run --user prog [args...]`: runs a static Linux program as a U-mode process with host-served syscalls.
import { readSync } from 'node:fs';
import { resolve } from 'node:path';
import { FtraceLabError } from '../errors.js';
import { runUserProgram, type UserRunResult } from '../user/index.js';
import { EXIT_BUDGET, EXIT_GUEST_FAULT } from './exit-codes.js';
import type { RunArgs } from './run.js';
import { exitStatusOf, guestWrite, readInputFile, report, say as sayAs } from './verb-main.js';

/** Up to max bytes of the host's stdin (blocking); empty at end of file. */
function readHostStdin(max: number): Uint8Array {
  const buf = Buffer.alloc(Math.min(max, 1 << 16));
  for (;;) {
    try {
      return buf.subarray(0, readSync(0, buf, 0, buf.length, null));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (code === 'EOF') return new Uint8Array(0);
      throw e;
    }
  }
}

/** Guest environment: the host's (like qemu-riscv64) unless --clear-env, then --env edits. */
function guestEnv(args: RunArgs): string[] {
  const env = new Map<string, string>();
  if (!args.clearEnv) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env.set(k, v);
  for (const kv of args.env ?? []) {
    const i = kv.indexOf('=');
    env.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** Process status for a finished user run (shell conventions for signals). */
export function userExitStatus(r: UserRunResult): number {
  if (r.status === 'budget') return EXIT_BUDGET;
  if (r.status === 'deadlock') return EXIT_GUEST_FAULT;
  return r.exitCode;
}

export async function runUser(args: RunArgs): Promise<number> {
  const say = (line: string): void => sayAs('run', line);
  const elf = readInputFile(args.file);
  const files = new Map<string, Uint8Array>();
  for (const [guest, host] of args.maps ?? []) files.set(guest, readInputFile(host));
  const t0 = performance.now();
  let r: UserRunResult;
  try {
    r = runUserProgram(elf, {
      argv: [args.file, ...(args.guestArgs ?? [])],
      exePath: resolve(args.file),
      env: guestEnv(args),
      files,
      ...(args.ram !== undefined ? { ram: args.ram } : {}),
      maxInsns: args.maxInsns,
      io: {
        readStdin: readHostStdin,
        writeStdout: (b) => guestWrite(1, b),
        writeStderr: (b) => guestWrite(2, b),
        diagnostic: say,
      },
    });
  } catch (e) {
    if (!(e instanceof FtraceLabError)) throw e;
    say(`${args.file}: ${e.message}`);
    return exitStatusOf(e);
  }
  const seconds = (performance.now() - t0) / 1000;
  const status = userExitStatus(r);
  if (r.status === 'signaled') say(`guest killed by ${r.detail}`);
  if (r.status === 'deadlock') say(`guest deadlocked: ${r.detail}`);
  if (r.status === 'budget') say(`instruction budget of ${args.maxInsns} exhausted`);
  const mips = seconds > 0 ? r.instructions / seconds / 1e6 : 0;
  if (args.stats) report(`instructions: ${r.instructions}  seconds: ${seconds.toFixed(3)}  M instr/s: ${mips.toFixed(1)}`);
  if (args.json) {
    const line = { instructions: r.instructions, seconds, mips, status: r.status, exitCode: r.exitCode, signal: r.signal?.name ?? null, unknownSyscalls: r.unknownSyscalls };
    report(JSON.stringify(line));
  }
  return status;
}
