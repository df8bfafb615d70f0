// Board errors: the typed error the QEMU-virt board and the kernel boot raise for bad images, options and files.
import { FtraceLabError } from '../errors.js';

export type BoardErrorCode =
  | 'BOARD_BAD_OPTION'
  | 'BOARD_BAD_DTB'
  | 'BOARD_BAD_IMAGE'
  | 'BOARD_NO_KERNEL'
  | 'BOARD_NO_FIRMWARE'
  | 'BOARD_TOO_BIG';

/** A bad boot request: a malformed kernel Image, firmware or device tree, a missing file, an impossible layout. */
export class BoardError extends FtraceLabError {
  declare readonly code: BoardErrorCode;
  constructor(code: BoardErrorCode, message: string) {
    super(code, message);
  }
}
