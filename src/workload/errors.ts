// Typed errors of the workload generators (bad generator options, a program without a patchable-entries table).
import { FtraceLabError } from '../errors.js';

export type WorkloadErrorCode = 'WORKLOAD_BAD_OPTION' | 'WORKLOAD_BAD_PROGRAM';

export class WorkloadError extends FtraceLabError {
  declare readonly code: WorkloadErrorCode;
  constructor(code: WorkloadErrorCode, message: string) {
    super(code, message);
  }
}

/** Check an integer option; WORKLOAD_BAD_OPTION otherwise. */
export function intOption(v: number, lo: number, hi: number, what: string): number {
  if (!Number.isSafeInteger(v) || v < lo || v > hi) {
    throw new WorkloadError('WORKLOAD_BAD_OPTION', `${what} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  }
  return v;
}
