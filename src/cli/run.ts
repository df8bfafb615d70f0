// `ftrace-lab run prog.elf`: runs an ELF on the emulated machine, UART to stdout, guest exit code as the process status.
import { readFileSync } from 'node:fs';
import { FtraceLabError } from '../errors.js';
import { Machine, type MachineMode, type RunResult } from '../machine/index.js';
import { DEFAULT_MAX_INSNS, type EngineKind } from '../machine/machine.js';
import { formatFault } from '../machine/fault.js';
import { EXIT_BUDGET, EXIT_DATAERR, EXIT_GUEST_FAULT, EXIT_USAGE } from './exit-codes.js';

export const RUN_USAGE = `usage: ftrace-lab run prog.elf [--ram 128M] [--harts N] [--mode parallel|deterministic] [--seed S]
                            [--quantum Q] [--engine jit|interp] [--max-insns N] [--stats] [--json]
       ftrace-lab run --user [--map GUEST=HOST]... [--env K=V]... [--clear-env] [--ram 128M] [--max-insns N]
                            [--stats] [--json] prog [args...]

  --ram SIZE       guest RAM at 0x80000000 (bytes, or with K/M/G suffix; default 128M)
  --harts N        number of harts, all starting at the ELF entry (default 1)
  --mode M         deterministic (default: all harts in one thread, seeded schedule) or parallel (one worker per hart)
  --seed S         seed of the deterministic schedule (default 0)
  --quantum Q      largest number of instructions one hart runs per scheduling decision (deterministic mode;
                   default 1000000 for one hart, 1000 for more; 1 interleaves at every instruction)
  --engine E       jit (default: hot blocks compiled to Wasm, same results) or interp (the interpreter only)
  --max-insns N    instruction budget for all harts together (default 1e10); exit 124 when exhausted
  --stats          print instructions retired, seconds and M instructions/s to stderr
  --json           print one JSON line with the run statistics to stderr

Linux-user mode (--user): runs a static riscv64 Linux program (gcc -static) as a U-mode process; the host serves
its syscalls. Everything after prog is the guest's argv[1..]. The guest sees the host environment (like
qemu-riscv64) unless --clear-env, and only the files given with --map (read-only):
  --map GUEST=HOST  the guest may open GUEST (a path, relative ones resolve from '/') and reads HOST's bytes
  --env K=V         set (or with --clear-env: only these) guest environment variables

Exit status: the guest's exit code (tohost value >> 1, capped at 255), 124 when the budget ran out,
125 when the guest is stuck in a trap storm or every hart waits forever, 65 for a bad ELF file.
With --user: the exit_group code, 128 + signal when a fault killed it (SIGSEGV 139, SIGILL 132),
125 when it would sleep forever (futex wait with no other thread).`;

/** A bad command line. */
export class RunUsageError extends FtraceLabError {
  constructor(message: string) {
    super('RUN_USAGE', message);
  }
}

export interface RunArgs {
  file: string;
  ram?: number;
  harts?: number;
  mode?: MachineMode;
  seed?: number;
  quantum?: number;
  engine?: EngineKind;
  maxInsns: number;
  stats: boolean;
  json: boolean;
  /** Linux-user mode (--user): guest argv[1..], --map pairs, environment edits. */
  user?: boolean;
  guestArgs?: string[];
  maps?: [string, string][];
  env?: string[];
  clearEnv?: boolean;
}

/** Parses '128M', '64k', '0x100000', '1048576'. */
export function parseSize(text: string): number {
  const m = /^(0x[0-9a-f]+|\d+)([kmg])?i?b?$/i.exec(text.trim());
  if (!m) throw new RunUsageError(`bad size '${text}' (expected e.g. 128M, 65536, 0x100000)`);
  const mult = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  return Number(m[1]) * mult;
}

/** Parses '1e10', '5000000', '10_000'. */
export function parseCount(text: string): number {
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0 || !Number.isInteger(n)) {
    throw new RunUsageError(`bad instruction count '${text}' (expected a non-negative integer such as 1000000 or 1e9)`);
  }
  return n;
}

export function parseRunArgs(argv: string[]): RunArgs | 'help' {
  const args: Partial<RunArgs> & { maxInsns: number; stats: boolean; json: boolean } = {
    maxInsns: DEFAULT_MAX_INSNS,
    stats: false,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new RunUsageError(`${a} needs a value`);
      return v;
    };
    if (args.user && args.file !== undefined) {
      args.guestArgs!.push(a); // everything after the program belongs to the guest
      continue;
    }
    if (a === '-h' || a === '--help') return 'help';
    else if (a === '--user') {
      args.user = true;
      args.guestArgs = [];
    } else if (a === '--map') {
      const m = /^([^=]+)=(.+)$/.exec(value());
      if (!m) throw new RunUsageError('--map needs GUEST=HOST');
      (args.maps ??= []).push([m[1]!, m[2]!]);
    } else if (a === '--env') {
      const v = value();
      if (!/^[^=]+=/.test(v)) throw new RunUsageError('--env needs K=V');
      (args.env ??= []).push(v);
    } else if (a === '--clear-env') args.clearEnv = true;
    else if (a === '--ram') args.ram = parseSize(value());
    else if (a === '--harts') args.harts = parseCount(value());
    else if (a === '--max-insns') args.maxInsns = parseCount(value());
    else if (a === '--mode') {
      const m = value();
      if (m !== 'parallel' && m !== 'deterministic') throw new RunUsageError(`--mode must be parallel or deterministic, got '${m}'`);
      args.mode = m;
    } else if (a === '--seed') args.seed = parseCount(value());
    else if (a === '--quantum') {
      args.quantum = parseCount(value());
      if (args.quantum < 1) throw new RunUsageError('--quantum must be at least 1');
    }
    else if (a === '--engine') {
      const e = value();
      if (e !== 'jit' && e !== 'interp') throw new RunUsageError(`--engine must be jit or interp, got '${e}'`);
      args.engine = e;
    } else if (a === '--stats') args.stats = true;
    else if (a === '--json') args.json = true;
    else if (a.startsWith('-')) throw new RunUsageError(`unknown option ${a}`);
    else if (args.file === undefined) args.file = a;
    else throw new RunUsageError(`unexpected argument ${a}`);
  }
  if (args.file === undefined) throw new RunUsageError('missing ELF file');
  if (!args.user && (args.maps || args.env || args.clearEnv)) throw new RunUsageError('--map, --env and --clear-env need --user');
  if (args.user && (args.harts !== undefined || args.mode !== undefined || args.seed !== undefined || args.quantum !== undefined || args.engine !== undefined)) {
    throw new RunUsageError('--harts, --mode, --seed, --quantum and --engine do not apply to --user (one process, one hart, interpreted)');
  }
  return args as RunArgs;
}

/** Process exit status for a finished run. */
export function exitStatus(r: RunResult): number {
  if (r.reason === 'halted') return Math.min(r.exitCode ?? 0, 255);
  if (r.reason === 'budget') return EXIT_BUDGET;
  return EXIT_GUEST_FAULT;
}

export async function main(argv: string[]): Promise<number> {
  let args: RunArgs | 'help';
  try {
    args = parseRunArgs(argv);
  } catch (e) {
    if (!(e instanceof RunUsageError)) throw e;
    process.stderr.write(`ftrace-lab run: ${e.message}\n${RUN_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (args === 'help') {
    process.stdout.write(RUN_USAGE + '\n');
    return 0;
  }
  if (args.user) return (await import('./run-user.js')).runUser(args);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(args.file);
  } catch (e) {
    process.stderr.write(`ftrace-lab run: cannot read ${args.file}: ${(e as Error).message}\n`);
    return EXIT_DATAERR;
  }
  let machine: Machine;
  try {
    machine = Machine.create({
      ...(args.ram !== undefined ? { ram: args.ram } : {}),
      ...(args.harts !== undefined ? { harts: args.harts } : {}),
      ...(args.mode !== undefined ? { mode: args.mode } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args.quantum !== undefined ? { quantum: args.quantum } : {}),
      ...(args.engine !== undefined ? { engine: args.engine } : {}),
      recordSchedule: false,
      onUart: (text) => process.stdout.write(text),
    });
    machine.loadElf(bytes);
  } catch (e) {
    if (!(e instanceof FtraceLabError)) throw e;
    process.stderr.write(`ftrace-lab run: ${args.file}: ${e.message}\n`);
    return e.code.startsWith('MACHINE_BAD_OPTION') ? EXIT_USAGE : EXIT_DATAERR;
  }
  const t0 = performance.now();
  const r = await machine.start({ maxInsns: args.maxInsns });
  const seconds = (performance.now() - t0) / 1000;
  const mips = seconds > 0 ? r.instructions / seconds / 1e6 : 0;
  const status = exitStatus(r);
  if (r.reason === 'fault' && r.fault) process.stderr.write(`ftrace-lab run: ${formatFault(r.fault)}\n`);
  if (r.reason === 'wfi') process.stderr.write('ftrace-lab run: every hart waits in wfi and no interrupt can wake it\n');
  if (r.reason === 'budget') process.stderr.write(`ftrace-lab run: instruction budget of ${args.maxInsns} exhausted\n`);
  if (args.stats) {
    process.stderr.write(`instructions: ${r.instructions}  seconds: ${seconds.toFixed(3)}  M instr/s: ${mips.toFixed(1)}\n`);
  }
  if (args.json) {
    const line = {
      instructions: r.instructions,
      seconds,
      mips,
      exitCode: r.reason === 'halted' ? (r.exitCode ?? 0) : null,
      stopReason: r.reason,
      status,
      harts: r.harts,
      mode: machine.mode,
      ...(machine.scheduler ? { seed: machine.scheduler.seed, quantum: machine.scheduler.quantum } : {}),
    };
    process.stderr.write(JSON.stringify(line) + '\n');
  }
  return status;
}
