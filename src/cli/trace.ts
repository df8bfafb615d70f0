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
import { basename } from 'node:path';
import type { PatchStepRecord } from '../export/recording.js';
import { FTRACE_RETFUNC_DEPTH } from '../guest/fgraph-layout.js';
import type { RegisterOptions } from '../lab/lab-ftrace.js';
import type { OpsHandle } from '../lab/ops-handle.js';
import { DEFAULT_TRACE_CLOCK_HZ, TRACE_CLOCKS, type TraceClockName } from '../lab/trace-clock.js';
import type { LabTraceEvent } from '../lab/trace-events.js';
import { GRAPH_TEXT_OPTIONS, TRACE_FORMATS, TraceSink, writeRecording, type GraphTextOption, type TraceFormat } from './trace-output.js';
import { EXIT_BUDGET, EXIT_DATAERR, EXIT_GUEST_FAULT } from './exit-codes.js';
import { ArgCursor, parseChoice, parseIntArg, VerbUsageError } from './verb-args.js';
import { guestWrite, readInputFile, say, setDebug, verbMain } from './verb-main.js';

export const TRACE_USAGE = `usage: ftrace-lab trace (prog.elf | --kernel N) [-l GLOB]... [-n GLOB]... [-p TRACER | --tracer TRACER]
                       [-g GLOB]... [--graph-notrace GLOB]... [--max-graph-depth N] [-O OPTION]...
                       [--harts N] [--mode deterministic|parallel] [--scheme NAME] [--seed N]
                       [--protocol NAME] [--enable-at N] [--sample-calls N] [--buffer-kb N] [--dry-run]
                       [--max-insns N] [--clock-hz N] [--trace-clock local|insns]
                       [--output FILE] [--format text|json|perfetto] [--livepatch OLD=NEW]...
       ftrace-lab trace --user [-l GLOB]... [-n GLOB]... [--scheme NAME] [--buffer-kb N]
                       [--max-insns N] [--clock-hz N] [--trace-clock local|insns] prog [args...]

Runs the program to its end with a tracer on and prints the trace in the kernel's format: the function tracer's
(one line per traced call: '... TIMESTAMP: func <-parent') or function_graph's (nested 'func() {' ... '}' with
durations); the hart is the CPU. Times come from each hart's own clock: its retired instructions, in ns at
--clock-hz. The program's UART output goes to stderr.

  prog.elf          a RISC-V ELF built with -fpatchable-function-entry (sites with a misaligned entry or
                    without the NOPs are reported on stderr and left untraced)
  --kernel N        the synthetic kernel with N functions instead (plus the ftrace-ops sample)
  --user            prog is a static riscv64 Linux program (gcc -static -fpatchable-function-entry=8,4) run as
                    a U-mode process (as run --user); everything after prog is its argv; its stdout and stderr
                    go to stderr; exit status as run --user. Sites are patched before it starts (one hart,
                    function tracer, default buffer 1024 KiB)
  -l GLOB           set_ftrace_filter pattern (repeatable; default: every function)
  -n GLOB           set_ftrace_notrace pattern (repeatable)
  -p, --tracer T    function (default), function_graph (calls and returns with durations), or count (hits
                    per function)
  -g GLOB           function_graph: set_graph_function pattern (repeatable): graph only these and their callees
  --graph-notrace G function_graph: set_graph_notrace pattern (repeatable): hide these and all below them
  --max-graph-depth N  function_graph: max_graph_depth (0 = unlimited, 1 = outermost calls only)
  -O OPTION         function_graph text option: funcgraph-tail, funcgraph-abstime, funcgraph-overrun,
                    nofuncgraph-duration, nofuncgraph-overhead (repeatable)
  --output FILE     write the trace to FILE instead of stdout (created before the run)
  --format F        text (default: the tracer's trace file), json (every event, for 'ftrace-lab report'), or
                    perfetto (Chrome Trace Event JSON for ui.perfetto.dev / chrome://tracing: a track per hart,
                    graph calls as slices, patch-protocol steps and IPIs on their own track)
  --clock-hz N      trace-clock frequency: ns = retired instructions x 1e9 / N (default 1e9, 1 ns per instruction)
  --trace-clock C   text timestamps: local (seconds.microseconds, default) or insns (raw instruction count)
  --livepatch OLD=NEW  every call to function OLD runs function NEW instead (deterministic mode): an
                    IPMODIFY ops on OLD whose synchronous host callback sets the resume pc in ftrace_regs to NEW,
                    as livepatch does (repeatable; one IPMODIFY ops per function)
  --enable-at N     deterministic mode: register the tracer live, through --protocol, once the harts have
                    retired N instructions in all (default: before the first instruction)
  --harts N         harts, 1 to 32 (default 1)
  --mode M          deterministic (default) or parallel
  --scheme S        call-site scheme: ${SCHEME_NAMES.join(', ')} (default callops)
  --seed N          deterministic scheduler seed, 0 to 4294967295 (default 0; deterministic mode only)
  --protocol NAME   patch protocol for updates while harts run: ${PROTOCOL_NAMES.join(', ')} (default: the
                    scheme's own: atomic for the 6.16 sites, stop-machine for riscv-legacy);
                    with --dry-run the steps it would take are printed after the plan
  --sample-calls N  synthetic kernel: calls of tracee_relevant by the sample driver (default 10)
  --passes N        synthetic kernel: every hart runs it N times in a loop (the live-patching workload, with a
                    quiescent point per pass) instead of once
  --buffer-kb N     per-hart trace ring buffer (default 256)
  --dry-run         print the patch plan of enabling the tracer (one line per write) and exit
  --max-insns N     instruction budget (default 1e9); exit 124 when exhausted`;

export interface TraceArgs {
  file?: string;
  kernel?: number;
  filter: string[];
  notrace: string[];
  tracer: 'function' | 'function_graph' | 'count';
  graphFunction: string[];
  graphNotrace: string[];
  maxGraphDepth?: number;
  graphText: GraphTextOption[];
  output?: string;
  format: TraceFormat;
  clockHz: number;
  traceClock: TraceClockName;
  enableAt?: number;
  passes?: number;
  livepatch: { old: string; new: string }[];
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
    filter: [], notrace: [], tracer: 'function', graphFunction: [], graphNotrace: [], graphText: [], livepatch: [], format: 'text', clockHz: DEFAULT_TRACE_CLOCK_HZ, traceClock: 'local', harts: 1, mode: 'deterministic', scheme: 'callops', seed: 0, protocol: 'atomic',
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
    else if (w === '-p' || w === '--tracer') a.tracer = parseChoice(c.value(w), w, ['function', 'function_graph', 'count'] as const);
    else if (w === '-g' || w === '--graph-function') a.graphFunction.push(c.value(w));
    else if (w === '--graph-notrace') a.graphNotrace.push(c.value(w));
    else if (w === '--max-graph-depth') a.maxGraphDepth = parseIntArg(c.value(w), w, 0, 0xffffffff);
    else if (w === '-O') a.graphText.push(parseChoice(c.value(w), w, GRAPH_TEXT_OPTIONS));
    else if (w === '--output' || w === '-o') a.output = c.value(w);
    else if (w === '--format') a.format = parseChoice(c.value(w), w, TRACE_FORMATS);
    else if (w === '--clock-hz') a.clockHz = parseIntArg(c.value(w), w, 1, 1e12);
    else if (w === '--trace-clock') a.traceClock = parseChoice(c.value(w), w, TRACE_CLOCKS);
    else if (w === '--enable-at') a.enableAt = parseIntArg(c.value(w), w, 0, 1e13);
    else if (w === '--passes') a.passes = parseIntArg(c.value(w), w, 1, 1e9);
    else if (w === '--livepatch') {
      const m = /^([A-Za-z_.$][\w.$]*)=([A-Za-z_.$][\w.$]*)$/.exec(c.value(w));
      if (!m) throw new VerbUsageError(`--livepatch: expected OLD=NEW (two function names), got '${c.value(w)}'`);
      a.livepatch.push({ old: m[1]!, new: m[2]! });
    }
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
  if (a.passes !== undefined && a.kernel === undefined) throw new VerbUsageError('--passes applies to --kernel N');
  if (a.mode === 'parallel' && a.livepatch.length > 0) throw new VerbUsageError('--livepatch needs --mode deterministic (the host runs its callback while the hart waits)');
  if (a.mode === 'parallel' && a.enableAt !== undefined) throw new VerbUsageError('--enable-at needs --mode deterministic');
  const graphOnly = a.graphFunction.length > 0 || a.graphNotrace.length > 0 || a.maxGraphDepth !== undefined || a.graphText.length > 0;
  if (graphOnly && a.tracer !== 'function_graph') throw new VerbUsageError('-g, --graph-notrace, --max-graph-depth and -O apply to --tracer function_graph');
  if (a.tracer === 'count' && a.format !== 'text') throw new VerbUsageError('--format json/perfetto export trace events: use --tracer function or function_graph');
  if (a.dryRun && (a.output !== undefined || a.format !== 'text')) throw new VerbUsageError('--dry-run prints the patch plan: no --output or --format');
  if (a.user) {
    if (a.kernel !== undefined) throw new VerbUsageError('--user traces a program file, not --kernel');
    if (a.tracer !== 'function' || a.harts !== 1 || a.mode !== 'deterministic' || a.dryRun || a.output !== undefined || a.format !== 'text' || a.enableAt !== undefined || a.livepatch.length > 0) {
      throw new VerbUsageError('--user supports the function tracer on one deterministic hart, as text on stdout (no -p, --harts, --mode, --dry-run, --output, --format, --enable-at, --livepatch)');
    }
    if (!bufferKbGiven) a.bufferKb = 1024;
  }
  return a;
}

function labOptions(a: TraceArgs): LabOptions {
  const common = { harts: a.harts, mode: a.mode, scheme: a.scheme, seed: a.seed, bufferSizeKb: a.bufferKb, protocol: a.protocol, clockHz: a.clockHz };
  if (a.file !== undefined) return { ...common, elf: readInputFile(a.file) };
  const loop = a.passes !== undefined ? { workload: 'loop' as const, iterations: a.passes } : {};
  return { ...common, kernel: { functions: a.kernel!, runSample: true, nrCalls: a.sampleCalls, ...loop } };
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
  const regOpts: RegisterOptions = {
    tracer: a.tracer,
    ...(a.filter.length ? { filter: a.filter } : {}),
    ...(a.notrace.length ? { notrace: a.notrace } : {}),
    ...(a.graphFunction.length ? { graphFunction: a.graphFunction } : {}),
    ...(a.graphNotrace.length ? { graphNotrace: a.graphNotrace } : {}),
    ...(a.maxGraphDepth !== undefined ? { maxGraphDepth: a.maxGraphDepth } : {}),
  };
  if (a.dryRun) {
    await lab.ftrace.register(regOpts);
    const plan = lab.ftrace.plan();
    process.stdout.write(formatPlan(plan));
    process.stdout.write(`\n# steps of the ${lab.protocol.name} protocol while harts run\n`);
    process.stdout.write(lab.previewSteps(plan).map((s) => formatStep(s) + '\n').join(''));
    return 0;
  }
  const sink = new TraceSink(a.output); // a bad --output fails now, before the run
  try {
    return await traceRun(lab, a, regOpts, sink);
  } finally {
    sink.close();
  }
}

async function traceRun(lab: Lab, a: TraceArgs, regOpts: RegisterOptions, sink: TraceSink): Promise<number> {
  const steps = recordPatchSteps(lab);
  const patched = await applyLivepatches(lab, a.livepatch);
  const handle = a.enableAt === undefined ? await lab.ftrace.register(regOpts) : createLater(lab, regOpts);
  if (a.enableAt !== undefined) lab.at(a.enableAt, (l) => l.ftrace.register(handle));
  // plain function text streams line by line; everything else needs the whole trace
  const stream = a.tracer === 'function' && a.format === 'text';
  const lines: string[] = [];
  const events: LabTraceEvent[] = [];
  if (stream) lab.trace.drainer.onEvents((batch) => batch.forEach((e) => lines.push(formatTraceLine(e, a.traceClock) + '\n')));
  else if (a.tracer !== 'count') lab.trace.drainer.onEvents((batch) => events.push(...batch));
  const r = await lab.run({ maxInsns: a.maxInsns });
  lab.trace.clear();
  const uart = lab.machine.takeUartOutput();
  if (uart) guestWrite(2, uart); // the program's own console output, kept apart from the trace
  const lostPerHart = lab.trace.lost().perHart;
  const lost = lostPerHart.reduce((s, n) => s + n, 0);
  if (stream) {
    sink.write(formatTraceHeader({ tracer: 'function', entries: lines.length, written: lines.length + lost, cpus: a.harts }));
    for (let i = 0; i < lines.length; i += 4096) sink.write(lines.slice(i, i + 4096).join(''));
  } else if (a.tracer === 'count') {
    const counts = [...lab.ftrace.counts(handle)].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
    sink.write(`  Function                               Hit\n  --------                               ---\n`);
    for (const [name, n] of counts) sink.write(`  ${name.padEnd(38)} ${n}\n`);
  } else {
    const meta = {
      program: a.file !== undefined ? basename(a.file) : `synthetic kernel (${a.kernel} functions)`,
      harts: a.harts, tracer: a.tracer, clockHz: a.clockHz, scheme: a.scheme, protocol: lab.protocol.name, mode: a.mode, seed: a.seed, lost: lostPerHart,
    };
    writeRecording(sink, { meta, events: events.filter((e) => (a.tracer === 'function') === ((e.kind ?? 'function') === 'function')), patchSteps: steps }, a.format, a.traceClock, a.graphText);
  }
  const traced = stream ? lines.length : events.length;
  if (lost) say('trace', `${lost} events lost (ring buffer full; try --buffer-kb)`);
  if (a.tracer === 'function_graph') {
    const overrun = Array.from({ length: a.harts }, (_, h) => lab.ftrace.graph.task(h).overrun).reduce((s, n) => s + n, 0);
    if (overrun) say('trace', `${overrun} calls not graphed: the ${FTRACE_RETFUNC_DEPTH}-frame return stack was full (overrun)`);
    if (lab.ftrace.graph.dead) say('trace', 'function_graph stopped itself: a shadow return stack was corrupt');
  }
  for (const p of patched) say('trace', `livepatch: ${p.old} -> ${p.new}: ${p.calls} call${p.calls === 1 ? '' : 's'} redirected`);
  if (r.reason === 'budget') say('trace', `instruction budget of ${a.maxInsns} exhausted`);
  else if (r.reason !== 'halted') say('trace', `the guest stopped: ${r.reason}`);
  else if (traced === 0 && a.tracer !== 'count') say('trace', 'no traced calls');
  return exitStatus(r);
}

/** One IPMODIFY ops per OLD=NEW whose synchronous callback redirects every call (klp_ftrace_handler's job). */
async function applyLivepatches(lab: Lab, pairs: readonly { old: string; new: string }[]): Promise<{ old: string; new: string; calls: number }[]> {
  const out: { old: string; new: string; calls: number }[] = [];
  for (const p of pairs) {
    const target = lab.symbol(p.new); // LAB_BAD_OPTION (exit 64) for an unknown function
    const rec = { ...p, calls: 0 };
    await lab.ftrace.register({ name: `livepatch:${p.old}`, filter: p.old, ipmodify: true, sync: (call) => {
      rec.calls++;
      call.redirect(target);
    } });
    out.push(rec);
  }
  return out;
}

/** The tracer's ops, created (filters checked) now and registered later by lab.at. */
function createLater(lab: Lab, o: RegisterOptions): OpsHandle {
  return lab.ftrace.create(o);
}

/** Every patch-protocol step from now on, with the harts' clocks when it ran. */
function recordPatchSteps(lab: Lab): PatchStepRecord[] {
  const out: PatchStepRecord[] = [];
  const clock = lab.trace.drainer.clock;
  const harts = lab.machine.harts;
  lab.onPatchStep((step, _index, live) => {
    const now = harts.map((h) => clock.ns(h.minstret));
    const set = step.op === 'ipi' || step.op === 'wait-ack' || step.op === 'flush-icache' ? step.harts : [];
    const targets = (set === 'all' ? harts.map((_, i) => i) : set).map((h) => ({ hart: h, ns: now[h] ?? 0 }));
    const update = lab.updates.records[lab.updates.records.length - 1]?.what ?? '';
    out.push({ index: out.length, op: step.op, text: formatStep(step), update, live, ns: Math.max(0, ...now), targets });
  });
  return out;
}

export const main = verbMain('trace', TRACE_USAGE, parseTraceArgs, (a) => (a.user ? traceUserMain(a, a.user.args) : traceMain(a)));
