// The one place the page learns which patch protocols exist and builds one by name (swap in the library's registry when it lands).
import type { PatchProtocol } from '../../src/patch/protocol.js';
import { StopAllApply } from '../../src/patch/stop-all-apply.js';

/**
 * Protocol factories by the protocol's own `name`. Today the library has one protocol (StopAllApply); once
 * src/patch has its registry of named protocols, this module re-exports that registry's names and factory instead,
 * and nothing else in the page changes.
 */
const FACTORIES: readonly (() => PatchProtocol)[] = [() => new StopAllApply()];

const BY_NAME = new Map(FACTORIES.map((make) => [make().name, make]));

/** Names of the protocols the page offers (from the library at run time). */
export const PROTOCOL_NAMES: readonly string[] = [...BY_NAME.keys()];

/** A fresh protocol object for `name`. */
export function createProtocol(name: string): PatchProtocol {
  const make = BY_NAME.get(name);
  if (!make) throw new Error(`unknown patch protocol '${name}' (known: ${PROTOCOL_NAMES.join(', ')})`);
  return make();
}
