// Options of the guest runtime build (hart count, call-site scheme, buffer and stack sizes) and their validation.
import { MAX_HARTS } from '../machine/layout.js';
import { GuestRuntimeError } from './errors.js';
import { ringBufferEvents } from './ring-buffer-layout.js';
import { isSchemeName, SCHEME_NAMES, type SchemeName } from '../ftrace/schemes/registry.js';

/** A call-site scheme of the registry (src/ftrace/schemes/registry.ts). */
export type GuestScheme = SchemeName;
/** 'tp': tp holds the per-CPU block (bare metal, set by _start); 'symbol': one hart, reached by `la ftrace_percpu` (U-mode). */
export type PercpuAccess = 'tp' | 'symbol';

export interface GuestRuntimeOptions {
  /** Harts the runtime sets up (extra harts park forever). */
  readonly harts: number;
  /** The call-site scheme whose trampolines the runtime carries (a name of the scheme registry). */
  readonly scheme: GuestScheme;
  /** Per-hart ring buffer size, like tracefs buffer_size_kb (default 1024 = 1 MiB per hart). */
  readonly bufferSizeKb?: number;
  /** Per-hart stack bytes (default 16 KiB; multiple of 16). */
  readonly stackSize?: number;
  /** Bytes of guest heap reserved for the ftrace core's ops/hash mirrors (default 1 MiB). */
  readonly heapSize?: number;
  /** Symbol hart 0 calls after boot (default 'main'); its return value is the exit code. */
  readonly mainSymbol?: string;
  /** Symbol the other harts call with a0 = hart id (default: none, they park in wfi). */
  readonly secondarySymbol?: string;
  /**
   * DYNAMIC_FTRACE_WITH_DIRECT_CALLS paths in ftrace_caller (ops->direct_call fast path, fregs->t1 exit), for schemes
   * that have them (riscv 6.16 selects direct calls only with CALL_OPS). Default true.
   */
  readonly directCalls?: boolean;
  /**
   * How runtime code finds the per-CPU block (default 'tp'). 'symbol' (harts must be 1) leaves `tp` alone and emits no
   * boot code, trap vector, UART helpers, tohost or stacks: the host initialises the data (a user process).
   */
  readonly percpu?: PercpuAccess;
}

export interface ResolvedGuestOptions {
  readonly harts: number;
  readonly scheme: GuestScheme;
  readonly bufferSizeKb: number;
  readonly ringEvents: number;
  readonly stackSize: number;
  readonly heapSize: number;
  readonly mainSymbol: string;
  readonly secondarySymbol: string | null;
  readonly directCalls: boolean;
  readonly percpu: PercpuAccess;
}

const SYMBOL = /^[A-Za-z_][\w.$]*$/;

function bad(message: string): never {
  throw new GuestRuntimeError('GUEST_BAD_OPTION', message);
}

function intIn(v: number, lo: number, hi: number, what: string): number {
  if (!Number.isSafeInteger(v) || v < lo || v > hi) bad(`${what} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  return v;
}

/** Defaults filled in and every option checked (GUEST_BAD_OPTION otherwise). */
export function resolveGuestOptions(opts: GuestRuntimeOptions): ResolvedGuestOptions {
  if (typeof opts !== 'object' || opts === null) bad('guest runtime options must be an object');
  const harts = intIn(opts.harts, 1, MAX_HARTS, 'harts');
  if (!isSchemeName(opts.scheme)) bad(`scheme must be one of ${SCHEME_NAMES.join(', ')}, got '${String(opts.scheme)}'`);
  const bufferSizeKb = intIn(opts.bufferSizeKb ?? 1024, 1, 64 * 1024, 'bufferSizeKb');
  const stackSize = intIn(opts.stackSize ?? 16 * 1024, 1024, 16 * 1024 * 1024, 'stackSize');
  if (stackSize % 16 !== 0) bad(`stackSize must be a multiple of 16, got ${stackSize}`);
  const heapSize = intIn(opts.heapSize ?? 1024 * 1024, 0, 64 * 1024 * 1024, 'heapSize');
  const mainSymbol = opts.mainSymbol ?? 'main';
  if (!SYMBOL.test(mainSymbol)) bad(`mainSymbol '${mainSymbol}' is not a symbol name`);
  const secondary = opts.secondarySymbol ?? null;
  if (secondary !== null && !SYMBOL.test(secondary)) bad(`secondarySymbol '${secondary}' is not a symbol name`);
  const percpu = opts.percpu ?? 'tp';
  if (percpu !== 'tp' && percpu !== 'symbol') bad(`percpu must be 'tp' or 'symbol', got '${String(percpu)}'`);
  if (percpu === 'symbol' && harts !== 1) bad(`percpu 'symbol' supports one hart, got harts = ${harts}`);
  return {
    harts,
    scheme: opts.scheme,
    bufferSizeKb,
    ringEvents: ringBufferEvents(bufferSizeKb),
    stackSize,
    heapSize: Math.ceil(heapSize / 16) * 16,
    mainSymbol,
    secondarySymbol: secondary,
    directCalls: opts.directCalls ?? true,
    percpu,
  };
}
