// The one registry of call-site schemes: the CLI, Lab, tracefs, the guest runtime, the sweep and the chart read it.
import { FtraceError } from '../errors.js';
import type { RuntimeSymbols } from '../runtime-symbols.js';
import { CALLOPS_SCHEME } from './callops.js';
import type { SchemeDescriptor } from './descriptor.js';
import { LIST_SCHEME } from './list.js';
import { RISCV_LEGACY_SCHEME } from './riscv-legacy.js';
import type { CallSiteScheme } from './scheme.js';
import { TRAMPOLINE_SCHEME } from './trampoline.js';
import { TRAMPOLINE_FAR_SCHEME } from './trampoline-far.js';
import { DIRECT_SCHEME } from './direct.js';
import { S390_HOTPATCH_SCHEME } from './s390-hotpatch.js';

/** Every scheme, in the order tables and charts list them. */
const SCHEMES: readonly SchemeDescriptor[] = [
  LIST_SCHEME, CALLOPS_SCHEME, RISCV_LEGACY_SCHEME, TRAMPOLINE_SCHEME, TRAMPOLINE_FAR_SCHEME, DIRECT_SCHEME, S390_HOTPATCH_SCHEME,
];

const BY_NAME = new Map(SCHEMES.map((d) => [d.name, d]));

/** A scheme name (checked against the registry where it enters: options, CLI). */
export type SchemeName = string;

/** Names of every registered scheme. */
export const SCHEME_NAMES: readonly string[] = SCHEMES.map((d) => d.name);

/** Every registered scheme. */
export function schemeDescriptors(): readonly SchemeDescriptor[] {
  return SCHEMES;
}

export function isSchemeName(name: unknown): name is SchemeName {
  return typeof name === 'string' && BY_NAME.has(name);
}

/** The registry entry of `name`; FTRACE_UNSUPPORTED naming the known schemes otherwise. */
export function schemeDescriptor(name: string): SchemeDescriptor {
  const d = BY_NAME.get(name);
  if (!d) throw new FtraceError('FTRACE_UNSUPPORTED', `unknown call-site scheme '${name}' (known: ${SCHEME_NAMES.join(', ')})`);
  return d;
}

/** The one-line summary of a scheme (or a line naming it when the name is not registered). */
export function schemeSummary(name: string): string {
  return BY_NAME.get(name)?.summary ?? `call-site scheme '${name}'`;
}

/** Build the scheme called `name` over the guest runtime's symbols. */
export function createScheme(name: string, symbols: RuntimeSymbols): CallSiteScheme {
  return schemeDescriptor(name).create(symbols);
}
