// Per-record planning: __ftrace_hash_rec_update, ftrace_find_unique_ops, ftrace_get_addr_new and ftrace_check_record.
import { FtraceError } from './errors.js';
import {
  FTRACE_FL_CALL_OPS,
  FTRACE_FL_CALL_OPS_EN,
  FTRACE_FL_DIRECT,
  FTRACE_FL_DIRECT_EN,
  FTRACE_FL_ENABLED,
  FTRACE_FL_IPMODIFY,
  FTRACE_FL_REGS,
  FTRACE_FL_REGS_EN,
  FTRACE_FL_TRAMP,
  FTRACE_FL_TRAMP_EN,
  FTRACE_OPS_FL_DIRECT,
  FTRACE_OPS_FL_IPMODIFY,
  FTRACE_OPS_FL_SAVE_REGS,
  FTRACE_REF_MAX,
  ftraceRecCount,
} from './flags.js';
import { hashContainsIp } from './hash.js';
import type { FtraceOps } from './ops.js';
import type { SiteWrite } from './patch-plan.js';
import type { DynFtrace, SiteState } from './records.js';
import type { CallSiteScheme } from './schemes/scheme.js';

/** ftrace_ops_test without regs: does `ops` trace `rec`? */
export function opsTracesRecord(ops: FtraceOps, rec: DynFtrace): boolean {
  return hashContainsIp(ops.filterHash, ops.notraceHash, rec.ip);
}

/** ftrace_find_unique_ops: the only enabled ops tracing `rec`, or null for none or several. */
export function findUniqueOps(enabled: readonly FtraceOps[], rec: DynFtrace): FtraceOps | null {
  let found: FtraceOps | null = null;
  for (const ops of enabled) {
    if (!opsTracesRecord(ops, rec)) continue;
    if (found) return null;
    found = ops;
  }
  return found;
}

/** What the record update needs from its surroundings. */
export interface RecordUpdateContext {
  readonly scheme: CallSiteScheme;
  /** Every enabled ops (ftrace_ops_list without the stubs), after the change being planned. */
  readonly enabled: readonly FtraceOps[];
  readonly ftraceCaller: number;
  /** ftrace_regs_caller, or null when the runtime has no full-regs trampoline. */
  readonly regsCaller: number | null;
  readonly nopOps: number | null;
  readonly listOps: number | null;
  /** Guest address of a registered ops' struct. */
  opsAddr(ops: FtraceOps): number;
  /** ops->trampoline: the ops's own trampoline (given, or made by the scheme), 0 when it has none. */
  trampolineOf(ops: FtraceOps): number;
}

/** The count half of __ftrace_hash_rec_update for one record: add or drop one reference. */
export function adjustRecCount(rec: DynFtrace, delta: 1 | -1): void {
  const count = ftraceRecCount(rec.flags) + delta;
  if (count < 0 || count > FTRACE_REF_MAX) {
    throw new FtraceError('FTRACE_BAD_RECORD', `reference count of ${rec.symbol} would become ${count}`);
  }
  rec.flags = ((rec.flags & ~FTRACE_REF_MAX) | count) >>> 0;
}

/** The "wanted" half of __ftrace_hash_rec_update: REGS, IPMODIFY, TRAMP, CALL_OPS, DIRECT from the ops that trace rec. */
export function updateWantedFlags(rec: DynFtrace, ctx: RecordUpdateContext): void {
  const wanted = FTRACE_FL_REGS | FTRACE_FL_IPMODIFY | FTRACE_FL_TRAMP | FTRACE_FL_CALL_OPS | FTRACE_FL_DIRECT;
  let flags = rec.flags & ~wanted;
  const count = ftraceRecCount(rec.flags);
  if (count > 0) {
    const tracing = ctx.enabled.filter((o) => opsTracesRecord(o, rec));
    if (tracing.length !== count) {
      throw new FtraceError('FTRACE_BAD_RECORD', `${rec.symbol}: count ${count} but ${tracing.length} ops trace it`);
    }
    if (tracing.some((o) => o.has(FTRACE_OPS_FL_SAVE_REGS))) flags |= FTRACE_FL_REGS;
    if (tracing.some((o) => o.has(FTRACE_OPS_FL_IPMODIFY))) flags |= FTRACE_FL_IPMODIFY;
    if (count === 1) {
      const u = tracing[0]!;
      if (ctx.trampolineOf(u)) flags |= FTRACE_FL_TRAMP;
      if (u.has(FTRACE_OPS_FL_DIRECT) && u.directCall) flags |= FTRACE_FL_DIRECT;
      if (ctx.scheme.callOps && !u.needsAssist) flags |= FTRACE_FL_CALL_OPS;
    }
  }
  rec.flags = flags >>> 0;
}

/** ftrace_get_addr_new: direct call, per-ops trampoline, ftrace_regs_caller or ftrace_caller (if the site reaches it). */
export function getAddrNew(rec: DynFtrace, ctx: RecordUpdateContext): number {
  const unique = ftraceRecCount(rec.flags) === 1 ? findUniqueOps(ctx.enabled, rec) : null;
  let addr = ctx.ftraceCaller;
  if (rec.flags & FTRACE_FL_DIRECT && unique) addr = unique.directCall;
  else if (rec.flags & FTRACE_FL_TRAMP && unique) addr = ctx.trampolineOf(unique);
  else if (rec.flags & FTRACE_FL_REGS && ctx.regsCaller !== null) addr = ctx.regsCaller;
  return ctx.scheme.canReach(rec, addr) ? addr : ctx.ftraceCaller;
}

/** The site state the record's flags ask for. */
export function wantedState(rec: DynFtrace, ctx: RecordUpdateContext): SiteState {
  const literalFor = (v: number | null) => (ctx.scheme.callOps ? v : null);
  if (ftraceRecCount(rec.flags) === 0) return { call: null, literal: literalFor(ctx.nopOps) };
  let literal: number | null = ctx.listOps;
  if (rec.flags & FTRACE_FL_CALL_OPS) {
    const unique = findUniqueOps(ctx.enabled, rec);
    if (unique) literal = ctx.opsAddr(unique);
  }
  return { call: getAddrNew(rec, ctx), literal: literalFor(literal) };
}

export type UpdateAction = 'ignore' | 'make-call' | 'make-nop' | 'modify-call';

/**
 * ftrace_check_record(rec, enable, update=1) + __ftrace_replace_code: choose the action, ask the scheme for the bytes,
 * and record what the text now holds (state and the _EN flags).
 */
export function replaceRecordCode(rec: DynFtrace, ctx: RecordUpdateContext): { action: UpdateAction; writes: SiteWrite[] } {
  const want = wantedState(rec, ctx);
  const cur = rec.state;
  let action: UpdateAction;
  let writes: SiteWrite[];
  if (cur.call === want.call && cur.literal === want.literal) {
    action = 'ignore';
    writes = [];
  } else if (cur.call === null && want.call !== null) {
    action = 'make-call';
    writes = ctx.scheme.makeCall(rec, want);
  } else if (want.call === null) {
    action = 'make-nop';
    writes = ctx.scheme.makeNop(rec);
  } else {
    action = 'modify-call';
    writes = ctx.scheme.modifyCall(rec, want);
  }
  rec.state = want;
  const en = FTRACE_FL_ENABLED | FTRACE_FL_REGS_EN | FTRACE_FL_TRAMP_EN | FTRACE_FL_CALL_OPS_EN | FTRACE_FL_DIRECT_EN;
  let flags = rec.flags & ~en;
  if (ftraceRecCount(rec.flags) === 0) {
    flags = 0; // count reached 0: every flag is cleared
  } else {
    flags |= FTRACE_FL_ENABLED;
    if (rec.flags & FTRACE_FL_REGS && want.call === ctx.regsCaller) flags |= FTRACE_FL_REGS_EN;
    if (rec.flags & FTRACE_FL_TRAMP) flags |= FTRACE_FL_TRAMP_EN;
    if (rec.flags & FTRACE_FL_CALL_OPS) flags |= FTRACE_FL_CALL_OPS_EN;
    if (rec.flags & FTRACE_FL_DIRECT) flags |= FTRACE_FL_DIRECT_EN;
  }
  rec.flags = flags >>> 0;
  return { action, writes };
}
