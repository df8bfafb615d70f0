// Typed errors of the interleaving checker (unknown names, malformed protocol or replay files, a replay that diverges).
import { FtraceLabError } from '../errors.js';

export type CheckErrorCode =
  | 'CHECK_UNKNOWN_PROFILE' // no arch profile of that name
  | 'CHECK_BAD_OPTION' // an option out of range (harts, schedules, shard, depth)
  | 'CHECK_BAD_REPLAY' // a replay file from another version, or malformed
  | 'CHECK_REPLAY_DIVERGED' // a replayed schedule does not fit the run (another guest, a broken schedule)
  | 'CHECK_BAD_MERGE'; // check-merge inputs that do not belong together

export class CheckError extends FtraceLabError {
  declare readonly code: CheckErrorCode;
  constructor(code: CheckErrorCode, message: string) {
    super(code, message);
  }
}
