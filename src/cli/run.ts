// `ftrace-lab run prog.elf`: runs an ELF on the emulated machine, UART to stdout, guest exit code as the process status.
import { linuxAbiEvidence } from '../elf/linux-abi.js';
import { FtraceLabError } from '../errors.js';
import { Machine, type MachineMode, type RunResult } from '../machine/index.js';
import { MAX_HARTS } from '../machine/layout.js';
import { DEFAULT_MAX_INSNS, type EngineKind } from '../machine/machine.js';
import { formatFault } from '../machine/fault.js';
import { readSignature, SIGNATURE_GRANULARITIES, signatureRegion, type SignatureGranularity } from '../machine/signature.js';
import type { ElfImage } from '../elf/types.js';
import { EXIT_BUDGET, EXIT_DATAERR, EXIT_GUEST_FAULT } from './exit-codes.js';
import { ArgCursor, parseChoice, parseIntArg, parseSizeArg, VerbUsageError } from './verb-args.js';
import { guestWrite, isDebug, readInputFile, report, say as sayAs, setDebug, verbMain, writeOutputFile } from './verb-main.js';

export const RUN_USAGE = `usage: ftrace-lab run prog.elf [--ram 128M] [--harts N] [--mode parallel|deterministic] [--seed S]
                            [--quantum Q] [--engine jit|interp] [--max-insns N] [--gdb PORT] [--signature FILE]
                            [--stats] [--json]
       ftrace-lab run --user [--map GUEST=HOST]... [--env K=V]... [--clear-env] [--ram 128M] [--max-insns N]
                            [--stats] [--json] prog [args...]

  --ram SIZE       guest RAM at 0x80000000: 64K to 2G, a multiple of 4K (K/M/G suffixes; default 128M)
  --harts N        number of harts (1 to 32), all starting at the ELF entry (default 1)
  --mode M         deterministic (default: all harts in one thread, seeded schedule) or parallel (one worker per hart)
  --seed S         seed of the deterministic schedule, 0 to 4294967295 (default 0; deterministic mode only)
  --quantum Q      largest number of instructions one hart runs per scheduling decision, 1 to 2^31-1
                   (deterministic mode only; default 1000000 for one hart, 1000 for more; 1 interleaves at every
                   instruction)
  --engine E       jit (default: hot blocks compiled to Wasm, same results) or interp (the interpreter only)
  --max-insns N    instruction budget for all harts together, 0 to 1e15 (default 1e10); exit 124 when exhausted
  --signature FILE write the memory from begin_signature to end_signature to FILE when the run ends (RISCOF /
                   riscv-arch-test device under test; one line per word, as Spike's +signature)
  --signature-granularity G   bytes per signature line: 1, 2, 4, 8 or 16 (default 4)
  --gdb PORT       wait for gdb on 127.0.0.1:PORT before the first instruction (0 = any free port, printed), then
                   serve the gdb remote protocol: one thread per hart, registers, memory, breakpoints, step,
                   continue (deterministic mode only). In gdb: target remote 127.0.0.1:PORT
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
export class RunUsageError extends VerbUsageError {
  constructor(message: string) {
    super(message, 'RUN_USAGE');
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
  /** --signature FILE and its granularity (bytes per line). */
  signature?: string;
  signatureGranularity?: SignatureGranularity;
  /** --gdb PORT: serve the gdb remote protocol on 127.0.0.1:PORT. */
  gdb?: number;
  stats: boolean;
  json: boolean;
  /** Linux-user mode (--user): guest argv[1..], --map pairs, environment edits. */
  user?: boolean;
  guestArgs?: string[];
  maps?: [string, string][];
  env?: string[];
  clearEnv?: boolean;
}

/** Guest RAM limits (Machine.create's). */
const RAM_MIN = 64 * 1024;
const RAM_MAX = 2 * 1024 ** 3;

/** Parses '128M', '64k', '0x100000', '1048576' as a --ram value. */
export function parseSize(text: string, option = '--ram'): number {
  return parseSizeArg(text, option, RAM_MIN, RAM_MAX, 4096);
}

/** Parses '1e10', '5000000', '10_000' as an instruction count. */
export function parseCount(text: string, option = '--max-insns'): number {
  return parseIntArg(text, option, 0, MAX_INSNS_LIMIT);
}

/** Largest --max-insns (and the budget of any run). */
export const MAX_INSNS_LIMIT = 1e15;

export function parseRunArgs(argv: string[]): RunArgs | 'help' {
  const args: Partial<RunArgs> & { maxInsns: number; stats: boolean; json: boolean } = {
    maxInsns: DEFAULT_MAX_INSNS,
    stats: false,
    json: false,
  };
  const c = new ArgCursor(argv);
  for (let a = c.next(); a !== undefined; a = c.next()) {
    if (args.user && args.file !== undefined) {
      args.guestArgs!.push(a, ...c.rest()); // everything after the program belongs to the guest
      break;
    }
    if (a === '-h' || a === '--help') return 'help';
    else if (a === '--debug') setDebug(true);
    else if (a === '--user') {
      args.user = true;
      args.guestArgs = [];
    } else if (a === '--map') {
      const m = /^([^=]+)=(.+)$/.exec(c.value(a));
      if (!m) throw new RunUsageError('--map: expected GUEST=HOST (a guest path and a host file)');
      (args.maps ??= []).push([m[1]!, m[2]!]);
    } else if (a === '--env') {
      const v = c.value(a);
      if (!/^[^=]+=/.test(v)) throw new RunUsageError(`--env: expected K=V, got '${v}'`);
      (args.env ??= []).push(v);
    } else if (a === '--clear-env') args.clearEnv = true;
    else if (a === '--ram') args.ram = parseSize(c.value(a));
    else if (a === '--harts') args.harts = parseIntArg(c.value(a), a, 1, MAX_HARTS);
    else if (a === '--max-insns') args.maxInsns = parseCount(c.value(a));
    else if (a === '--mode') args.mode = parseChoice(c.value(a), a, ['deterministic', 'parallel'] as const);
    else if (a === '--seed') args.seed = parseIntArg(c.value(a), a, 0, 0xffffffff);
    else if (a === '--quantum') args.quantum = parseIntArg(c.value(a), a, 1, 0x7fffffff);
    else if (a === '--signature') args.signature = c.value(a);
    else if (a === '--gdb') args.gdb = parseIntArg(c.value(a), a, 0, 65535);
    else if (a === '--signature-granularity') {
      const g = parseIntArg(c.value(a), a, 1, 16);
      if (!(SIGNATURE_GRANULARITIES as readonly number[]).includes(g)) throw new RunUsageError(`${a}: expected one of ${SIGNATURE_GRANULARITIES.join(', ')}, got '${g}'`);
      args.signatureGranularity = g as SignatureGranularity;
    } else if (a === '--engine') {
      args.engine = parseChoice(c.value(a), a, ['jit', 'interp'] as const);
    } else if (a === '--stats') args.stats = true;
    else if (a === '--json') args.json = true;
    else if (a.startsWith('-')) throw new RunUsageError(`unknown option '${a}'`);
    else if (args.file === undefined) args.file = a;
    else throw new RunUsageError(`unexpected argument '${a}' (one program per run${args.user ? '' : '; its arguments need --user'})`);
  }
  if (args.file === undefined) throw new RunUsageError('missing the program to run (an ELF file)');
  if (!args.user && (args.maps || args.env || args.clearEnv)) throw new RunUsageError('--map, --env and --clear-env need --user');
  if (args.user && (args.signature !== undefined || args.signatureGranularity !== undefined)) throw new RunUsageError('--signature applies to bare-metal programs, not --user');
  if (args.gdb !== undefined && (args.user || args.mode === 'parallel')) {
    throw new RunUsageError(`--gdb debugs a bare-metal program on deterministic harts (not ${args.user ? '--user' : '--mode parallel'})`);
  }
  if (args.signatureGranularity !== undefined && args.signature === undefined) throw new RunUsageError('--signature-granularity needs --signature FILE');
  if (args.user && (args.harts !== undefined || args.mode !== undefined || args.seed !== undefined || args.quantum !== undefined || args.engine !== undefined)) {
    throw new RunUsageError('--harts, --mode, --seed, --quantum and --engine do not apply to --user (one process, one hart, interpreted)');
  }
  if (args.mode === 'parallel' && (args.seed !== undefined || args.quantum !== undefined)) {
    const which = [args.seed !== undefined ? '--seed' : '', args.quantum !== undefined ? '--quantum' : ''].filter(Boolean).join(' and ');
    throw new RunUsageError(`${which} only apply to --mode deterministic (parallel harts are scheduled by the host OS)`);
  }
  return args as RunArgs;
}

/** Process exit status for a finished run. */
export function exitStatus(r: RunResult): number {
  if (r.reason === 'halted') return Math.min(r.exitCode ?? 0, 255);
  if (r.reason === 'budget') return EXIT_BUDGET;
  return EXIT_GUEST_FAULT;
}

/** A Linux program given to the bare-metal board: say what it is and how to run it. */
function linuxHint(file: string, bytes: Uint8Array): string | undefined {
  const why = linuxAbiEvidence(bytes);
  return why && `${file} is a Linux program (${why}), not a bare-metal one: run it with 'ftrace-lab run --user ${file}'`;
}

/** Exit status when gdb killed the program (128 + SIGKILL, as a shell reports it). */
export const EXIT_KILLED = 137;

/**
 * Serves gdb on 127.0.0.1:port until the session ends; a detach (or a closed connection) lets the program run on to its
 * end without the debugger. The result covers the whole run, or 'killed'.
 */
async function runUnderGdb(machine: Machine, port: number, maxInsns: number): Promise<RunResult | 'killed'> {
  const { serveGdb } = await import('../gdb/server.js');
  const before = machine.harts.map((h) => h.retired);
  const end = await serveGdb(machine, {
    port,
    maxInsns,
    onListening: (p) => sayAs('run', `waiting for gdb on 127.0.0.1:${p} (in gdb: target remote 127.0.0.1:${p})`),
    ...(isDebug() ? { log: (line: string) => report(`gdb ${line}`) } : {}),
  });
  if (end.kind === 'killed') return 'killed';
  if (end.kind === 'exited') return { ...end.result, ...spent(machine, before) };
  const used = machine.harts.reduce((s, h, i) => s + Number(h.retired - before[i]!), 0);
  const r = await machine.start({ maxInsns: Math.max(0, maxInsns - used) });
  return { ...r, ...spent(machine, before) };
}

/** Instructions retired since `before` (per hart and in total). */
function spent(machine: Machine, before: bigint[]): Pick<RunResult, 'instructions' | 'harts'> {
  const harts = machine.harts.map((h, i) => ({ instructions: Number(h.retired - before[i]!) }));
  return { harts, instructions: harts.reduce((s, h) => s + h.instructions, 0) };
}

async function runMain(args: RunArgs): Promise<number> {
  if (args.user) return (await import('./run-user.js')).runUser(args);
  const say = (line: string): void => sayAs('run', line);
  const bytes = readInputFile(args.file);
  const machine = Machine.create({
    ...(args.ram !== undefined ? { ram: args.ram } : {}),
    ...(args.harts !== undefined ? { harts: args.harts } : {}),
    ...(args.mode !== undefined ? { mode: args.mode } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    ...(args.quantum !== undefined ? { quantum: args.quantum } : {}),
    ...(args.engine !== undefined ? { engine: args.engine } : {}),
    recordSchedule: false,
    onUart: (text) => guestWrite(1, text),
  });
  let image: ElfImage;
  try {
    image = machine.loadElf(bytes);
    if (args.signature !== undefined) signatureRegion(image); // a missing begin/end_signature fails before the run
  } catch (e) {
    if (!(e instanceof FtraceLabError)) throw e;
    const hint = linuxHint(args.file, bytes);
    say(hint ?? `${args.file}: ${e.message}`);
    return EXIT_DATAERR;
  }
  const t0 = performance.now();
  let r: RunResult;
  if (args.gdb !== undefined) {
    const g = await runUnderGdb(machine, args.gdb, args.maxInsns);
    if (g === 'killed') {
      say('killed by gdb');
      return EXIT_KILLED;
    }
    r = g;
  } else r = await machine.start({ maxInsns: args.maxInsns });
  const seconds = (performance.now() - t0) / 1000;
  const mips = seconds > 0 ? r.instructions / seconds / 1e6 : 0;
  const status = exitStatus(r);
  if (args.signature !== undefined) writeOutputFile(args.signature, readSignature(machine.memory, image, args.signatureGranularity ?? 4));
  if (r.reason === 'fault' && r.fault) say(formatFault(r.fault));
  if (r.reason === 'wfi') say('every hart waits in wfi and no interrupt can wake it');
  if (r.reason === 'budget') say(`instruction budget of ${args.maxInsns} exhausted`);
  if (args.stats) report(`instructions: ${r.instructions}  seconds: ${seconds.toFixed(3)}  M instr/s: ${mips.toFixed(1)}`);
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
    report(JSON.stringify(line));
  }
  return status;
}

export const main = verbMain('run', RUN_USAGE, parseRunArgs, runMain);
