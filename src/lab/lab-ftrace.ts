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
import type { FgraphControl, GraphOptions } from './fgraph-control.js';
import type { HostCallbacks, SyncEntry, SyncTraceCallback, TraceCallback } from './host-callbacks.js';
import { FTRACE_OPS_FL_IPMODIFY } from '../ftrace/flags.js';
import { OpsHandle, type LabTracer } from './ops-handle.js';
import { buildFentryFexit, readFentryFexitMap, type FentryFexitAttachment } from './fentry-fexit.js';

export interface RegisterOptions extends GraphOptions {
  /** set_ftrace_filter patterns (string: whitespace-separated; '!' removes). Default: every function. */
  readonly filter?: string | readonly string[];
  /** set_ftrace_notrace patterns. */
  readonly notrace?: string | readonly string[];
  /**
   * Built-in tracer callback (default 'function'); ignored when `func` is given. 'function_graph' hooks returns
   * (ftrace_graph_func + return_to_handler); only one function_graph ops may be registered at a time, and the
   * GraphOptions (maxGraphDepth, graphFunction, graphNotrace) apply to it.
   */
  readonly tracer?: 'function' | 'count' | 'function_graph';
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
  /**
   * A JavaScript callback for every traced call (ip, parent ip, hart, trace clock, a0-a7). It is ASYNCHRONOUS to the
   * guest: the guest ops func (ftrace_host_event_func) records the call in the hart's ring buffer and the function runs
   * on; the callback sees it when the lab drains the buffers (between run chunks, or every drainMs in parallel mode).
   */
  readonly callback?: TraceCallback;
  /**
   * A SYNCHRONOUS callback (deterministic mode): the hart stops in ftrace_host_call_func before the function runs, the
   * callback may change a0-a7 and, with `ipmodify`, redirect the call; then the hart goes on.
   */
  readonly sync?: SyncTraceCallback;
  /** FTRACE_OPS_FL_IPMODIFY: the sync callback may redirect calls; at most one such ops per function (FTRACE_IPMODIFY_CONFLICT). */
  readonly ipmodify?: boolean;
}

/** Guest code a LabFtrace may copy (module callbacks): symbol -> [address, size]. */
export type CodeLookup = (symbol: string) => { addr: number; size: number };

const TRACER_FUNCS = { function: 'function_tracer_func', count: 'count_tracer_func', function_graph: 'ftrace_graph_func' } as const;
const TRACER_NAMES = Object.keys(TRACER_FUNCS);

/** The Lab's ftrace interface over one FtraceCore. */
export class LabFtrace {
  private readonly handles = new Set<OpsHandle>();
  /** Module callback copies: handle -> the copy's address and size (null once freed). */
  private readonly modules = new Map<OpsHandle, { addr: number; size: number; what?: string } | null>();
  /** fentry/fexit maps of attached trampolines (freed with them). */
  private readonly maps = new Map<OpsHandle, number>();
  /** The graph knobs each function_graph handle was created with (applied when it is registered). */
  private readonly graphOptions = new Map<OpsHandle, GraphOptions>();
  /** Host callbacks of callback ops (installed when they are registered). */
  private readonly hostCallbacks = new Map<OpsHandle, { async?: TraceCallback; sync?: SyncEntry }>();
  /** Report of the last applied plan. */
  lastReport: PatchReport | null = null;

  constructor(
    private readonly core: FtraceCore,
    private readonly allocator: GuestAllocator,
    private readonly patcher: CodePatcher,
    private readonly text: TextWriter,
    private readonly updates: UpdateLog,
    private readonly code: CodeLookup,
    /** function_graph's guest state (max_graph_depth, set_graph_*, shadow stacks). */
    readonly graph: FgraphControl,
    /** Where host callbacks are dispatched (async) and serviced (sync). */
    private readonly hosts: HostCallbacks,
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
    if (handle.tracer === 'function_graph') {
      // register_ftrace_graph (v6.6): one graph tracer at a time, else -EBUSY
      const other = this.registered().find((h) => h.tracer === 'function_graph');
      if (other) throw new LabError('LAB_BUSY', `function_graph ops ${other.name} is already registered (one graph tracer at a time)`);
      const g = this.graphOptions.get(handle);
      if (g) this.graph.apply(g); // otherwise the knobs as they stand (tracefs max_graph_depth, set_graph_*)
    }
    const cb = this.hostCallbacks.get(handle);
    const plan = this.core.register(handle.ops);
    const addr = this.core.opsAddr(handle.ops);
    // the callback is in place before any site can reach the ops
    if (cb?.async && addr !== undefined) this.hosts.setAsync(addr, cb.async);
    if (cb?.sync && addr !== undefined) this.hosts.setSync(addr, cb.sync);
    await this.apply(plan, `register ${handle.name}`);
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
    const addr = this.core.opsAddr(handle.ops);
    const map = this.maps.get(handle);
    if (map !== undefined) {
      plan.frees.push({ what: `fentry/fexit map of ${handle.name}`, addr: map, size: 0 });
      this.maps.delete(handle);
    }
    await this.apply(plan, `unregister ${handle.name}`);
    if (addr !== undefined && this.hostCallbacks.get(handle)?.sync) this.hosts.dropSync(addr);
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
    if (o.tracer !== undefined && !TRACER_NAMES.includes(o.tracer)) {
      throw new LabError('LAB_BAD_OPTION', `tracer must be one of ${TRACER_NAMES.join(', ')}, got '${String(o.tracer)}'`);
    }
    const host = o.callback !== undefined || o.sync !== undefined;
    if (host) {
      if (o.callback !== undefined && o.sync !== undefined) throw new LabError('LAB_BAD_OPTION', 'give callback (asynchronous) or sync, not both');
      if (o.func !== undefined || o.tracer !== undefined || o.module || o.direct !== undefined) throw new LabError('LAB_BAD_OPTION', 'a callback ops has no tracer, func, direct or module');
      if (typeof (o.callback ?? o.sync) !== 'function') throw new LabError('LAB_BAD_OPTION', 'callback / sync must be a function');
      if (o.sync !== undefined) this.hosts.checkSyncAllowed();
    }
    if (o.ipmodify && o.sync === undefined) throw new LabError('LAB_BAD_OPTION', 'ipmodify needs a sync callback (only it can change the resume pc)');
    if (o.direct !== undefined && (o.func !== undefined || o.tracer !== undefined || o.module)) {
      throw new LabError('LAB_BAD_OPTION', 'a direct ops has no tracer callback: give direct alone (not func, tracer or module)');
    }
    const tracer: LabTracer = host ? 'callback' : o.func !== undefined || o.direct !== undefined ? 'custom' : (o.tracer ?? 'function');
    const graphOpts: GraphOptions = { maxGraphDepth: o.maxGraphDepth, graphFunction: o.graphFunction, graphNotrace: o.graphNotrace };
    const graphGiven = o.maxGraphDepth !== undefined || o.graphFunction !== undefined || o.graphNotrace !== undefined;
    if (graphGiven && tracer !== 'function_graph') throw new LabError('LAB_BAD_OPTION', 'maxGraphDepth, graphFunction and graphNotrace apply to the function_graph tracer');
    if (tracer === 'function_graph') this.graph.check(graphOpts);
    if (o.module && tracer === 'custom') throw new LabError('LAB_BAD_OPTION', 'module applies to the built-in tracers (not to a custom func)');
    let table: number | null = null;
    const func: number | string =
      o.direct !== undefined
        ? 'call_direct_funcs'
        : o.callback !== undefined
          ? 'ftrace_host_event_func'
          : o.sync !== undefined
            ? 'ftrace_host_call_func'
            : (o.func ?? TRACER_FUNCS[tracer === 'custom' || tracer === 'callback' ? 'function' : tracer]);
    const directCall = o.direct === undefined ? 0 : typeof o.direct === 'number' ? o.direct : this.code(o.direct).addr;
    const flags = (o.flags ?? 0) | (o.ipmodify ? FTRACE_OPS_FL_IPMODIFY : 0) | (o.direct !== undefined ? FTRACE_OPS_FL_DIRECT : 0);
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
    if (tracer === 'function_graph' && graphGiven) this.graphOptions.set(h, graphOpts);
    if (o.callback) this.hostCallbacks.set(h, { async: o.callback });
    if (o.sync) this.hostCallbacks.set(h, { sync: { name: ops.name, fn: o.sync, ipmodify: o.ipmodify ?? false } });
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

  /** Apply a plan made outside the core (lab.textPoke) like any update: through the protocol, noted in the update log. */
  applyPlan(plan: PatchPlan, what: string): Promise<void> {
    return this.apply(plan, what);
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
