// The history of ftrace updates (which ops traced which functions after each, and when each landed relative to every hart's workload passes) and the checks it enables on trace events.
import type { FtraceCore } from '../ftrace/core.js';
import { hashContainsIp, type FtraceHash } from '../ftrace/hash.js';
import type { PatchReport } from '../patch/code-patcher.js';
import type { GuestPort } from '../patch/guest-port.js';

/** Registered ops after an update: guest ops address -> its filter and notrace hashes. */
export type FtraceState = ReadonlyMap<number, { readonly name: string; readonly filter: FtraceHash; readonly notrace: FtraceHash }>;

export interface UpdateRecord {
  /** 1-based position in the log (state S_index holds after it). */
  readonly index: number;
  readonly what: string;
  readonly state: FtraceState;
  /** Filled when the update has landed. */
  report: PatchReport | null;
}

/** What a trace event must carry to be checked. */
export interface CheckedEvent {
  readonly ip: number;
  readonly op: number;
  readonly qs: number;
  readonly hart: number;
}

/**
 * Updates in the order they were planned (= the order they land: updates are serialized). For a pass q of hart h's
 * workload loop, the states that may have been live during it are S_lo .. S_hi with lo = the number of updates that
 * ended before the pass began (qsEnd[h] < q) and hi = the number that began before it ended (qsStart[h] <= q).
 */
export class UpdateLog {
  readonly records: UpdateRecord[] = [];
  readonly initial: FtraceState;

  constructor(
    private readonly core: FtraceCore,
    private readonly port: GuestPort | null,
  ) {
    this.initial = this.snapshot();
  }

  /** Call right after the core planned an update (its state is the new one). */
  add(what: string): UpdateRecord {
    const rec: UpdateRecord = { index: this.records.length + 1, what, state: this.snapshot(), report: null };
    this.records.push(rec);
    return rec;
  }

  private snapshot(): FtraceState {
    const m = new Map<number, { name: string; filter: FtraceHash; notrace: FtraceHash }>();
    for (const ops of this.core.registeredOps()) {
      const addr = this.core.opsAddr(ops);
      if (addr !== undefined) m.set(addr, { name: ops.name, filter: ops.filterHash, notrace: ops.notraceHash });
    }
    return m;
  }

  state(i: number): FtraceState {
    return i === 0 ? this.initial : this.records[i - 1]!.state;
  }

  /** [lo, hi]: the states that may have been live during pass q of hart h (null: some update has not landed yet). */
  window(hart: number, q: number): [number, number] | null {
    // reports land in log order: the log changed only if it grew or its last update landed since the last call
    const key = `${this.records.length}:${this.records.at(-1)?.report ? 1 : 0}`;
    if (!this.cachedFinder || this.cachedFinder.key !== key) this.cachedFinder = { key, find: this.windowFinder() };
    return this.cachedFinder.find(hart, q);
  }

  private cachedFinder: { key: string; find: (hart: number, q: number) => [number, number] | null } | null = null;

  /**
   * window() for many lookups: built once over the log, then a binary search per (hart, pass), memoized. Every
   * record's qsStart and qsEnd only grow along the log (updates are serialized), which the search relies on; a log
   * where they do not (or without guest counters) falls back to the linear rule.
   */
  private windowFinder(): (hart: number, q: number) => [number, number] | null {
    const recs = this.records;
    if (recs.some((r) => !r.report)) return () => null;
    if (recs.some((r) => !r.report!.qsStart || !r.report!.qsEnd)) return () => [0, recs.length]; // no guest counters: anything goes
    const start = (k: number, h: number) => recs[k]!.report!.qsStart![h]!;
    const end = (k: number, h: number) => recs[k]!.report!.qsEnd![h]!;
    const harts = recs.length ? recs[0]!.report!.qsStart!.length : 0;
    let sorted = true;
    for (let h = 0; h < harts && sorted; h++) {
      for (let k = 1; k < recs.length; k++) {
        if (start(k, h) < start(k - 1, h) || end(k, h) < end(k - 1, h)) {
          sorted = false;
          break;
        }
      }
    }
    /** Number of records k (a prefix) with key(k) satisfying pred; index of the last one + 1 = its 1-based index. */
    const lastWhere = (pred: (k: number) => boolean): number => {
      if (!sorted) {
        let last = 0;
        for (let k = 0; k < recs.length; k++) if (pred(k)) last = recs[k]!.index;
        return last;
      }
      let lo = 0;
      let hi = recs.length; // pred holds on [0, lo) and fails on [hi, n)
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (pred(mid)) lo = mid + 1;
        else hi = mid;
      }
      return lo === 0 ? 0 : recs[lo - 1]!.index;
    };
    const memo = new Map<number, [number, number]>();
    return (hart, q) => {
      const key = q * 1024 + hart; // harts < 1024
      let w = memo.get(key);
      if (!w) {
        w = [lastWhere((k) => end(k, hart) < q), lastWhere((k) => start(k, hart) <= q)];
        memo.set(key, w);
      }
      return w;
    };
  }

  /** Did `op` trace `ip` in state i? */
  traces(i: number, op: number, ip: number): boolean {
    const o = this.state(i).get(op);
    return o !== undefined && hashContainsIp(o.filter, o.notrace, ip);
  }

  /**
   * Events whose (ops, function) pair was registered in no state that could have been live while the event's pass
   * ran: a callback that received an ops that was not (or no longer) tracing that function.
   */
  misattributed<E extends CheckedEvent>(events: readonly E[]): E[] {
    const window = this.windowFinder();
    return events.filter((e) => {
      const w = window(e.hart, e.qs);
      if (!w) return false;
      for (let i = w[0]; i <= w[1]; i++) if (this.traces(i, e.op, e.ip)) return false;
      return true;
    });
  }

  /**
   * Passes that ran wholly inside one state (no update overlapped them) must hold exactly the calls that state
   * traces: for every (ops, function) pair it registers, `callsPerPass(ip)` events; and nothing else. Checks passes
   * 1 .. lastPass[h] - 1 of each hart (the last one may be cut short). Returns one message per wrong pass.
   */
  inexactPasses<E extends CheckedEvent>(events: readonly E[], lastPass: readonly number[], ips: readonly number[], callsPerPass: (ip: number) => number): string[] {
    const byPass = new Map<string, Map<string, number>>();
    for (const e of events) {
      const k = `${e.hart}:${e.qs}`;
      let m = byPass.get(k);
      if (!m) byPass.set(k, (m = new Map()));
      const pair = `${e.op}:${e.ip}`;
      m.set(pair, (m.get(pair) ?? 0) + 1);
    }
    const out: string[] = [];
    const window = this.windowFinder();
    const wanted = new Map<number, Map<string, number>>(); // per state: the (ops, ip) pairs and calls a pass must hold
    lastPass.forEach((last, h) => {
      for (let q = 1; q < last; q++) {
        const w = window(h, q);
        if (!w || w[0] !== w[1]) continue;
        let want = wanted.get(w[0]);
        if (!want) {
          want = new Map<string, number>();
          for (const [op] of this.state(w[0])) {
            for (const ip of ips) if (this.traces(w[0], op, ip) && callsPerPass(ip) > 0) want.set(`${op}:${ip}`, callsPerPass(ip));
          }
          wanted.set(w[0], want);
        }
        const got = byPass.get(`${h}:${q}`) ?? new Map<string, number>();
        const keys = new Set([...want!.keys(), ...got.keys()]);
        for (const k of keys) {
          if ((want!.get(k) ?? 0) !== (got.get(k) ?? 0)) {
            out.push(`hart ${h} pass ${q} (state ${w[0]}): ops:ip ${k} traced ${got.get(k) ?? 0} times, expected ${want!.get(k) ?? 0}`);
            break;
          }
        }
      }
    });
    return out;
  }

  /** The guest's pass count of every hart now (0 without guest counters). */
  passes(): number[] {
    return this.port ? this.port.quiescentCounts() : [];
  }
}
