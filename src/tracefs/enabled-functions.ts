// The `enabled_functions` file: each traced site with its refcount, record flags, what its call goes to and (CALL_OPS) its ops.
import type { FtraceCore } from '../ftrace/core.js';
import { FTRACE_FL_CALL_OPS, FTRACE_FL_DIRECT, FTRACE_FL_IPMODIFY, FTRACE_FL_REGS, FTRACE_FL_TRAMP } from '../ftrace/flags.js';
import type { Symbolizer } from '../lab/symbolizer.js';

/** Kernel-style flag letters: R (regs), I (ipmodify), D (direct), O (call ops), M-less since nothing here modifies live. */
function flagLetters(flags: number): string {
  const letters: [number, string][] = [
    [FTRACE_FL_REGS, 'R'],
    [FTRACE_FL_IPMODIFY, 'I'],
    [FTRACE_FL_DIRECT, 'D'],
    [FTRACE_FL_CALL_OPS, 'O'],
    [FTRACE_FL_TRAMP, 'T'],
  ];
  return letters.map(([bit, l]) => ((flags & bit) !== 0 ? ` ${l}` : '')).join('');
}

/**
 * One line per record with a non-zero refcount:
 * `name (refcount) [R] [O]\ttramp: <call target>\tops: <ops> (<ops func>) ...` where `ops:` lists the ops that
 * trace the site and, for CALL_OPS, the literal's ops is marked with `op=`.
 */
export function formatEnabledFunctions(core: FtraceCore, sym: Symbolizer): string {
  const byAddr = new Map<number, string>();
  for (const o of core.registeredOps()) {
    const a = core.opsAddr(o);
    if (a !== undefined) byAddr.set(a, o.name);
  }
  const opsName = (addr: number): string => byAddr.get(addr) ?? core.symbols.nameOf(addr);
  let out = '';
  for (const rec of core.records) {
    if (rec.count === 0) continue;
    const parts = [`${rec.symbol} (${rec.count})${flagLetters(rec.flags)}`];
    parts.push(`tramp: ${rec.state.call === null ? 'nop' : sym.nameOf(rec.state.call)}`);
    if (rec.state.literal !== null) parts.push(`op=${opsName(rec.state.literal)}`);
    const tracing = core.registeredOps().filter((o) => core.traces(o, rec));
    parts.push(`ops: ${tracing.map((o) => `${o.name} (${typeof o.func === 'string' ? o.func : sym.nameOf(o.func)})`).join(', ')}`);
    out += parts.join('\t') + '\n';
  }
  return out;
}
