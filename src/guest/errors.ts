// Typed errors of the guest runtime builder and its host-side readers (bad options, missing symbols, corrupt buffers).
import { FtraceLabError } from '../errors.js';

export type GuestErrorCode = 'GUEST_BAD_OPTION' | 'GUEST_MISSING_SYMBOL' | 'GUEST_BAD_BUFFER';

/** Raised for bad runtime options, an assembled program that lacks a runtime symbol, or a corrupt ring buffer. */
export class GuestRuntimeError extends FtraceLabError {
  declare readonly code: GuestErrorCode;
  constructor(code: GuestErrorCode, message: string) {
    super(code, message);
  }
}
