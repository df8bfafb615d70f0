// Typed errors of the patch protocols (a write that cannot land, a protocol used on a machine it cannot drive).
import { FtraceLabError } from '../errors.js';

export type PatchErrorCode = 'PATCH_OUTSIDE_RAM' | 'PATCH_BUSY';

export class PatchError extends FtraceLabError {
  declare readonly code: PatchErrorCode;
  constructor(code: PatchErrorCode, message: string) {
    super(code, message);
  }
}
