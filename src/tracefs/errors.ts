// Typed errors of the tracefs interface, named after the errno a kernel tracefs write or open would return.
import { FtraceLabError } from '../errors.js';

export type TracefsErrorCode = 'TRACEFS_ENOENT' | 'TRACEFS_EINVAL' | 'TRACEFS_EBUSY' | 'TRACEFS_EACCES';

export class TracefsError extends FtraceLabError {
  declare readonly code: TracefsErrorCode;
  constructor(code: TracefsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}
