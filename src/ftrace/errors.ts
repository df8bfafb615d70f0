// Typed errors of the ftrace core (the kernel's -EINVAL / -EBUSY / -ENODEV cases of register, filter and patch).
import { FtraceLabError } from '../errors.js';

/** Every code the ftrace core can raise on bad input or an inconsistent patch. */
export type FtraceErrorCode =
  | 'FTRACE_NO_MATCH' // a filter names no traceable function (set_ftrace_filter -EINVAL)
  | 'FTRACE_BAD_GLOB' // empty or malformed glob
  | 'FTRACE_UNSUPPORTED' // a tracefs feature this lab does not model (:mod:, commands)
  | 'FTRACE_BUSY' // the ops is already registered (-EBUSY)
  | 'FTRACE_NOT_REGISTERED' // unregistering an ops that is not registered (-ENODEV)
  | 'FTRACE_BAD_OPS' // an ops that cannot be registered (deleted, no func, bad flags)
  | 'FTRACE_IPMODIFY_CONFLICT' // two IPMODIFY ops on one function (-EBUSY)
  | 'FTRACE_UNKNOWN_SYMBOL' // a guest runtime symbol the scheme needs is missing
  | 'FTRACE_BAD_RECORD' // a malformed call-site record (duplicate, overlapping, out of range)
  | 'FTRACE_BAD_SITE' // a site whose bytes or alignment do not allow patching
  | 'FTRACE_OUT_OF_REACH' // the frozen auipc cannot reach the requested trampoline
  | 'FTRACE_BAD_LAYOUT' // a scheme used with a site layout it cannot patch
  | 'FTRACE_PATCH_MISMATCH' // the text does not hold the bytes the plan expects (old != current)
  | 'FTRACE_NO_MEMORY' // the guest allocator ran out of space
  | 'FTRACE_BAD_FREE'; // a guest heap free of something that is not a live block (double free)

/** Error raised by the ftrace core; `code` says which kernel failure it models. */
export class FtraceError extends FtraceLabError {
  declare readonly code: FtraceErrorCode;
  constructor(code: FtraceErrorCode, message: string) {
    super(code, message);
  }
}

/** Guest address formatter for error messages. */
export function hexAddr(addr: number): string {
  return '0x' + addr.toString(16);
}
