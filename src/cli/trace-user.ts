// `ftrace-lab trace --user`: a static Linux program traced from its first instruction to its end, printed as the function tracer's trace.
import { resolve } from 'node:path';
import { FtraceLabError } from '../errors.js';
import { traceUserProgram } from '../lab/user-trace.js';
import { formatTraceHeader, formatTraceLine } from '../tracefs/trace-format.js';
import { EXIT_DATAERR } from './exit-codes.js';
import { guestWrite, readInputFile, say as sayAs } from './verb-main.js';
import { userExitStatus } from './run-user.js';
import type { TraceArgs } from './trace.js';

export async function traceUserMain(a: TraceArgs, guestArgs: readonly string[]): Promise<number> {
  const say = (line: string): void => sayAs('trace', line);
  const file = a.file!;
  const elf = readInputFile(file);
  const lines: string[] = [];
  const toStderr = (b: Uint8Array): void => {
    guestWrite(2, b); // the program's own output, kept apart from the trace
  };
  let r;
  try {
    r = await traceUserProgram(elf, {
      ...(a.filter.length ? { filter: a.filter } : {}),
      ...(a.notrace.length ? { notrace: a.notrace } : {}),
      scheme: a.scheme,
      bufferSizeKb: a.bufferKb,
      maxInsns: a.maxInsns,
      clockHz: a.clockHz,
      process: { argv: [file, ...guestArgs], exePath: resolve(file), io: { writeStdout: toStderr, writeStderr: toStderr, diagnostic: say } },
      onEvents: (batch) => batch.forEach((e) => lines.push(formatTraceLine(e, a.traceClock) + '\n')),
      onRejected: (site) => say(`${site.symbol}: left untraced (${site.reason}: ${site.detail})`),
    });
  } catch (e) {
    if (!(e instanceof FtraceLabError)) throw e;
    say(`${file}: ${e.message}`);
    return EXIT_DATAERR;
  }
  process.stdout.write(formatTraceHeader({ tracer: 'function', entries: lines.length, written: lines.length + r.lost, cpus: 1 }));
  for (let i = 0; i < lines.length; i += 4096) process.stdout.write(lines.slice(i, i + 4096).join(''));
  if (r.lost) say(`${r.lost} events lost (ring buffer full; try --buffer-kb)`);
  if (r.run.status === 'signaled') say(`guest killed by ${r.run.detail}`);
  else if (r.run.status === 'deadlock') say(`guest deadlocked: ${r.run.detail}`);
  else if (r.run.status === 'budget') say(`instruction budget of ${a.maxInsns} exhausted`);
  else if (lines.length === 0) say('no traced calls');
  return userExitStatus(r.run);
}
