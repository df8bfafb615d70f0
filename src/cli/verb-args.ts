// Small command-line helpers shared by the `trace` and `bench` verbs (option values, counts, a usage error type).
import { FtraceLabError } from '../errors.js';

/** A bad command line (exit status EXIT_USAGE). */
export class VerbUsageError extends FtraceLabError {
  constructor(message: string) {
    super('CLI_USAGE', message);
  }
}

/** Walks argv; `value()` takes the next word as the current option's value. */
export class ArgCursor {
  private i = -1;
  constructor(private readonly argv: readonly string[]) {}

  next(): string | undefined {
    this.i++;
    return this.argv[this.i];
  }

  value(option: string): string {
    const v = this.argv[++this.i];
    if (v === undefined) throw new VerbUsageError(`${option} needs a value`);
    return v;
  }
}

/** A non-negative integer such as 100000, 1e6 or 10_000, within [lo, hi]. */
export function parseIntArg(text: string, option: string, lo = 0, hi = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < lo || n > hi) throw new VerbUsageError(`${option}: expected an integer from ${lo} to ${hi}, got '${text}'`);
  return n;
}

/** One of the allowed words. */
export function parseChoice<T extends string>(text: string, option: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new VerbUsageError(`${option}: expected one of ${choices.join(', ')}, got '${text}'`);
  return text as T;
}
