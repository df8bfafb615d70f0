// Machine errors: the typed error the machine API raises for bad options, addresses, registers and engine failures.
import { FtraceLabError } from '../errors.js';

export type MachineErrorCode =
  | 'MACHINE_BAD_OPTION'
  | 'MACHINE_BAD_HART'
  | 'MACHINE_BAD_REGISTER'
  | 'MACHINE_BAD_CSR'
  | 'MACHINE_BAD_ADDRESS'
  | 'MACHINE_OUTSIDE_RAM'
  | 'MACHINE_NO_ENGINE'
  | 'MACHINE_ENGINE_ERROR'
  | 'MACHINE_BUSY'
  | 'MACHINE_REPLAY_DIVERGED';

/** A bad request to the machine (option, hart, register, address) or an engine failure. */
export class MachineError extends FtraceLabError {
  declare readonly code: MachineErrorCode;
  constructor(code: MachineErrorCode, message: string) {
    super(code, message);
  }
}

export function hex(n: number | bigint): string {
  return '0x' + n.toString(16);
}
