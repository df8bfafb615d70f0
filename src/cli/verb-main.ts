// What every verb shares around its own work: --help, one-line usage errors, input files (exit 65 naming the file),
// typed errors as one message line, guest output kept apart from our messages, and --debug for internal errors.
import { accessSync, constants, existsSync, fstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FtraceLabError } from '../errors.js';
import { EXIT_DATAERR, EXIT_INTERNAL, EXIT_USAGE } from './exit-codes.js';
import { VerbUsageError } from './verb-args.js';

/** An input file that cannot be read (missing, unreadable, a directory): exit 65 with the file's name. */
export class InputFileError extends FtraceLabError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super('CLI_INPUT_FILE', `cannot read '${file}': ${reason}`);
  }
}

/** An output file that cannot be written (exit 65 naming the file). */
export class OutputFileError extends FtraceLabError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super('CLI_OUTPUT_FILE', `cannot write '${file}': ${reason}`);
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

/** The whole file, or an InputFileError naming it. */
export function readInputFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new InputFileError(file, REASONS[code] ?? (e as Error).message);
  }
}

/** The OutputFileError for a failed open or write of `file` (errno named in words). */
export function outputFileError(file: string, e: unknown): OutputFileError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return new OutputFileError(file, REASONS[code] ?? (e as Error).message);
}

/** Writes a whole file (creating its folder when `mkdir`), or throws an OutputFileError naming it. */
export function writeOutputFile(file: string, data: string | Uint8Array, mkdir = false): void {
  try {
    if (mkdir) mkdirParents(dirname(file));
    writeFileSync(file, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new OutputFileError(file, REASONS[code] ?? (e as Error).message);
  }
}

/** mkdir -p, one level at a time (Node 20's recursive mkdirSync never returns for some paths, e.g. under /proc). */
function mkdirParents(dir: string): void {
  const abs = resolve(dir);
  const missing: string[] = [];
  for (let d = abs; !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) mkdirSync(d);
}

/** Creates a folder for output files (with its parents) and checks that it is writable, or names it in an OutputFileError. */
export function ensureOutputDir(dir: string): void {
  try {
    mkdirParents(dir);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new OutputFileError(dir, REASONS[code] ?? (e as Error).message);
  }
}

let debug = process.env.FTRACE_LAB_DEBUG === '1';

/** --debug: internal errors print their stack trace. */
export function setDebug(on: boolean): void {
  debug = on;
}

export function isDebug(): boolean {
  return debug;
}

/** Guest output not yet ended by a newline, per host stream (1 stdout, 2 stderr). */
const openLine = { 1: false, 2: false };

/** Do our stdout and stderr go to the same place (one terminal, one file or one pipe)? */
function sameDestination(): boolean {
  try {
    const a = fstatSync(1);
    const b = fstatSync(2);
    return a.dev === b.dev && a.ino === b.ino && a.rdev === b.rdev;
  } catch {
    return false;
  }
}

/** Writes guest output to a host stream, remembering whether its last line is still open. */
export function guestWrite(fd: 1 | 2, chunk: string | Uint8Array): void {
  if (chunk.length === 0) return;
  const last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1];
  openLine[fd] = last !== 10;
  (fd === 1 ? process.stdout : process.stderr).write(chunk);
}

/** Ends a guest line still open on stderr, or on stdout when it shares stderr's destination, before we write ours. */
export function endGuestLine(): void {
  if (openLine[2] || (openLine[1] && sameDestination())) process.stderr.write('\n');
  openLine[1] = openLine[2] = false;
}

/** Writes one line of ours (a report such as --json) to stderr, on a line of its own. */
export function report(line: string): void {
  endGuestLine();
  process.stderr.write(line + '\n');
}

/** Writes one message line of ours to stderr, first ending a guest line that would otherwise run into it. */
export function say(verb: string, text: string): void {
  report(`ftrace-lab ${verb}: ${text}`);
}

/** The line that follows a usage error. */
export const helpHint = (verb: string): string => `Run 'ftrace-lab ${verb} --help' for the options.`;

/** Exit status for a typed error raised while a verb works: usage errors 64, everything else a user caused 65. */
export function exitStatusOf(e: FtraceLabError): number {
  if (e instanceof VerbUsageError || /_BAD_(OPTION|PORT)$/.test(e.code)) return EXIT_USAGE;
  return EXIT_DATAERR;
}

/**
 * A verb's `main(argv)`: parses (printing the usage on --help), then runs. A usage error prints one line plus a pointer
 * to --help (exit 64); a typed error prints its message (exit 64 or 65); anything else is an internal error for the
 * top level to report.
 */
export function verbMain<A>(verb: string, usage: string, parse: (argv: string[]) => A | 'help', run: (args: A) => Promise<number>): (argv: string[]) => Promise<number> {
  return async (argv: string[]): Promise<number> => {
    openLine[1] = openLine[2] = false;
    let args: A | 'help';
    try {
      args = parse(argv);
    } catch (e) {
      if (!(e instanceof FtraceLabError)) throw e;
      process.stderr.write(`ftrace-lab ${verb}: ${e.message}\n${helpHint(verb)}\n`);
      return EXIT_USAGE;
    }
    if (args === 'help') {
      process.stdout.write(usage + '\n');
      return 0;
    }
    try {
      return await run(args);
    } catch (e) {
      if (!(e instanceof FtraceLabError)) throw e;
      say(verb, e.message);
      if (e instanceof VerbUsageError) process.stderr.write(helpHint(verb) + '\n');
      return exitStatusOf(e);
    }
  };
}

/** The top level's report of an error no verb handled; returns the exit status. Stack traces only with --debug. */
export function reportUncaught(err: unknown): number {
  if (err instanceof FtraceLabError) {
    process.stderr.write(`ftrace-lab: ${err.message}\n`);
    return exitStatusOf(err);
  }
  const e = err as Error | undefined;
  process.stderr.write(`ftrace-lab: internal error: ${e?.message ?? String(err)}\n`);
  if (debug) process.stderr.write(`${e?.stack ?? String(err)}\n`);
  else process.stderr.write('(a bug in ftrace-lab: run again with --debug for the stack trace, and report it)\n');
  return EXIT_INTERNAL;
}
