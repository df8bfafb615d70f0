// Typed errors of Linux-user mode: bad programs, bad file maps, exhausted guest memory.
import { FtraceLabError } from '../errors.js';

export type UserErrorCode =
  | 'USER_BAD_ELF'
  | 'USER_DYNAMIC_ELF'
  | 'USER_BAD_ADDRESS'
  | 'USER_BAD_MAP'
  | 'USER_BAD_OPTION'
  | 'USER_OUT_OF_MEMORY';

/** Something the caller of a Linux-user run can get wrong (program, maps, options) or guest RAM running out. */
export class UserError extends FtraceLabError {
  declare readonly code: UserErrorCode;
  constructor(code: UserErrorCode, message: string) {
    super(code, message);
  }
}
