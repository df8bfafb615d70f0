// Scheme C/E, RISC-V DYNAMIC_FTRACE_WITH_CALL_OPS: an 8-byte ops literal before each function, read by ftrace_caller at -16(t0).
import { FtraceError } from '../errors.js';
import type { GlobalWrite, SiteWrite } from '../patch-plan.js';
import type { DynFtrace, SiteState } from '../records.js';
import type { RuntimeSymbols } from '../runtime-symbols.js';
import { hasOpsLiteral, type SiteLayout } from '../site-layout.js';
import { initEntryWrite, jalrWrite, literalWrite, reachesFromFrozenAuipc } from './riscv-site.js';
import type { CallSiteScheme } from './scheme.js';
import { pfeCallOps, SITE_616, type SchemeDescriptor } from './descriptor.js';
import { ftrace616Source } from '../../guest/asm/ftrace-caller.js';

export const CALLOPS_SCHEME_SYMBOLS = ['ftrace_caller', 'ftrace_nop_ops', 'ftrace_list_ops'] as const;

/** Per-callsite ops: the literal holds the unique ops, &ftrace_list_ops (several/assisted) or &ftrace_nop_ops (off). */
export class CallOpsScheme implements CallSiteScheme {
  readonly name: string = 'callops';
  readonly callOps = true;
  readonly requiredSymbols = CALLOPS_SCHEME_SYMBOLS;
  private readonly caller: number;
  private readonly nopOps: number;

  constructor(symbols: RuntimeSymbols) {
    symbols.require(CALLOPS_SCHEME_SYMBOLS, 'the callops scheme');
    this.caller = symbols.get('ftrace_caller');
    this.nopOps = symbols.get('ftrace_nop_ops');
  }

  checkLayout(layout: SiteLayout): void {
    if (!hasOpsLiteral(layout)) {
      const flag = layout.nopBytes === 2 ? '-fpatchable-function-entry=8,4' : '-fpatchable-function-entry=4,2';
      throw new FtraceError(
        'FTRACE_BAD_LAYOUT',
        `the ${this.name} scheme needs an 8-byte ops literal before each function and two 4-byte words at it, but layout ${layout.kind} has ${layout.preEntryBytes} bytes of NOPs before the entry and ${layout.entryBytes} at it: build with ${flag}`,
      );
    }
  }

  disabledState(_rec: DynFtrace): SiteState {
    return { call: null, literal: this.nopOps };
  }

  /** Literal := &ftrace_nop_ops first, then the entry := auipc + nop (ftrace_init_nop). */
  initSite(rec: DynFtrace, compilerBytes: Uint8Array): SiteWrite[] {
    const pre = compilerBytes.slice(0, rec.layout.preEntryBytes);
    const entry = compilerBytes.slice(rec.layout.preEntryBytes);
    return [...literalWrite(rec, pre, this.nopOps), initEntryWrite(rec, this.caller, entry)];
  }

  /** ftrace_rec_update_ops (literal) before the jalr, so a call never sees a stale ops. */
  makeCall(rec: DynFtrace, to: SiteState): SiteWrite[] {
    return [...literalWrite(rec, rec.state.literal, this.literalOf(to)), ...jalrWrite(rec, rec.state.call, to.call)];
  }

  /** Literal := &ftrace_nop_ops, then jalr -> nop (a CPU already past the jalr then calls the stub ops). */
  makeNop(rec: DynFtrace): SiteWrite[] {
    return [...literalWrite(rec, rec.state.literal, this.nopOps), ...jalrWrite(rec, rec.state.call, null)];
  }

  modifyCall(rec: DynFtrace, to: SiteState): SiteWrite[] {
    return [...literalWrite(rec, rec.state.literal, this.literalOf(to)), ...jalrWrite(rec, rec.state.call, to.call)];
  }

  canReach(rec: DynFtrace, target: number): boolean {
    return reachesFromFrozenAuipc(rec, this.caller, target);
  }

  updateFtraceFunc(_prev: number, _next: number, _phase: GlobalWrite['phase']): GlobalWrite[] {
    return []; // no global function: the trampoline calls op->func from the literal's ops
  }

  setFunctionTraceOp(_prev: number, _next: number): GlobalWrite[] {
    return [];
  }

  private literalOf(to: SiteState): number {
    if (to.literal === null) throw new FtraceError('FTRACE_BAD_SITE', 'callops: a calling site needs an ops literal');
    return to.literal;
  }
}

export const CALLOPS_SCHEME: SchemeDescriptor = {
  name: 'callops',
  summary:
    'RISC-V 6.16 with CALL_OPS: the 8 bytes before each function point at its ops; ftrace_caller calls that ops directly ' +
    'when exactly one ops traces the function (flat cost), else the list func',
  models: 'Linux 6.16 arch/riscv/kernel/mcount-dyn.S and ftrace.c with CONFIG_DYNAMIC_FTRACE_WITH_CALL_OPS (+ DIRECT_CALLS)',
  protocol: 'atomic',
  ...SITE_616,
  needsOpsLiteral: true,
  patchableEntry: pfeCallOps,
  guestSource: (o) => ftrace616Source(o, true),
  create: (s) => new CallOpsScheme(s),
};
