// Command-line helpers shared by every verb: the usage error type, an argv cursor, and option-value parsers whose
// errors name the option and its accepted range.
import { FtraceLabError } from '../errors.js';

/** A bad command line (exit status EXIT_USAGE). Verbs may keep their own stable code (e.g. 'RUN_USAGE'). */
export class VerbUsageError extends FtraceLabError {
  constructor(message: string, code = 'CLI_USAGE') {
    super(code, message);
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

  /** The words after the current one (for verbs that hand the rest of argv to a guest program). */
  rest(): string[] {
    const r = this.argv.slice(this.i + 1);
    this.i = this.argv.length;
    return r;
  }
}

const fmtBound = (n: number): string => (n >= 1e6 && Number.isInteger(Math.log10(n)) ? `1e${Math.log10(n)}` : String(n));

/** An integer such as 100000, 1e6 or 10_000, within [lo, hi]; the error names the option and the range. */
export function parseIntArg(text: string, option: string, lo = 0, hi = Number.MAX_SAFE_INTEGER): number {
  const t = text.replace(/_/g, '');
  const n = /^[+-]?(\d+(\.\d+)?(e\+?\d+)?|0x[0-9a-f]+)$/i.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < lo || n > hi) {
    throw new VerbUsageError(`${option}: expected an integer from ${fmtBound(lo)} to ${fmtBound(hi)}, got '${text}'`);
  }
  return n;
}

/** One of the allowed words. */
export function parseChoice<T extends string>(text: string, option: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new VerbUsageError(`${option}: expected one of ${choices.join(', ')}, got '${text}'`);
  return text as T;
}

const SIZE_UNITS = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const;

/** A byte size: '128M', '64k', '0x100000', '1048576' (K/M/G are powers of 1024), within [lo, hi] and a multiple of `align`. */
export function parseSizeArg(text: string, option: string, lo: number, hi: number, align = 1): number {
  const m = /^(0x[0-9a-f]+|\d+)([kmg])?i?b?$/i.exec(text.trim());
  const human = (n: number): string => (n % 1024 ** 3 === 0 ? `${n / 1024 ** 3}G` : n % 1024 ** 2 === 0 ? `${n / 1024 ** 2}M` : n % 1024 === 0 ? `${n / 1024}K` : String(n));
  const range = `a size from ${human(lo)} to ${human(hi)}${align > 1 ? `, a multiple of ${human(align)}` : ''} (e.g. 128M, 65536, 0x100000)`;
  if (!m) throw new VerbUsageError(`${option}: expected ${range}, got '${text}'`);
  const n = Number(m[1]) * SIZE_UNITS[(m[2] ?? '').toLowerCase() as keyof typeof SIZE_UNITS];
  if (!Number.isSafeInteger(n) || n < lo || n > hi || n % align !== 0) throw new VerbUsageError(`${option}: expected ${range}, got '${text}'`);
  return n;
}

/** An address or offset: 0x80000000 or decimal (underscores allowed). */
export function parseAddressArg(text: string, option: string): number {
  const v = Number(text.replace(/_/g, ''));
  if (!/^(0x[0-9a-f_]+|[0-9_]+)$/i.test(text) || !Number.isSafeInteger(v)) {
    throw new VerbUsageError(`${option}: expected an address such as 0x80000000 (hex or decimal, below 2^53), got '${text}'`);
  }
  return v;
}
