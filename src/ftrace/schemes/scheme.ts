// The one interface every call-site scheme implements: the arch hooks ftrace_init_nop, ftrace_make_call/_nop, ftrace_modify_call, ftrace_update_ftrace_func.
import type { DataWrite, GlobalWrite, SiteWrite } from '../patch-plan.js';
import type { GuestAllocator } from '../guest-alloc.js';
import type { FtraceOps } from '../ops.js';
import type { DynFtrace, SiteState } from '../records.js';
import type { SiteLayout } from '../site-layout.js';

/**
 * A call-site scheme answers with bytes; the core decides which state each site should be in.
 * Every method that patches a site reads the site's current state from `rec.state` and returns the writes (old and
 * new bytes) in the order they must land; it does not change `rec.state` (the core does).
 */
export interface CallSiteScheme {
  readonly name: string;
  /**
   * Sites carry a per-function ops pointer (DYNAMIC_FTRACE_WITH_CALL_OPS): the core then sets FTRACE_FL_CALL_OPS and
   * asks for `literal` = the unique ops, &ftrace_list_ops or &ftrace_nop_ops in every SiteState.
   */
  readonly callOps: boolean;
  /** Guest runtime symbols the scheme's bytes refer to. */
  readonly requiredSymbols: readonly string[];
  /** Throw FTRACE_BAD_LAYOUT unless sites of this layout can carry this scheme. */
  checkLayout(layout: SiteLayout): void;
  /** The state initSite leaves a site in (what `rec.state` must be afterwards). */
  disabledState(rec: DynFtrace): SiteState;
  /** ftrace_init_nop: from the compiler's NOPs (already validated) to the disabled state. */
  initSite(rec: DynFtrace, compilerBytes: Uint8Array): SiteWrite[];
  /** ftrace_make_call: disabled -> calling `to.call` (with ops literal `to.literal`). */
  makeCall(rec: DynFtrace, to: SiteState): SiteWrite[];
  /** ftrace_make_nop: calling -> disabled. */
  makeNop(rec: DynFtrace): SiteWrite[];
  /** ftrace_modify_call: calling -> calling another target and/or ops literal. */
  modifyCall(rec: DynFtrace, to: SiteState): SiteWrite[];
  /** Can the site reach `target` with its one patchable word? (Else the core uses ftrace_caller.) */
  canReach(rec: DynFtrace, target: number): boolean;
  /** ftrace_update_ftrace_func: make the shared trampoline call `next` (no writes if the scheme has no global function). */
  updateFtraceFunc(prev: number, next: number, phase: GlobalWrite['phase']): GlobalWrite[];
  /** Publish the global op the shared trampoline passes (function_trace_op), if the scheme has one. */
  setFunctionTraceOp(prev: number, next: number): GlobalWrite[];
  /**
   * arch_ftrace_update_trampoline (x86 create_trampoline): build a per-ops trampoline that passes `opsAddr` and calls
   * `func` directly. Schemes without per-ops trampolines leave it out; null = no room (the ops's sites use ftrace_caller).
   */
  createTrampoline?(ops: FtraceOps, opsAddr: number, func: number, alloc: GuestAllocator): OpsTrampoline | null;
}

/** A per-ops trampoline: where it lives and the bytes to publish there before any site calls it. */
export interface OpsTrampoline {
  readonly addr: number;
  readonly size: number;
  readonly data: DataWrite;
}
