// Direct calls (register_ftrace_direct, the BPF-trampoline path) on the RISC-V 6.16 CALL_OPS site: a function whose only ops is direct calls its trampoline.
import { ftrace616Source } from '../../guest/asm/ftrace-caller.js';
import { CallOpsScheme } from './callops.js';
import { pfeCallOps, SITE_616, type SchemeDescriptor } from './descriptor.js';
import type { GuestAllocator } from '../guest-alloc.js';
import type { FtraceOps } from '../ops.js';
import type { RuntimeSymbols } from '../runtime-symbols.js';
import type { OpsTrampoline } from './scheme.js';
import { TrampolineWindow } from './trampoline.js';

/** Bytes reserved after ftrace_caller for direct trampolines a site's jalr can reach (fentry/fexit trampolines). */
export const DIRECT_WINDOW_BYTES = 2048;

/**
 * The CALL_OPS site with DIRECT_CALLS: a direct ops alone on a function makes the site's jalr call its trampoline when
 * the frozen auipc reaches it (FTRACE_FL_DIRECT_EN), else ftrace_caller, whose first instructions read the literal's
 * op->direct_call and jump there before saving anything; with other ops on the function the list func's
 * call_direct_funcs sets fregs->t1 and ftrace_caller exits into the trampoline after them. Like x86, ordinary ops also
 * get per-ops trampolines (in the window after ftrace_caller), so one lab can move a site between its ops's own
 * trampoline, ftrace_caller + the list func, and a direct trampoline.
 */
export class DirectScheme extends CallOpsScheme {
  override readonly name: string = 'direct';
  private readonly window: TrampolineWindow;

  constructor(symbols: RuntimeSymbols) {
    super(symbols);
    symbols.require(['ftrace_tramp_window', 'ftrace_tramp_window_end', 'ftrace_caller_direct'], 'the direct scheme');
    this.window = new TrampolineWindow(symbols.get('ftrace_tramp_window'), symbols.get('ftrace_tramp_window_end'));
  }

  /** Direct ops need no trampoline of their own (their direct_call is one). */
  createTrampoline(ops: FtraceOps, opsAddr: number, func: number, alloc: GuestAllocator): OpsTrampoline | null {
    if (ops.directCall) return null;
    return this.window.create(ops, opsAddr, func, alloc);
  }
}

export const DIRECT_SCHEME: SchemeDescriptor = {
  name: 'direct',
  summary:
    'direct calls (register_ftrace_direct, BPF trampolines) on the 6.16 CALL_OPS site: the relevant ops is a direct ' +
    'trampoline the site calls itself (or ftrace_caller jumps to before saving anything); other ops through the list func',
  models: 'Linux 6.16 riscv DYNAMIC_FTRACE_WITH_DIRECT_CALLS (ftrace_caller_direct, call_direct_funcs, ops->direct_call)',
  protocol: 'atomic',
  ...SITE_616,
  needsOpsLiteral: true,
  patchableEntry: pfeCallOps,
  sampleDirect: 'ftrace_stub_direct_tramp',
  guestSource: (o) => ftrace616Source({ ...o, directCalls: true }, true, DIRECT_WINDOW_BYTES),
  create: (s) => new DirectScheme(s),
};
