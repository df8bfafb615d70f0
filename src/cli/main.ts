#!/usr/bin/env node
// ftrace-lab command line: dispatches a verb to its module in src/cli/ (one module per verb).
import '../machine/platform-node.js';
import { version } from './version.js';
import { EXIT_USAGE } from './exit-codes.js';
import { reportUncaught, setDebug } from './verb-main.js';

type VerbMain = (argv: string[]) => Promise<number>;

/** Verb name -> lazily imported module exporting `main(argv) => exit code`. */
const VERBS: Record<string, { summary: string; load: () => Promise<{ main: VerbMain }> }> = {
  asm: { summary: 'assemble a GNU-as style .s file to ELF (.elf) or flat binary (.bin)', load: () => import('./asm.js') },
  disasm: { summary: 'disassemble an ELF (objdump-style), optionally one --symbol', load: () => import('./disasm.js') },
  run: { summary: 'run an ELF on the emulated machine (--gdb PORT: debug it with gdb)', load: () => import('./run.js') },
  start: { summary: 'the main job (npm start): the ftrace-ops overhead sweep', load: () => import('./start.js') },
  trace: { summary: 'run a program with the function or function_graph tracer on and print or export the trace', load: () => import('./trace.js') },
  report: { summary: 'summarise an exported trace: calls, total/self time and hits per hart per function', load: () => import('./report.js') },
  boot: { summary: 'boot Linux with OpenSBI on the QEMU-virt board (1-8 harts) and report its code patching', load: () => import('./boot.js') },
  bench: { summary: 'ftrace-ops sample: overhead per traced call vs number of ops', load: () => import('./bench.js') },
  protocols: { summary: 'compare the patch protocols while harts run the traced workload', load: () => import('./protocols.js') },
  check: { summary: 'explore interleavings of a patch protocol with running harts; counterexamples as replay files', load: () => import('./check.js') },
  replay: { summary: 're-run a counterexample from `check` and tell what happened around the violation', load: () => import('./replay.js') },
  'check-merge': { summary: 'add up the JSON of `check --shard` runs (counts summed, counterexamples kept)', load: () => import('./check-merge.js') },
  serve: { summary: 'serve the browser page (web/dist) with the cross-origin isolation headers', load: () => import('./serve.js') },
};

export const USAGE = `usage: ftrace-lab [--version] [--debug] <verb> [options]

verbs:
${Object.entries(VERBS)
  .map(([v, d]) => `  ${v.padEnd(11)} ${d.summary}`)
  .join('\n')}

Run 'ftrace-lab <verb> --help' for the options of a verb. --debug (before or after the verb) prints the stack trace
of an internal error.`;


async function cli(argv: string[]): Promise<number> {
  while (argv[0] === '--debug') {
    setDebug(true);
    argv = argv.slice(1);
  }
  const [verb, ...rest] = argv;
  if (verb === '--version' || verb === '-V' || verb === 'version') {
    process.stdout.write(`ftrace-lab ${version()}\n`);
    return 0;
  }
  if (!verb || verb === '-h' || verb === '--help' || verb === 'help') {
    (verb ? process.stdout : process.stderr).write(USAGE + '\n');
    return verb ? 0 : EXIT_USAGE;
  }
  const entry = Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
  if (!entry) {
    process.stderr.write(`ftrace-lab: unknown verb '${verb}' (verbs: ${Object.keys(VERBS).join(', ')})\nRun 'ftrace-lab --help' for the list.\n`);
    return EXIT_USAGE;
  }
  const mod = await entry.load();
  return mod.main(rest);
}

cli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportUncaught(err);
  },
);
