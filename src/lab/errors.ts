// Typed errors of the Lab API (bad options, unknown ops handles, a guest that did not finish).
import { FtraceLabError } from '../errors.js';

export type LabErrorCode = 'LAB_BAD_OPTION' | 'LAB_UNKNOWN_OPS' | 'LAB_BUSY' | 'LAB_BAD_ELF';

export class LabError extends FtraceLabError {
  declare readonly code: LabErrorCode;
  constructor(code: LabErrorCode, message: string) {
    super(code, message);
  }
}
