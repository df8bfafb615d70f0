// `ftrace-lab trace`: boot a program (ELF or synthetic kernel) under the Lab, trace the selected functions to its end, print the trace.
import { linuxAbiEvidence } from '../elf/linux-abi.js';
import { FtraceLabError } from '../errors.js';
import { Lab } from '../lab/lab.js';
import type { LabMode, LabOptions, LabScheme } from '../lab/options.js';
import { formatPlan } from '../lab/plan-format.js';
import { formatStep } from '../patch/steps.js';
import { PROTOCOL_NAMES, type ProtocolName } from '../patch/protocols/index.js';
import { SCHEME_NAMES, schemeDescriptor } from '../ftrace/schemes/registry.js';
import type { RunResult } from '../machine/machine.js';
import { formatTraceHeader, formatTraceLine } from '../tracefs/trace-format.js';
import { traceUserMain } from './trace-user.js';
import { EXIT_BUDGET, EXIT_DATAERR, EXIT_GUEST_FAULT } from './exit-codes.js';
import { ArgCursor, parseChoice, parseIntArg, VerbUsageError } from './verb-args.js';
import { guestWrite, readInputFile, say, setDebug, verbMain } from './verb-main.js';

export const TRACE_USAGE = `usage: ftrace-lab trace (prog.elf | --kernel N) [-l GLOB]... [-n GLOB]... [-p function|count]
                       [--harts N] [--mode deterministic|parallel] [--scheme NAME] [--seed N]
                       [--protocol NAME] [--sample-calls N] [--buffer-kb N] [--dry-run] [--max-insns N]
       ftrace-lab trace --user [-l GLOB]... [-n GLOB]... [--scheme NAME] [--buffer-kb N]
                       [--max-insns N] prog [args...]

Runs the program to its end with the function tracer on and prints the trace in the kernel function tracer's
format (one line per traced call: '... TIMESTAMP: func <-parent'); the hart is the CPU. The program's
UART output goes to stderr.

  prog.elf          a RISC-V ELF built with -fpatchable-function-entry (sites with a misaligned entry or
                    without the NOPs are reported on stderr and left untraced)
  --kernel N        the synthetic kernel with N functions instead (plus the ftrace-ops sample)
  --user            prog is a static riscv64 Linux program (gcc -static -fpatchable-function-entry=8,4) run as
                    a U-mode process (as run --user); everything after prog is its argv; its stdout and stderr
                    go to stderr; exit status as run --user. Sites are patched before it starts (one hart,
                    function tracer, default buffer 1024 KiB)
  -l GLOB           set_ftrace_filter pattern (repeatable; default: every function)
  -n GLOB           set_ftrace_notrace pattern (repeatable)
  -p TRACER         function (default) or count (prints hits per function)
  --harts N         harts, 1 to 32 (default 1)
  --mode M          deterministic (default) or parallel
  --scheme S        call-site scheme: ${SCHEME_NAMES.join(', ')} (default callops)
  --seed N          deterministic scheduler seed, 0 to 4294967295 (default 0; deterministic mode only)
  --protocol NAME   patch protocol for updates while harts run: ${PROTOCOL_NAMES.join(', ')} (default: the
                    scheme's own: atomic for the 6.16 sites, stop-machine for riscv-legacy);
                    with --dry-run the steps it would take are printed after the plan
  --sample-calls N  synthetic kernel: calls of tracee_relevant by the sample driver (default 10)
  --buffer-kb N     per-hart trace ring buffer (default 256)
  --dry-run         print the patch plan of enabling the tracer (one line per write) and exit
  --max-insns N     instruction budget (default 1e9); exit 124 when exhausted`;

export interface TraceArgs {
  file?: string;
  kernel?: number;
  filter: string[];
  notrace: string[];
  tracer: 'function' | 'count';
  harts: number;
  mode: LabMode;
  scheme: LabScheme;
  seed: number;
  protocol: ProtocolName;
  sampleCalls: number;
  bufferKb: number;
  dryRun: boolean;
  maxInsns: number;
  /** Linux-user mode: the program's arguments (argv[1..]). */
  user?: { args: string[] };
}

export function parseTraceArgs(argv: readonly string[]): TraceArgs | 'help' {
  const a: TraceArgs = {
    filter: [], notrace: [], tracer: 'function', harts: 1, mode: 'deterministic', scheme: 'callops', seed: 0, protocol: 'atomic',
    sampleCalls: 10, bufferKb: 256, dryRun: false, maxInsns: 1e9,
  };
  const c = new ArgCursor(argv);
  let bufferKbGiven = false;
  let seedGiven = false;
  let protocolGiven = false;
  for (let w = c.next(); w !== undefined; w = c.next()) {
    if (a.user && a.file !== undefined) a.user.args.push(w); // everything after the program belongs to it
    else if (w === '-h' || w === '--help') return 'help';
    else if (w === '--debug') setDebug(true);
    else if (w === '--user') a.user = { args: [] };
    else if (w === '--kernel') a.kernel = parseIntArg(c.value(w), w, 1, 100_000);
    else if (w === '-l') a.filter.push(c.value(w));
    else if (w === '-n') a.notrace.push(c.value(w));
    else if (w === '-p') a.tracer = parseChoice(c.value(w), w, ['function', 'count'] as const);
    else if (w === '--harts') a.harts = parseIntArg(c.value(w), w, 1, 32);
    else if (w === '--mode') a.mode = parseChoice(c.value(w), w, ['deterministic', 'parallel'] as const);
    else if (w === '--scheme') a.scheme = parseChoice(c.value(w), w, SCHEME_NAMES);
    else if (w === '--seed') {
      a.seed = parseIntArg(c.value(w), w, 0, 0xffffffff);
      seedGiven = true;
    }
    else if (w === '--protocol') {
      a.protocol = parseChoice(c.value(w), w, PROTOCOL_NAMES);
      protocolGiven = true;
    }
    else if (w === '--sample-calls') a.sampleCalls = parseIntArg(c.value(w), w, 0, 1e9);
    else if (w === '--buffer-kb') {
      a.bufferKb = parseIntArg(c.value(w), w, 1, 65536);
      bufferKbGiven = true;
    }
    else if (w === '--dry-run') a.dryRun = true;
    else if (w === '--max-insns') a.maxInsns = parseIntArg(c.value(w), w, 0, 1e13);
    else if (w.startsWith('-')) throw new VerbUsageError(`unknown option '${w}'`);
    else if (a.file === undefined) a.file = w;
    else throw new VerbUsageError(`unexpected argument '${w}'`);
  }
  if (!protocolGiven) a.protocol = schemeDescriptor(a.scheme).protocol;
  if ((a.file === undefined) === (a.kernel === undefined)) throw new VerbUsageError('give either an ELF file or --kernel N');
  if (a.mode === 'parallel' && seedGiven) throw new VerbUsageError('--seed only applies to --mode deterministic (parallel harts are scheduled by the host OS)');
  if (a.user) {
    if (a.kernel !== undefined) throw new VerbUsageError('--user traces a program file, not --kernel');
    if (a.tracer !== 'function' || a.harts !== 1 || a.mode !== 'deterministic' || a.dryRun) {
      throw new VerbUsageError('--user supports the function tracer on one deterministic hart (no -p count, --harts, --mode, --dry-run)');
    }
    if (!bufferKbGiven) a.bufferKb = 1024;
  }
  return a;
}

function labOptions(a: TraceArgs): LabOptions {
  const common = { harts: a.harts, mode: a.mode, scheme: a.scheme, seed: a.seed, bufferSizeKb: a.bufferKb, protocol: a.protocol };
  if (a.file !== undefined) return { ...common, elf: readInputFile(a.file) };
  return { ...common, kernel: { functions: a.kernel!, runSample: true, nrCalls: a.sampleCalls } };
}

function exitStatus(r: RunResult): number {
  if (r.reason === 'halted') return Math.min(r.exitCode ?? 0, 255);
  if (r.reason === 'budget') return EXIT_BUDGET;
  return EXIT_GUEST_FAULT;
}

export async function traceMain(a: TraceArgs): Promise<number> {
  const opts = labOptions(a);
  let lab: Lab;
  try {
    lab = await Lab.create(opts);
  } catch (e) {
    const why = opts.elf && e instanceof FtraceLabError ? linuxAbiEvidence(opts.elf) : undefined;
    if (!why) throw e;
    say('trace', `${a.file} is a Linux program (${why}): trace it with 'ftrace-lab trace --user ${a.file}'`);
    return EXIT_DATAERR;
  }
  for (const r of lab.rejected) say('trace', `${r.symbol}: left untraced (${r.reason}: ${r.detail})`);
  const handle = await lab.ftrace.register({
    tracer: a.tracer,
    ...(a.filter.length ? { filter: a.filter } : {}),
    ...(a.notrace.length ? { notrace: a.notrace } : {}),
  });
  if (a.dryRun) {
    const plan = lab.ftrace.plan();
    process.stdout.write(formatPlan(plan));
    process.stdout.write(`\n# steps of the ${lab.protocol.name} protocol while harts run\n`);
    process.stdout.write(lab.previewSteps(plan).map((s) => formatStep(s) + '\n').join(''));
    return 0;
  }
  const lines: string[] = [];
  if (a.tracer === 'function') lab.trace.drainer.onEvents((batch) => batch.forEach((e) => lines.push(formatTraceLine(e) + '\n')));
  const r = await lab.run({ maxInsns: a.maxInsns });
  lab.trace.clear();
  const uart = lab.machine.takeUartOutput();
  if (uart) guestWrite(2, uart); // the program's own console output, kept apart from the trace
  const lost = lab.trace.lost().perHart.reduce((s, n) => s + n, 0);
  if (a.tracer === 'function') {
    process.stdout.write(formatTraceHeader({ tracer: 'function', entries: lines.length, written: lines.length + lost, cpus: a.harts }));
    for (let i = 0; i < lines.length; i += 4096) process.stdout.write(lines.slice(i, i + 4096).join(''));
  }
  if (a.tracer === 'count') {
    const counts = [...lab.ftrace.counts(handle)].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
    process.stdout.write(`  Function                               Hit\n  --------                               ---\n`);
    for (const [name, n] of counts) process.stdout.write(`  ${name.padEnd(38)} ${n}\n`);
  }
  if (lost) say('trace', `${lost} events lost (ring buffer full; try --buffer-kb)`);
  if (r.reason === 'budget') say('trace', `instruction budget of ${a.maxInsns} exhausted`);
  else if (r.reason !== 'halted') say('trace', `the guest stopped: ${r.reason}`);
  else if (lines.length === 0 && a.tracer === 'function') say('trace', 'no traced calls');
  return exitStatus(r);
}

export const main = verbMain('trace', TRACE_USAGE, parseTraceArgs, (a) => (a.user ? traceUserMain(a, a.user.args) : traceMain(a)));
