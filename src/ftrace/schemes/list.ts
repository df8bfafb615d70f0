// Scheme A, RISC-V without CALL_OPS: every enabled site calls the shared ftrace_caller, which calls the global ftrace_call_dest with function_trace_op.
import { FtraceError } from '../errors.js';
import type { GlobalWrite, SiteWrite } from '../patch-plan.js';
import type { DynFtrace, SiteState } from '../records.js';
import type { RuntimeSymbols } from '../runtime-symbols.js';
import type { SiteLayout } from '../site-layout.js';
import { globalWrite, initEntryWrite, jalrWrite, reachesFromFrozenAuipc } from './riscv-site.js';
import type { CallSiteScheme } from './scheme.js';
import { pfePlain, SITE_616, type SchemeDescriptor } from './descriptor.js';
import { ftrace616Source } from '../../guest/asm/ftrace-caller.js';

export const LIST_SCHEME_SYMBOLS = ['ftrace_caller', 'ftrace_call_dest', 'function_trace_op'] as const;

/** The list-func baseline: no per-site ops, one global function pointer (update_ftrace_function decides what it is). */
export class ListScheme implements CallSiteScheme {
  readonly name: string = 'list';
  readonly callOps = false;
  readonly requiredSymbols: readonly string[] = LIST_SCHEME_SYMBOLS;
  private readonly caller: number;

  constructor(private readonly symbols: RuntimeSymbols) {
    symbols.require(LIST_SCHEME_SYMBOLS, 'the list scheme');
    this.caller = symbols.get('ftrace_caller');
  }

  /** Any layout with two 4-byte words at the entry: the pre-entry NOPs of a CALL_OPS build are simply left alone. */
  checkLayout(layout: SiteLayout): void {
    if (layout.entryBytes < 8) {
      throw new FtraceError(
        'FTRACE_BAD_LAYOUT',
        `the ${this.name} scheme needs two 4-byte words (auipc + jalr) at the entry, but layout ${layout.kind} has ${layout.entryBytes} bytes of NOPs there: ` +
          `build with ${layout.nopBytes === 2 ? '-fpatchable-function-entry=4' : '-fpatchable-function-entry=2'}`,
      );
    }
  }

  disabledState(_rec: DynFtrace): SiteState {
    return { call: null, literal: null };
  }

  initSite(rec: DynFtrace, compilerBytes: Uint8Array): SiteWrite[] {
    const entry = compilerBytes.subarray(rec.layout.preEntryBytes);
    return [initEntryWrite(rec, this.caller, entry.slice())];
  }

  makeCall(rec: DynFtrace, to: SiteState): SiteWrite[] {
    return jalrWrite(rec, rec.state.call, to.call);
  }

  makeNop(rec: DynFtrace): SiteWrite[] {
    return jalrWrite(rec, rec.state.call, null);
  }

  modifyCall(rec: DynFtrace, to: SiteState): SiteWrite[] {
    return jalrWrite(rec, rec.state.call, to.call);
  }

  canReach(rec: DynFtrace, target: number): boolean {
    return reachesFromFrozenAuipc(rec, this.caller, target);
  }

  updateFtraceFunc(prev: number, next: number, phase: GlobalWrite['phase']): GlobalWrite[] {
    return globalWrite('ftrace_call_dest', this.symbols.get('ftrace_call_dest'), prev, next, phase);
  }

  setFunctionTraceOp(prev: number, next: number): GlobalWrite[] {
    return globalWrite('function_trace_op', this.symbols.get('function_trace_op'), prev, next, 'after-sites');
  }
}

export const LIST_SCHEME: SchemeDescriptor = {
  name: 'list',
  summary:
    'RISC-V 6.16 without CALL_OPS: an enabled site calls the shared ftrace_caller, which calls ftrace_call_dest with ' +
    'function_trace_op; with more than one ops that is the list func, which tests every registered ops (cost grows with the number of ops)',
  models: 'Linux 6.16 arch/riscv/kernel/mcount-dyn.S and ftrace.c without CONFIG_DYNAMIC_FTRACE_WITH_CALL_OPS',
  protocol: 'atomic',
  ...SITE_616,
  needsOpsLiteral: false,
  patchableEntry: pfePlain,
  guestSource: (o) => ftrace616Source(o, false),
  create: (s) => new ListScheme(s),
};
