// Call-site schemes by name: the factory the core and the CLI use to pick one.
import { FtraceError } from '../errors.js';
import type { RuntimeSymbols } from '../runtime-symbols.js';
import { CallOpsScheme } from './callops.js';
import { ListScheme } from './list.js';
import type { CallSiteScheme } from './scheme.js';

export type { CallSiteScheme } from './scheme.js';
export { ListScheme, LIST_SCHEME_SYMBOLS } from './list.js';
export { CallOpsScheme, CALLOPS_SCHEME_SYMBOLS } from './callops.js';

const FACTORIES: Record<string, (symbols: RuntimeSymbols) => CallSiteScheme> = {
  list: (s) => new ListScheme(s),
  callops: (s) => new CallOpsScheme(s),
};

export const SCHEME_NAMES: readonly string[] = Object.keys(FACTORIES);

/** What a traced call goes through under each scheme, in one line (for reports and charts). */
export const SCHEME_SUMMARIES: Readonly<Record<string, string>> = {
  list:
    'RISC-V without CALL_OPS: an enabled site calls the shared ftrace_caller, which calls ftrace_ops_list_func; ' +
    'it tests every registered ops against the function (cost grows with the number of ops)',
  callops:
    'RISC-V with CALL_OPS: the 8 bytes before each function point at its ops; ftrace_caller calls that ops directly ' +
    'when exactly one ops traces the function (flat cost), else the list func',
};

/** The one-line summary of a scheme (or a placeholder naming it when none was written). */
export function schemeSummary(name: string): string {
  return SCHEME_SUMMARIES[name] ?? `call-site scheme '${name}'`;
}

/** Build the scheme called `name` over the guest runtime's symbols. */
export function createScheme(name: string, symbols: RuntimeSymbols): CallSiteScheme {
  const make = FACTORIES[name];
  if (!make) throw new FtraceError('FTRACE_UNSUPPORTED', `unknown call-site scheme '${name}' (known: ${SCHEME_NAMES.join(', ')})`);
  return make(symbols);
}
