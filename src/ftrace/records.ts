// struct dyn_ftrace and the record table (ftrace_pages): one record per patch site, sorted by ip, lookup_rec by bsearch.
import { FtraceError, hexAddr } from './errors.js';
import { ftraceRecCount } from './flags.js';
import { siteFuncAddr, type SiteLayout } from './site-layout.js';

/** What a site's text currently holds (the arch part of the record, dyn_arch_ftrace). */
export interface SiteState {
  /** Target of the `jalr t0` at ip, or null when that word is `nop`. */
  readonly call: number | null;
  /** Ops pointer held by the CALL_OPS literal, or null when the layout/scheme has none. */
  readonly literal: number | null;
}

/** One patch site: struct dyn_ftrace. */
export class DynFtrace {
  /** rec->flags: FTRACE_FL_* state bits on top, reference count in the low FTRACE_REF_MAX_SHIFT bits. */
  flags = 0;
  /** What the text holds now (maintained by the core as plans are emitted). */
  state: SiteState = { call: null, literal: null };
  constructor(
    /** Address of the jalr word (the only word ftrace patches). */
    readonly ip: number,
    readonly symbol: string,
    readonly layout: SiteLayout,
  ) {}

  /** Function entry address (the auipc word). */
  get funcAddr(): number {
    return siteFuncAddr(this.ip);
  }

  /** ftrace_rec_count(rec). */
  get count(): number {
    return ftraceRecCount(this.flags);
  }
}

/** The sorted record table, with the kernel's lookup_rec (by ip) and a by-name index (names may repeat). */
export class RecordTable {
  readonly records: readonly DynFtrace[];
  private readonly byName = new Map<string, DynFtrace[]>();

  constructor(records: DynFtrace[]) {
    const sorted = [...records].sort((a, b) => a.ip - b.ip);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.ip === sorted[i - 1]!.ip) {
        throw new FtraceError('FTRACE_BAD_RECORD', `two records at ip ${hexAddr(sorted[i]!.ip)}`);
      }
    }
    this.records = sorted;
    for (const r of sorted) {
      const list = this.byName.get(r.symbol);
      if (list) list.push(r);
      else this.byName.set(r.symbol, [r]);
    }
  }

  get size(): number {
    return this.records.length;
  }

  /** lookup_rec: the record whose ip is exactly `ip`, or undefined. */
  lookupIp(ip: number): DynFtrace | undefined {
    let lo = 0;
    let hi = this.records.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.records[mid]!;
      if (r.ip === ip) return r;
      if (r.ip < ip) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Records of functions named `name` (several for same-named static functions). */
  lookupName(name: string): readonly DynFtrace[] {
    return this.byName.get(name) ?? [];
  }

  [Symbol.iterator](): Iterator<DynFtrace> {
    return this.records[Symbol.iterator]();
  }
}
