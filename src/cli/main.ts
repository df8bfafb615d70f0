#!/usr/bin/env node
// ftrace-lab command line: dispatches a verb to its module in src/cli/ (one module per verb).
import { FtraceLabError } from '../errors.js';
import { EXIT_DATAERR, EXIT_INTERNAL, EXIT_USAGE } from './exit-codes.js';

type VerbMain = (argv: string[]) => Promise<number>;

/** Verb name -> lazily imported module exporting `main(argv) => exit code`. */
const VERBS: Record<string, { summary: string; load: () => Promise<{ main: VerbMain }> }> = {
  asm: { summary: 'assemble a GNU-as style .s file to ELF (.elf) or flat binary (.bin)', load: () => import('./asm.js') },
  disasm: { summary: 'disassemble an ELF (objdump-style), optionally one --symbol', load: () => import('./disasm.js') },
  run: { summary: 'run an ELF on the emulated machine', load: () => import('./run.js') },
  start: { summary: 'the main job (npm start): the ftrace-ops overhead sweep', load: () => import('./start.js') },
  trace: { summary: 'run a program with the function tracer on and print the trace', load: () => import('./trace.js') },
  boot: { summary: 'boot Linux with OpenSBI on the QEMU-virt board (1-8 harts) and report its code patching', load: () => import('./boot.js') },
  bench: { summary: 'ftrace-ops sample: overhead per traced call vs number of ops', load: () => import('./bench.js') },
};

export const USAGE = `usage: ftrace-lab <verb> [options]

verbs:
${Object.entries(VERBS)
  .map(([v, d]) => `  ${v.padEnd(8)} ${d.summary}`)
  .join('\n')}

Run 'ftrace-lab <verb> --help' for the options of a verb.`;

async function cli(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '-h' || verb === '--help' || verb === 'help') {
    process.stdout.write(USAGE + '\n');
    return verb ? 0 : EXIT_USAGE;
  }
  const entry = VERBS[verb];
  if (!entry) {
    process.stderr.write(`ftrace-lab: unknown verb '${verb}'\n${USAGE}\n`);
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
    if (err instanceof FtraceLabError) {
      process.stderr.write(`ftrace-lab: ${err.message}\n`);
      process.exitCode = EXIT_DATAERR;
    } else {
      process.stderr.write(`ftrace-lab: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = EXIT_INTERNAL;
    }
  },
);
