// Addresses of the guest runtime's ftrace symbols (ftrace_caller, ftrace_ops_list_func, function_trace_op ...), handed in by the caller.
import { FtraceError, hexAddr } from './errors.js';

/**
 * Symbol name -> guest address. The guest runtime defines (with these boot values):
 * - code: ftrace_caller, ftrace_regs_caller (optional: full-regs variant), ftrace_stub, ftrace_ops_list_func,
 *   ftrace_ops_assist_func (optional), plus any named tracer callbacks;
 * - static ops structs (guest-layout.ts FTRACE_OPS_*): ftrace_list_end, ftrace_nop_ops, ftrace_list_ops;
 * - u64 pointers: ftrace_ops_list (= &ftrace_list_end), function_trace_op (= &ftrace_list_end),
 *   ftrace_call_dest (= ftrace_stub).
 */
export type GuestRuntimeSymbols = Readonly<Record<string, number>>;

/** Names the ftrace core itself needs, whatever the scheme. */
export const CORE_SYMBOLS = ['ftrace_caller', 'ftrace_stub', 'ftrace_ops_list_func', 'ftrace_list_end', 'ftrace_ops_list'] as const;

/** Checked access to a GuestRuntimeSymbols map. */
export class RuntimeSymbols {
  constructor(private readonly map: GuestRuntimeSymbols) {
    for (const [name, addr] of Object.entries(map)) {
      if (!Number.isSafeInteger(addr) || addr < 0) {
        throw new FtraceError('FTRACE_UNKNOWN_SYMBOL', `guest runtime symbol ${name} has a bad address ${String(addr)}`);
      }
    }
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.map, name);
  }

  /** The address of `name`; FTRACE_UNKNOWN_SYMBOL if the runtime does not define it. */
  get(name: string): number {
    if (!this.has(name)) throw new FtraceError('FTRACE_UNKNOWN_SYMBOL', `guest runtime symbol '${name}' is not defined`);
    return this.map[name]!;
  }

  /** Throw unless every name is defined. */
  require(names: readonly string[], who: string): void {
    const missing = names.filter((n) => !this.has(n));
    if (missing.length) {
      throw new FtraceError('FTRACE_UNKNOWN_SYMBOL', `${who} needs guest runtime symbols: ${missing.join(', ')}`);
    }
  }

  /** Name of the symbol at `addr`, for messages. */
  nameOf(addr: number): string {
    for (const [n, a] of Object.entries(this.map)) if (a === addr) return n;
    return hexAddr(addr);
  }
}
