// Patch plans: the bytes an ftrace update must write (the data form of ftrace_modify_all_code), and a stopped-machine applier.
import { bytesEqual, toHex } from './bytes.js';
import { FtraceError, hexAddr } from './errors.js';

/** A write to a call site: the jalr word ('insn', at or before the entry) or the CALL_OPS literal ('literal'). */
export interface SiteWrite {
  readonly ip: number;
  readonly symbol: string;
  readonly kind: 'insn' | 'literal';
  readonly addr: number;
  readonly old: Uint8Array;
  readonly new: Uint8Array;
}

/**
 * A write to a global the trampoline reads (ftrace_call_dest, function_trace_op). `phase` places it relative to the
 * site writes, as in ftrace_modify_all_code: switch the function to the list func before the sites change, publish
 * the op and the final function after them.
 */
export interface GlobalWrite {
  readonly name: string;
  readonly addr: number;
  readonly phase: 'before-sites' | 'after-sites';
  readonly old: Uint8Array;
  readonly new: Uint8Array;
}

/** Bytes written into freshly allocated guest memory nobody can reach yet (a new ops struct or hash): not verified. */
export interface DataWrite {
  readonly what: string;
  readonly addr: number;
  readonly bytes: Uint8Array;
}

/** A pointer store that publishes or retracts a structure (rcu_assign_pointer: list links, hash pointers). */
export interface LinkWrite {
  readonly what: string;
  readonly addr: number;
  readonly old: Uint8Array;
  readonly new: Uint8Array;
}

/** Guest memory the plan makes unreachable; free it only after the readers' grace period. */
export interface GuestFree {
  readonly what: string;
  readonly addr: number;
  readonly size: number;
}

/**
 * Everything one update writes, in the order it must be written:
 * data, links, globals with phase 'before-sites', sites (by ip, the scheme's order within a site),
 * globals with phase 'after-sites'. `frees` are for after a grace period.
 */
export interface PatchPlan {
  readonly data: DataWrite[];
  readonly links: LinkWrite[];
  readonly globals: GlobalWrite[];
  readonly sites: SiteWrite[];
  readonly frees: GuestFree[];
}

export function emptyPlan(): PatchPlan {
  return { data: [], links: [], globals: [], sites: [], frees: [] };
}

/** True when the plan writes nothing. */
export function isEmptyPlan(plan: PatchPlan): boolean {
  return !plan.data.length && !plan.links.length && !plan.globals.length && !plan.sites.length && !plan.frees.length;
}

/** Guest memory as the applier sees it. */
export interface PatchTarget {
  read(addr: number, len: number): Uint8Array;
  write(addr: number, bytes: Uint8Array): void;
}

interface VerifiedWrite {
  readonly what: string;
  readonly addr: number;
  readonly old: Uint8Array | null;
  readonly new: Uint8Array;
}

/** The writes of a plan in the order they must land. */
export function planWriteOrder(plan: PatchPlan): VerifiedWrite[] {
  return [
    ...plan.data.map((d) => ({ what: d.what, addr: d.addr, old: null, new: d.bytes })),
    ...plan.links.map((l) => ({ what: l.what, addr: l.addr, old: l.old, new: l.new })),
    ...plan.globals.filter((g) => g.phase === 'before-sites').map((g) => ({ what: g.name, addr: g.addr, old: g.old, new: g.new })),
    ...plan.sites.map((s) => ({ what: `${s.symbol} ${s.kind}`, addr: s.addr, old: s.old, new: s.new })),
    ...plan.globals.filter((g) => g.phase === 'after-sites').map((g) => ({ what: g.name, addr: g.addr, old: g.old, new: g.new })),
  ];
}

/**
 * Apply a plan while nothing else runs (the stop_machine model): every `old` is checked first (taking earlier writes of
 * the same plan into account); on any mismatch nothing is written and FTRACE_PATCH_MISMATCH is thrown.
 */
export function applyPlanStopped(plan: PatchPlan, target: PatchTarget): void {
  const writes = planWriteOrder(plan);
  if (!anyOverlap(writes)) {
    // no write sees another's bytes (the usual case: one write per site): check each against the text as it is
    for (const w of writes) {
      if (!w.old) continue;
      const cur = target.read(w.addr, w.old.length);
      if (!bytesEqual(cur, w.old)) {
        throw new FtraceError('FTRACE_PATCH_MISMATCH', `${w.what} at ${hexAddr(w.addr)}: expected ${toHex(w.old)}, text holds ${toHex(cur)}`);
      }
    }
    for (const w of writes) target.write(w.addr, w.new);
    return;
  }
  const overlay = new Map<number, number>(); // byte address -> value after the earlier writes
  for (const w of writes) {
    if (w.old) {
      const cur = target.read(w.addr, w.old.length).slice();
      for (let i = 0; i < cur.length; i++) {
        const v = overlay.get(w.addr + i);
        if (v !== undefined) cur[i] = v;
      }
      if (!bytesEqual(cur, w.old)) {
        throw new FtraceError(
          'FTRACE_PATCH_MISMATCH',
          `${w.what} at ${hexAddr(w.addr)}: expected ${toHex(w.old)}, text holds ${toHex(cur)}`,
        );
      }
    }
    for (let i = 0; i < w.new.length; i++) overlay.set(w.addr + i, w.new[i]!);
  }
  for (const w of writes) target.write(w.addr, w.new);
}

/** Do any two writes touch a common byte? */
function anyOverlap(writes: readonly VerifiedWrite[]): boolean {
  const byAddr = writes.map((w) => [w.addr, w.addr + Math.max(w.new.length, w.old?.length ?? 0)] as const).sort((a, b) => a[0] - b[0]);
  let end = -Infinity;
  for (const [lo, hi] of byAddr) {
    if (lo < end) return true;
    end = Math.max(end, hi);
  }
  return false;
}

/** A PatchTarget over a plain byte array that starts at guest address `base` (tests, offline planning). */
export class MemoryPatchTarget implements PatchTarget {
  constructor(
    readonly base: number,
    readonly bytes: Uint8Array,
  ) {}

  private offset(addr: number, len: number): number {
    const off = addr - this.base;
    if (!Number.isSafeInteger(off) || off < 0 || off + len > this.bytes.length) {
      throw new FtraceError('FTRACE_BAD_SITE', `access ${hexAddr(addr)}+${len} is outside ${hexAddr(this.base)}+${this.bytes.length}`);
    }
    return off;
  }

  read(addr: number, len: number): Uint8Array {
    const off = this.offset(addr, len);
    return this.bytes.slice(off, off + len);
  }

  write(addr: number, bytes: Uint8Array): void {
    this.bytes.set(bytes, this.offset(addr, bytes.length));
  }
}
