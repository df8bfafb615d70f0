// JavaScript callbacks on traced calls: asynchronous ones fed from the ring buffers as they drain, and synchronous ones run while the calling hart is stopped in ftrace_host_call_func (which may change the arguments and redirect the call, like an IPMODIFY ops).
import { fregsA, FREGS_EPC } from '../guest/frame-layout.js';
import type { Machine } from '../machine/machine.js';
import type { RunResult } from '../machine/machine.js';
import { LabError } from './errors.js';
import type { Symbolizer } from './symbolizer.js';
import type { TraceClock } from './trace-clock.js';
import type { LabTraceEvent } from './trace-events.js';

/** One traced call as a callback sees it: the event's call fields (ip, parent, hart, trace clock) and its arguments. */
export interface TracedCall extends Pick<LabTraceEvent, 'ip' | 'parentIp' | 'symbol' | 'parentSymbol' | 'hart' | 'timestamp' | 'ns'> {
  /** a0..a7 as the traced function received them. */
  readonly args: readonly bigint[];
}

/** A synchronous call: the hart waits until the callback returns. */
export interface SyncCall extends TracedCall {
  /** Change argument register a`n` (0..7) before the function runs. */
  setArg(n: number, value: bigint | number): void;
  /**
   * Run `target` (a symbol or an address) instead of the traced function, as livepatch does by setting the resume pc
   * in ftrace_regs; only for ops registered with `ipmodify: true` (FTRACE_OPS_FL_IPMODIFY).
   */
  redirect(target: string | number): void;
}

export type TraceCallback = (call: TracedCall) => void;
export type SyncTraceCallback = (call: SyncCall) => void;

export interface SyncEntry {
  readonly name: string;
  readonly fn: SyncTraceCallback;
  readonly ipmodify: boolean;
}

/** Callbacks of the registered host ops, by the guest address of their ftrace_ops. */
export class HostCallbacks {
  private readonly async = new Map<number, TraceCallback>();
  private readonly sync = new Map<number, SyncEntry>();
  private armed = false;
  /** Synchronous calls serviced so far. */
  syncCalls = 0;

  constructor(
    private readonly machine: Machine,
    /** Address of ftrace_host_call_func (where harts stop for synchronous callbacks). */
    private readonly stopAt: number,
    private readonly clock: TraceClock,
    private readonly symbolizer: Symbolizer,
    private readonly nameOfIp: (ip: number) => string,
    private readonly resolve: (symbol: string) => number,
  ) {}

  /** An asynchronous callback for events written with op = opsAddr. */
  setAsync(opsAddr: number, fn: TraceCallback): void {
    this.async.set(opsAddr, fn);
  }

  /** Synchronous callbacks stop a hart at a breakpoint: the deterministic run loop services them (LAB_BAD_OPTION otherwise). */
  checkSyncAllowed(): void {
    if (this.machine.mode !== 'deterministic') throw new LabError('LAB_BAD_OPTION', 'synchronous callbacks need deterministic mode (the host services each call between two instructions of the hart)');
  }

  setSync(opsAddr: number, entry: SyncEntry): void {
    this.sync.set(opsAddr, entry);
    this.arm();
  }

  /** The ops was unregistered: harts that still stop for it resume without a callback. */
  dropSync(opsAddr: number): void {
    this.sync.delete(opsAddr);
  }

  private arm(): void {
    if (this.armed) return;
    // each hart's own breakpoint register (the engine's single-breakpoint path), not the debugger's list
    for (const h of this.machine.harts) h.setBreakpoint(this.stopAt);
    this.armed = true;
  }

  /** Feed a drained batch to the asynchronous callbacks (in trace order). */
  dispatch(batch: readonly LabTraceEvent[]): void {
    if (this.async.size === 0) return;
    for (const e of batch) {
      if (e.kind !== 'callback') continue;
      const fn = this.async.get(e.op);
      if (fn) fn({ ip: e.ip, parentIp: e.parentIp, symbol: e.symbol, parentSymbol: e.parentSymbol, hart: e.hart, timestamp: e.timestamp, ns: e.ns, args: e.args ?? [] });
    }
  }

  /** Did this run stop because a hart reached ftrace_host_call_func? */
  isHostStop(r: RunResult): boolean {
    return this.armed && r.reason === 'breakpoint' && r.hart !== undefined && this.machine.harts[r.hart]!.pc === BigInt(this.stopAt);
  }

  /** Run the synchronous callback for the hart stopped at ftrace_host_call_func, then write back what it changed. */
  service(hartIndex: number): void {
    const hart = this.machine.harts[hartIndex]!;
    const ip = Number(hart.x('a0'));
    const parentIp = Number(hart.x('a1'));
    const op = Number(hart.x('a2'));
    const fregs = Number(hart.x('a3'));
    const entry = this.sync.get(op);
    this.syncCalls++;
    if (!entry) return;
    const mem = this.machine.memory;
    const args = Array.from({ length: 8 }, (_, n) => mem.readU64(fregs + fregsA(n)));
    const changed = new Map<number, bigint>();
    let target: number | null = null;
    const call: SyncCall = {
      ip,
      parentIp,
      symbol: this.nameOfIp(ip),
      parentSymbol: this.symbolizer.callerOf(parentIp),
      hart: hartIndex,
      timestamp: hart.minstret,
      ns: this.clock.ns(hart.minstret),
      args,
      setArg: (n, value) => {
        if (!Number.isInteger(n) || n < 0 || n > 7) throw new LabError('LAB_BAD_OPTION', `setArg: register a${String(n)} does not exist (a0..a7)`);
        changed.set(n, BigInt.asUintN(64, BigInt(value)));
      },
      redirect: (t) => {
        if (!entry.ipmodify) throw new LabError('LAB_BAD_OPTION', `ops ${entry.name} may not redirect calls: register it with ipmodify: true (FTRACE_OPS_FL_IPMODIFY)`);
        const addr = typeof t === 'string' ? this.resolve(t) : t;
        if (!Number.isSafeInteger(addr) || addr <= 0) throw new LabError('LAB_BAD_OPTION', `redirect: bad target ${String(t)}`);
        target = addr;
      },
    };
    entry.fn(call);
    for (const [n, v] of changed) mem.writeU64(fregs + fregsA(n), v);
    if (target !== null) mem.writeU64(fregs + FREGS_EPC, target); // ftrace_caller resumes at fregs->epc
  }
}
