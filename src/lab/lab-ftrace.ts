// lab.ftrace: register/unregister tracers and edit their filters; every change is planned by the core and applied by the protocol.
import type { FtraceCore } from '../ftrace/core.js';
import type { GuestAllocator } from '../ftrace/guest-alloc.js';
import { FtraceOps } from '../ftrace/ops.js';
import { FTRACE_OPS_FL_DIRECT } from '../ftrace/flags.js';
import type { PatchPlan } from '../ftrace/patch-plan.js';
import type { DynFtrace } from '../ftrace/records.js';
import { countTableBytes, decodeCountTable, encodeCountTable } from '../guest/count-table.js';
import type { CodePatcher, PatchReport } from '../patch/code-patcher.js';
import type { TextWriter } from '../patch/text-poker.js';
import type { UpdateLog } from './update-log.js';
import { LabError } from './errors.js';
import { OpsHandle, type LabTracer } from './ops-handle.js';
import { buildFentryFexit, readFentryFexitMap, type FentryFexitAttachment } from './fentry-fexit.js';

export interface RegisterOptions {
  /** set_ftrace_filter patterns (string: whitespace-separated; '!' removes). Default: every function. */
  readonly filter?: string | readonly string[];
  /** set_ftrace_notrace patterns. */
  readonly notrace?: string | readonly string[];
  /** Built-in tracer callback (default 'function'); ignored when `func` is given. */
  readonly tracer?: 'function' | 'count';
  /** A guest callback: address or symbol (e.g. 'ops_func_nop'). */
  readonly func?: number | string;
  /**
   * register_ftrace_direct: a direct trampoline (address or symbol) the traced functions call instead of tracer
   * callbacks (ops->direct_call; func = call_direct_funcs, FTRACE_OPS_FL_DIRECT). Needs a scheme with direct calls.
   */
  readonly direct?: number | string;
  /** FTRACE_OPS_FL_* user flags (SAVE_REGS, RECURSION, ...). */
  readonly flags?: number;
  readonly name?: string;
  /**
   * Put the built-in tracer's callback in freshly allocated guest memory, as if it lived in a loadable module: the
   * copy is freed (and poisoned) when the ops is unregistered, after the RCU-tasks grace period. A module ops cannot
   * be registered again once unregistered.
   */
  readonly module?: boolean;
}

/** Guest code a LabFtrace may copy (module callbacks): symbol -> [address, size]. */
export type CodeLookup = (symbol: string) => { addr: number; size: number };

const TRACER_FUNCS = { function: 'function_tracer_func', count: 'count_tracer_func' } as const;

/** The Lab's ftrace interface over one FtraceCore. */
export class LabFtrace {
  private readonly handles = new Set<OpsHandle>();
  /** Module callback copies: handle -> the copy's address and size (null once freed). */
  private readonly modules = new Map<OpsHandle, { addr: number; size: number; what?: string } | null>();
  /** fentry/fexit maps of attached trampolines (freed with them). */
  private readonly maps = new Map<OpsHandle, number>();
  /** Report of the last applied plan. */
  lastReport: PatchReport | null = null;

  constructor(
    private readonly core: FtraceCore,
    private readonly allocator: GuestAllocator,
    private readonly patcher: CodePatcher,
    private readonly text: TextWriter,
    private readonly updates: UpdateLog,
    private readonly code: CodeLookup,
  ) {}

  /** Create an ops (filters checked before anything changes) and register it; or re-register an unregistered handle. */
  async register(what: RegisterOptions | OpsHandle = {}): Promise<OpsHandle> {
    const handle = what instanceof OpsHandle ? this.known(what) : this.create(what);
    if (this.core.isRegistered(handle.ops)) {
      throw new LabError('LAB_BUSY', `ops ${handle.name} is already registered`);
    }
    if (this.modules.get(handle) === null) {
      throw new LabError('LAB_BAD_OPTION', `the module callback of ops ${handle.name} was freed when it was unregistered: create a new ops`);
    }
    await this.apply(this.core.register(handle.ops), `register ${handle.name}`);
    return handle;
  }

  /**
   * Attach a BPF-style fentry/fexit trampoline to one function (register_ftrace_direct): every call records an entry
   * (a0, a1, parent) and an exit (return value) in the trampoline's map, read with `records()`. Unregistering the
   * handle frees the trampoline and the map after the grace period. Needs a scheme with direct calls (callops, direct).
   */
  async attachFentryFexit(symbol: string, opts: { capacity?: number; name?: string } = {}): Promise<FentryFexitAttachment> {
    const capacity = opts.capacity ?? 4096;
    if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > 1 << 24) {
      throw new LabError('LAB_BAD_OPTION', `capacity must be an integer from 1 to ${1 << 24}, got ${String(capacity)}`);
    }
    const recs = this.core.records.lookupName(symbol);
    if (recs.length !== 1) throw new LabError('LAB_BAD_OPTION', `fentry/fexit attaches to one traceable function; '${symbol}' names ${recs.length}`);
    const syms = this.core.symbols;
    const near = syms.has('ftrace_tramp_window') ? { lo: syms.get('ftrace_tramp_window'), hi: syms.get('ftrace_tramp_window_end') } : null;
    const b = buildFentryFexit(this.allocator, symbol, capacity, near);
    this.text.write(b.map, b.mapBytes);
    this.text.write(b.trampoline, b.code);
    const handle = this.create({ name: opts.name ?? `fentry_fexit_${symbol}`, direct: b.trampoline, filter: symbol });
    this.modules.set(handle, { addr: b.trampoline, size: b.codeSize, what: `fentry/fexit trampoline of ${symbol}` });
    this.maps.set(handle, b.map);
    try {
      await this.register(handle);
    } catch (e) {
      this.allocator.free(b.trampoline); // never reachable: nothing was patched
      this.allocator.free(b.map);
      this.modules.delete(handle);
      this.maps.delete(handle);
      this.handles.delete(handle);
      throw e;
    }
    const read = (a: number, l: number) => this.text.read(a, l);
    return {
      handle,
      trampoline: b.trampoline,
      map: b.map,
      capacity,
      records: () => readFentryFexitMap(read, b.map, capacity).records,
      lost: () => readFentryFexitMap(read, b.map, capacity).lost,
    };
  }

  async unregister(handle: OpsHandle): Promise<void> {
    this.known(handle);
    const plan = this.core.unregister(handle.ops);
    const mod = this.modules.get(handle);
    if (mod) {
      // module unload: the callback's text goes with the ops, after the same grace period
      plan.frees.push({ what: mod.what ?? `module callback of ${handle.name}`, addr: mod.addr, size: mod.size });
      this.modules.set(handle, null);
    }
    const map = this.maps.get(handle);
    if (map !== undefined) {
      plan.frees.push({ what: `fentry/fexit map of ${handle.name}`, addr: map, size: 0 });
      this.maps.delete(handle);
    }
    await this.apply(plan, `unregister ${handle.name}`);
  }

  /** set_ftrace_filter for one ops (`append` = '>>'; an empty pattern list resets to "all functions"). */
  async setFilter(handle: OpsHandle, patterns: string | readonly string[], append = false): Promise<void> {
    this.known(handle);
    await this.apply(isEmpty(patterns) && !append ? this.core.resetHash(handle.ops, 'filter') : this.core.setFilter(handle.ops, patterns, !append), `set_ftrace_filter ${handle.name}`);
  }

  /** set_ftrace_notrace for one ops. */
  async setNotrace(handle: OpsHandle, patterns: string | readonly string[], append = false): Promise<void> {
    this.known(handle);
    await this.apply(isEmpty(patterns) && !append ? this.core.resetHash(handle.ops, 'notrace') : this.core.setNotrace(handle.ops, patterns, !append), `set_ftrace_notrace ${handle.name}`);
  }

  /**
   * Per-ops trampolines (the `trampoline` scheme): how many exist, how many registrations found the window full, and
   * how many sites traced by one ops call its own trampoline vs. ftrace_caller (out of the jalr's reach, or no room).
   */
  trampolineStats(): { trampolines: number; windowFull: number; sitesOwn: number; sitesFallback: number } {
    return this.core.trampolineStats();
  }

  /** The plan of the last change, as data. */
  plan(): PatchPlan {
    return this.core.plan();
  }

  records(): readonly DynFtrace[] {
    return this.core.records.records;
  }

  isRegistered(handle: OpsHandle): boolean {
    return this.handles.has(handle) && this.core.isRegistered(handle.ops);
  }

  /** Registered handles (newest first, like ftrace_ops_list). */
  registered(): OpsHandle[] {
    const byOps = new Map([...this.handles].map((h) => [h.ops, h]));
    return this.core.registeredOps().flatMap((o) => (byOps.has(o) ? [byOps.get(o)!] : []));
  }

  /** Count tracer: hits per function name (functions never hit are left out). */
  counts(handle: OpsHandle): Map<string, number> {
    this.known(handle);
    if (handle.countTable === null) throw new LabError('LAB_BAD_OPTION', `ops ${handle.name} is not a count tracer`);
    const { counts } = decodeCountTable((a, l) => this.text.read(a, l), handle.countTable);
    const out = new Map<string, number>();
    for (const [ip, n] of counts) {
      if (n === 0) continue;
      const rec = this.core.records.lookupIp(ip);
      const name = rec ? rec.symbol : `0x${ip.toString(16)}`;
      out.set(name, (out.get(name) ?? 0) + n);
    }
    return out;
  }

  private known(handle: OpsHandle): OpsHandle {
    if (!(handle instanceof OpsHandle) || !this.handles.has(handle)) {
      throw new LabError('LAB_UNKNOWN_OPS', `unknown ops handle${handle && typeof handle === 'object' && 'name' in handle ? ` '${String(handle.name)}'` : ''}: register it first`);
    }
    return handle;
  }

  /** An ops handle that is not registered yet (filters validated now). */
  create(o: RegisterOptions): OpsHandle {
    if (typeof o !== 'object' || o === null) throw new LabError('LAB_BAD_OPTION', 'register options must be an object');
    if (o.tracer !== undefined && o.tracer !== 'function' && o.tracer !== 'count') {
      throw new LabError('LAB_BAD_OPTION', `tracer must be 'function' or 'count', got '${String(o.tracer)}'`);
    }
    if (o.direct !== undefined && (o.func !== undefined || o.tracer !== undefined || o.module)) {
      throw new LabError('LAB_BAD_OPTION', 'a direct ops has no tracer callback: give direct alone (not func, tracer or module)');
    }
    const tracer: LabTracer = o.func !== undefined || o.direct !== undefined ? 'custom' : (o.tracer ?? 'function');
    if (o.module && tracer === 'custom') throw new LabError('LAB_BAD_OPTION', 'module applies to the built-in tracers (not to a custom func)');
    let table: number | null = null;
    const func: number | string = o.direct !== undefined ? 'call_direct_funcs' : (o.func ?? TRACER_FUNCS[tracer === 'count' ? 'count' : 'function']);
    const directCall = o.direct === undefined ? 0 : typeof o.direct === 'number' ? o.direct : this.code(o.direct).addr;
    const flags = (o.flags ?? 0) | (o.direct !== undefined ? FTRACE_OPS_FL_DIRECT : 0);
    if (typeof func === 'string' && func.length === 0) throw new LabError('LAB_BAD_OPTION', 'func must not be empty');
    // Validate filters on a scratch ops first: a bad pattern must leave no trace (no guest memory used).
    const scratch = new FtraceOps({ name: o.name, func, flags, private: 0, directCall });
    if (o.filter !== undefined) this.core.setFilter(scratch, o.filter);
    if (o.notrace !== undefined) this.core.setNotrace(scratch, o.notrace);
    if (tracer === 'count') {
      const ips = this.core.records.records.map((r) => r.ip);
      table = this.allocator.alloc(countTableBytes(ips.length), 8, 'count table');
      this.text.write(table, encodeCountTable(ips, table));
    }
    const mod = o.module ? this.copyCallback(String(func), o.name ?? 'ops') : null;
    const ops = table === null && mod === null ? scratch : new FtraceOps({ name: o.name, func: mod?.addr ?? func, flags, private: table ?? 0, directCall });
    ops.filterHash = scratch.filterHash;
    ops.notraceHash = scratch.notraceHash;
    const h = this.adopt(new OpsHandle(ops, tracer, table));
    if (mod) this.modules.set(h, mod);
    return h;
  }

  /** A copy of a built-in callback's code in fresh guest memory (position-independent: tp-relative, local branches). */
  private copyCallback(symbol: string, name: string): { addr: number; size: number } {
    const { addr, size } = this.code(symbol);
    const copy = this.allocator.alloc(size, 8, `module callback of ${name}`);
    this.text.write(copy, this.text.read(addr, size));
    return { addr: copy, size };
  }

  private adopt(h: OpsHandle): OpsHandle {
    this.handles.add(h);
    return h;
  }

  /** Apply one planned update through the patcher and note it (state after it, when it landed) in the update log. */
  private async apply(plan: PatchPlan, what: string): Promise<void> {
    const rec = this.updates.add(what);
    const report = await this.patcher.apply(plan);
    rec.report = report;
    this.lastReport = report;
  }
}

function isEmpty(p: string | readonly string[]): boolean {
  return typeof p === 'string' ? p.trim().length === 0 : p.length === 0;
}
