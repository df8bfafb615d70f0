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

/** Build the scheme called `name` over the guest runtime's symbols. */
export function createScheme(name: string, symbols: RuntimeSymbols): CallSiteScheme {
  const make = FACTORIES[name];
  if (!make) throw new FtraceError('FTRACE_UNSUPPORTED', `unknown call-site scheme '${name}' (known: ${SCHEME_NAMES.join(', ')})`);
  return make(symbols);
}
