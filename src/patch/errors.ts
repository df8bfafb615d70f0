// Typed errors of the patch protocols (a write that cannot land, an unknown protocol, a wait that never ends).
import { FtraceLabError } from '../errors.js';

export type PatchErrorCode =
  | 'PATCH_OUTSIDE_RAM' // a write outside guest RAM
  | 'PATCH_BUSY' // the machine cannot be patched now
  | 'PATCH_UNKNOWN_PROTOCOL' // no protocol of that name
  | 'PATCH_BAD_OPTION' // a protocol option out of range
  | 'PATCH_UNSUPPORTED' // the protocol needs guest machinery this guest lacks (its own trap vector, a user process)
  | 'PATCH_MISMATCH' // the text does not hold the bytes a step expects to replace
  | 'PATCH_BAD_STEP' // a malformed step (misaligned vector entry, unknown hart)
  | 'PATCH_BAD_PROTOCOL_FILE' // a protocol file that does not follow the schema (the message names the JSON path)
  | 'PATCH_TIMEOUT' // parallel mode: harts did not acknowledge / quiesce within the wait limit
  | 'PATCH_NO_PROGRESS'; // deterministic mode: a wait did not complete within its instruction budget

export class PatchError extends FtraceLabError {
  declare readonly code: PatchErrorCode;
  constructor(code: PatchErrorCode, message: string) {
    super(code, message);
  }
}
