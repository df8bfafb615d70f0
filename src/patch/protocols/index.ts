// Patch protocols by name: the registry the Lab, the CLI and the benchmarks choose from.
import { PatchError } from '../errors.js';
import { AtomicProtocol, type AtomicProtocolOptions } from './atomic.js';
import { BreakpointProtocol } from './breakpoint.js';
import type { PatchProtocol } from './protocol.js';
import { StopAllProtocol } from './stop-all.js';
import { StopMachineProtocol } from './stop-machine.js';

export type { PatchProtocol } from './protocol.js';
export { AtomicProtocol, type AtomicProtocolOptions } from './atomic.js';
export { BreakpointProtocol, C_EBREAK } from './breakpoint.js';
export { StopAllProtocol } from './stop-all.js';
export { StopMachineProtocol } from './stop-machine.js';

export interface ProtocolOptions {
  /** atomic only: how flush_icache_all reaches the other harts. */
  readonly flush?: AtomicProtocolOptions['flush'];
}

const FACTORIES = {
  atomic: (o: ProtocolOptions) => new AtomicProtocol({ flush: o.flush }),
  'stop-machine': () => new StopMachineProtocol(),
  breakpoint: () => new BreakpointProtocol(),
  'stop-all': () => new StopAllProtocol(),
} as const satisfies Record<string, (o: ProtocolOptions) => PatchProtocol>;

export type ProtocolName = keyof typeof FACTORIES;

/** Every built-in protocol, default first. */
export const PROTOCOL_NAMES = Object.keys(FACTORIES) as readonly ProtocolName[];

export const DEFAULT_PROTOCOL: ProtocolName = 'atomic';

export function isProtocolName(name: unknown): name is ProtocolName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(FACTORIES, name);
}

/** The protocol called `name`; PATCH_UNKNOWN_PROTOCOL (listing the valid names) otherwise. */
export function createProtocol(name: string, opts: ProtocolOptions = {}): PatchProtocol {
  if (!isProtocolName(name)) {
    throw new PatchError('PATCH_UNKNOWN_PROTOCOL', `unknown patch protocol '${String(name)}' (valid: ${PROTOCOL_NAMES.join(', ')})`);
  }
  if (opts.flush !== undefined && name !== 'atomic') {
    throw new PatchError('PATCH_BAD_OPTION', `the flush option applies to the atomic protocol only, not '${name}'`);
  }
  return FACTORIES[name](opts);
}
