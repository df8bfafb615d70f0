// The ftrace core: register/unregister_ftrace_function, ftrace_set_filter/notrace, update_ftrace_function and ftrace_modify_all_code, as patch plans.
import { FtraceError } from './errors.js';
import { applyFilterIp, applyFilterPatterns } from './filter.js';
import {
  FTRACE_OPS_FL_DELETED,
  FTRACE_OPS_FL_DIRECT,
  FTRACE_OPS_FL_ENABLED,
  FTRACE_OPS_FL_INITIALIZED,
  FTRACE_OPS_FL_IPMODIFY,
  FTRACE_OPS_FL_SAVE_REGS,
  FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED,
} from './flags.js';
import type { GuestAllocator } from './guest-alloc.js';
import { GuestMirror, type HashKind } from './guest-mirror.js';
import { FtraceHash, hashContainsIp } from './hash.js';
import type { FtraceOps } from './ops.js';
import { emptyPlan, type PatchPlan } from './patch-plan.js';
import {
  adjustRecCount,
  opsTracesRecord,
  replaceRecordCode,
  updateWantedFlags,
  type RecordUpdateContext,
} from './record-update.js';
import type { DynFtrace, RecordTable } from './records.js';
import { CORE_SYMBOLS, RuntimeSymbols, type GuestRuntimeSymbols } from './runtime-symbols.js';
import type { CallSiteScheme } from './schemes/scheme.js';

export interface FtraceCoreOptions {
  /** Records after planFtraceInit (their state = the disabled state). */
  readonly records: RecordTable;
  readonly scheme: CallSiteScheme;
  readonly symbols: RuntimeSymbols | GuestRuntimeSymbols;
  /** Where the core puts the guest copies of ops structs and hashes. */
  readonly allocator: GuestAllocator;
}

/** The shared trampoline's global call target and op (ftrace_trace_function / function_trace_op). */
export interface GlobalFunction {
  readonly func: number;
  readonly op: number;
}

/** The kernel's ftrace core over one record table and one call-site scheme. Every change returns the plan to apply. */
export class FtraceCore {
  readonly records: RecordTable;
  readonly scheme: CallSiteScheme;
  readonly symbols: RuntimeSymbols;
  private readonly mirror: GuestMirror;
  private readonly funcs = new Map<FtraceOps, number>();
  private global: GlobalFunction;
  private readonly allocator: FtraceCoreOptions['allocator'];
  /** Per-ops trampolines the scheme made (ops->trampoline with FTRACE_OPS_FL_ALLOC_TRAMP). */
  private readonly trampolines = new Map<FtraceOps, { addr: number; size: number }>();
  /** Registrations that wanted a trampoline but found no room in the window. */
  private trampolineWindowFull = 0;
  private last: PatchPlan = emptyPlan();

  constructor(opts: FtraceCoreOptions) {
    this.records = opts.records;
    this.scheme = opts.scheme;
    this.allocator = opts.allocator;
    this.symbols = opts.symbols instanceof RuntimeSymbols ? opts.symbols : new RuntimeSymbols(opts.symbols);
    this.symbols.require(CORE_SYMBOLS, 'the ftrace core');
    this.symbols.require(this.scheme.requiredSymbols, `the ${this.scheme.name} scheme`);
    const listEnd = this.symbols.get('ftrace_list_end');
    this.mirror = new GuestMirror(opts.allocator, this.symbols.get('ftrace_ops_list'), listEnd);
    this.global = { func: this.symbols.get('ftrace_stub'), op: listEnd };
  }

  /** The plan of the last change (stable ordering: data, links, globals, sites by ip). */
  plan(): PatchPlan {
    return this.last;
  }

  /** Registered ops in ftrace_ops_list order (newest first). */
  registeredOps(): readonly FtraceOps[] {
    return this.mirror.opsList;
  }

  isRegistered(ops: FtraceOps): boolean {
    return this.mirror.opsList.includes(ops);
  }

  /** Guest address of an ops' struct (once registered at least once). */
  opsAddr(ops: FtraceOps): number | undefined {
    return this.mirror.addrOf(ops);
  }

  /** What ftrace_call_dest / function_trace_op hold (meaningful for schemes with a global function). */
  globalFunction(): GlobalFunction {
    return this.global;
  }

  /** Does a registered ops trace the record? (ftrace_ops_test with regs available) */
  traces(ops: FtraceOps, rec: DynFtrace): boolean {
    return this.isRegistered(ops) && opsTracesRecord(ops, rec);
  }

  /** register_ftrace_function + ftrace_startup. */
  register(ops: FtraceOps): PatchPlan {
    if (this.isRegistered(ops)) throw new FtraceError('FTRACE_BUSY', `ops ${ops.name} is already registered`);
    if (ops.has(FTRACE_OPS_FL_DELETED)) throw new FtraceError('FTRACE_BAD_OPS', `ops ${ops.name} was deleted`);
    if (ops.has(FTRACE_OPS_FL_DIRECT)) this.checkDirect(ops);
    const func = typeof ops.func === 'string' ? this.symbols.get(ops.func) : ops.func;
    const regs = this.symbols.has('ftrace_regs_caller');
    if (ops.has(FTRACE_OPS_FL_SAVE_REGS) && !regs) {
      throw new FtraceError('FTRACE_BAD_OPS', `ops ${ops.name} wants SAVE_REGS but the runtime has no ftrace_regs_caller`);
    }
    if (ops.has(FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED) && regs) ops.flags |= FTRACE_OPS_FL_SAVE_REGS;
    this.checkIpmodify(ops, ops.filterHash, ops.notraceHash);

    const plan = emptyPlan();
    this.mirror.link(plan, ops, func);
    this.funcs.set(ops, func);
    this.updateTrampoline(plan, ops, func);
    ops.flags |= FTRACE_OPS_FL_ENABLED | FTRACE_OPS_FL_INITIALIZED;
    const touched = this.hashRecUpdate(1, ops.filterHash, ops.notraceHash);
    return this.finish(plan, touched);
  }

  /** unregister_ftrace_function + ftrace_shutdown. The plan's frees wait for the grace period. */
  unregister(ops: FtraceOps): PatchPlan {
    if (!this.isRegistered(ops)) throw new FtraceError('FTRACE_NOT_REGISTERED', `ops ${ops.name} is not registered`);
    const plan = emptyPlan();
    this.mirror.unlink(plan, ops);
    this.funcs.delete(ops);
    const tramp = this.trampolines.get(ops);
    if (tramp) {
      // ftrace_shutdown -> ftrace_trampoline_free after synchronize_rcu_tasks: the plan's frees wait for the grace period
      plan.frees.push({ what: `trampoline of ${ops.name}`, addr: tramp.addr, size: tramp.size });
      this.trampolines.delete(ops);
    }
    ops.flags &= ~FTRACE_OPS_FL_ENABLED;
    const touched = this.hashRecUpdate(-1, ops.filterHash, ops.notraceHash);
    return this.finish(plan, touched);
  }

  /** ftrace_update_trampoline: let the scheme build the ops's own trampoline (ftrace_ops_get_func: the assist func if needed). */
  private updateTrampoline(plan: PatchPlan, ops: FtraceOps, func: number): void {
    if (!this.scheme.createTrampoline || ops.trampoline || ops.has(FTRACE_OPS_FL_DIRECT)) return; // a direct ops's trampoline is its direct_call
    const assist = this.symbols.has('ftrace_ops_assist_func') ? this.symbols.get('ftrace_ops_assist_func') : null;
    const callee = ops.needsAssist && assist !== null ? assist : func;
    const t = this.scheme.createTrampoline(ops, this.mirror.addrOf(ops)!, callee, this.allocator);
    if (!t) {
      this.trampolineWindowFull++;
      return;
    }
    plan.data.push(t.data);
    this.trampolines.set(ops, { addr: t.addr, size: t.size });
  }

  /** Per-ops trampolines: how many exist, how many registrations found the window full, and which sites use their own. */
  trampolineStats(): { trampolines: number; windowFull: number; sitesOwn: number; sitesFallback: number } {
    const caller = this.symbols.get('ftrace_caller');
    let own = 0;
    let fallback = 0;
    for (const rec of this.records) {
      if (rec.count !== 1 || rec.state.call === null) continue;
      const unique = this.mirror.opsList.find((o) => opsTracesRecord(o, rec));
      if (!unique || !this.scheme.createTrampoline || unique.has(FTRACE_OPS_FL_DIRECT)) continue;
      const t = this.trampolines.get(unique)?.addr ?? 0;
      if (t && rec.state.call === t) own++;
      else if (rec.state.call === caller) fallback++;
    }
    return { trampolines: this.trampolines.size, windowFull: this.trampolineWindowFull, sitesOwn: own, sitesFallback: fallback };
  }

  /** ftrace_set_filter: patterns as written to set_ftrace_filter ('!' removes); `reset` starts from an empty filter. */
  setFilter(ops: FtraceOps, patterns: string | readonly string[], reset = true): PatchPlan {
    return this.replaceHash(ops, 'filter', applyFilterPatterns(this.records, ops.filterHash, patterns, reset));
  }

  /** ftrace_set_notrace: patterns as written to set_ftrace_notrace. */
  setNotrace(ops: FtraceOps, patterns: string | readonly string[], reset = true): PatchPlan {
    return this.replaceHash(ops, 'notrace', applyFilterPatterns(this.records, ops.notraceHash, patterns, reset));
  }

  /** ftrace_set_filter_ip: add (or remove) one record's ip. */
  setFilterIp(ops: FtraceOps, ip: number, remove = false, reset = false): PatchPlan {
    return this.replaceHash(ops, 'filter', applyFilterIp(this.records, ops.filterHash, ip, remove, reset));
  }

  /** Empty the filter (= trace all functions) or the notrace hash. */
  resetHash(ops: FtraceOps, kind: HashKind): PatchPlan {
    return this.replaceHash(ops, kind, new FtraceHash());
  }

  private replaceHash(ops: FtraceOps, kind: HashKind, hash: FtraceHash): PatchPlan {
    const filter = kind === 'filter' ? hash : ops.filterHash;
    const notrace = kind === 'notrace' ? hash : ops.notraceHash;
    if (!this.isRegistered(ops)) {
      if (kind === 'filter') ops.filterHash = hash;
      else ops.notraceHash = hash;
      this.last = emptyPlan();
      return this.last;
    }
    this.checkIpmodify(ops, filter, notrace);
    const plan = emptyPlan();
    // ftrace_hash_move_and_update_ops: drop the old references, swap the hash, take the new ones.
    const dropped = this.hashRecUpdate(-1, ops.filterHash, ops.notraceHash);
    if (kind === 'filter') ops.filterHash = hash;
    else ops.notraceHash = hash;
    this.mirror.replaceHash(plan, ops, kind, hash);
    const added = this.hashRecUpdate(1, ops.filterHash, ops.notraceHash);
    return this.finish(plan, new Set([...dropped, ...added]));
  }

  /** Reference counting for every record the hashes select (__ftrace_hash_rec_update). Returns the touched records. */
  private hashRecUpdate(delta: 1 | -1, filter: FtraceHash, notrace: FtraceHash): Set<DynFtrace> {
    const touched = new Set<DynFtrace>();
    for (const rec of this.records) {
      if (!hashContainsIp(filter, notrace, rec.ip)) continue;
      adjustRecCount(rec, delta);
      touched.add(rec);
    }
    return touched;
  }

  /**
   * register_ftrace_direct: the runtime must have the direct-call exits (riscv: CALL_OPS), the ops a direct_call, and no
   * function may get two direct trampolines (-EBUSY).
   */
  private checkDirect(ops: FtraceOps): void {
    if (!this.symbols.has('ftrace_caller_direct')) {
      throw new FtraceError('FTRACE_BAD_OPS', `ops ${ops.name} is a direct call, but the ${this.scheme.name} runtime has no DYNAMIC_FTRACE_WITH_DIRECT_CALLS (riscv: only with CALL_OPS)`);
    }
    if (!ops.directCall) throw new FtraceError('FTRACE_BAD_OPS', `direct ops ${ops.name} has no direct_call address`);
    const others = this.mirror.opsList.filter((o) => o !== ops && o.has(FTRACE_OPS_FL_DIRECT));
    if (!others.length) return;
    for (const rec of this.records) {
      if (!hashContainsIp(ops.filterHash, ops.notraceHash, rec.ip)) continue;
      const other = others.find((o) => opsTracesRecord(o, rec));
      if (other) throw new FtraceError('FTRACE_BUSY', `${rec.symbol} already has the direct trampoline of ${other.name}`);
    }
  }

  /** IPMODIFY: at most one ops that may change the ip per function (-EBUSY otherwise). */
  private checkIpmodify(ops: FtraceOps, filter: FtraceHash, notrace: FtraceHash): void {
    if (!ops.has(FTRACE_OPS_FL_IPMODIFY)) return;
    const others = this.mirror.opsList.filter((o) => o !== ops && o.has(FTRACE_OPS_FL_IPMODIFY));
    if (!others.length) return;
    for (const rec of this.records) {
      if (!hashContainsIp(filter, notrace, rec.ip)) continue;
      const other = others.find((o) => opsTracesRecord(o, rec));
      if (other) {
        throw new FtraceError('FTRACE_IPMODIFY_CONFLICT', `${rec.symbol} is already IPMODIFY-traced by ${other.name}`);
      }
    }
  }

  private context(): RecordUpdateContext {
    const s = this.symbols;
    return {
      scheme: this.scheme,
      enabled: this.mirror.opsList,
      ftraceCaller: s.get('ftrace_caller'),
      regsCaller: s.has('ftrace_regs_caller') ? s.get('ftrace_regs_caller') : null,
      nopOps: s.has('ftrace_nop_ops') ? s.get('ftrace_nop_ops') : null,
      listOps: s.has('ftrace_list_ops') ? s.get('ftrace_list_ops') : null,
      opsAddr: (o) => this.mirror.addrOf(o)!,
      trampolineOf: (o) => this.trampolines.get(o)?.addr ?? o.trampoline,
    };
  }

  /** update_ftrace_function: what the shared trampoline should call with which op. */
  private computeGlobal(): GlobalFunction {
    const s = this.symbols;
    const list = this.mirror.opsList;
    const listFunc = s.get('ftrace_ops_list_func');
    if (list.length === 0) return { func: s.get('ftrace_stub'), op: s.get('ftrace_list_end') };
    if (list.length > 1) return { func: listFunc, op: s.get('ftrace_list_end') };
    const only = list[0]!;
    const op = this.mirror.addrOf(only)!;
    if (only.forcesListFunc) return { func: listFunc, op };
    if (only.needsAssist) return { func: s.has('ftrace_ops_assist_func') ? s.get('ftrace_ops_assist_func') : listFunc, op };
    return { func: this.funcs.get(only)!, op };
  }

  /** ftrace_modify_all_code: list func first, then the sites (ip order), then the op, then the final function. */
  private finish(plan: PatchPlan, touched: Set<DynFtrace>): PatchPlan {
    const ctx = this.context();
    for (const rec of touched) updateWantedFlags(rec, ctx);
    const prev = this.global;
    const next = this.computeGlobal();
    const listFunc = this.symbols.get('ftrace_ops_list_func');
    const funcChanges = prev.func !== next.func;
    if (funcChanges && prev.func !== listFunc) plan.globals.push(...this.scheme.updateFtraceFunc(prev.func, listFunc, 'before-sites'));
    for (const rec of this.records) {
      if (touched.has(rec)) plan.sites.push(...replaceRecordCode(rec, ctx).writes);
    }
    plan.globals.push(...this.scheme.setFunctionTraceOp(prev.op, next.op));
    if (funcChanges && next.func !== listFunc) {
      plan.globals.push(...this.scheme.updateFtraceFunc(listFunc, next.func, 'after-sites'));
    }
    this.global = next;
    this.last = plan;
    return plan;
  }
}
