// ftrace_process_locs + ftrace_init_nop planning: records from __patchable_function_entries, validated, converted to the disabled state.
import { bytesEqual, toHex } from './bytes.js';
import { FtraceError, hexAddr } from './errors.js';
import { emptyPlan, type PatchPlan, type PatchTarget } from './patch-plan.js';
import { DynFtrace, RecordTable } from './records.js';
import type { CallSiteScheme } from './schemes/scheme.js';
import { compilerNops, ftraceCallAdjust, patchAreaSize, type SiteLayout } from './site-layout.js';

/** One function with a patch area: its name and its `__patchable_function_entries` value (the first NOP). */
export interface FunctionEntry {
  readonly symbol: string;
  readonly pfe: number;
}

export type RejectReason = 'bad-address' | 'misaligned' | 'unreadable' | 'not-nops' | 'duplicate' | 'overlap' | 'out-of-reach';

/** A site ftrace leaves untraced, and why. */
export interface RejectedSite {
  readonly symbol: string;
  readonly pfe: number;
  readonly reason: RejectReason;
  readonly detail: string;
}

export interface FtraceInitResult {
  readonly records: RecordTable;
  readonly rejected: RejectedSite[];
  /** The boot conversion: compiler NOPs -> disabled sites (sites only). */
  readonly plan: PatchPlan;
}

/**
 * Build the record table and plan ftrace_init_nop for every valid site. Invalid sites (misaligned entry, bytes that
 * are not the compiler's NOPs, overlapping or duplicate entries, unreachable trampoline) are rejected, not fatal.
 * After this, each record's `state` is the scheme's disabled state (as if the plan were applied).
 */
export function planFtraceInit(
  entries: readonly FunctionEntry[],
  layout: SiteLayout,
  text: Pick<PatchTarget, 'read'>,
  scheme: CallSiteScheme,
): FtraceInitResult {
  scheme.checkLayout(layout);
  const rejected: RejectedSite[] = [];
  const reject = (e: FunctionEntry, reason: RejectReason, detail: string) => rejected.push({ symbol: e.symbol, pfe: e.pfe, reason, detail });
  const size = patchAreaSize(layout);
  const expected = compilerNops(layout, size);

  const candidates: { e: FunctionEntry; bytes: Uint8Array }[] = [];
  for (const e of entries) {
    if (!Number.isSafeInteger(e.pfe) || e.pfe < 0) {
      reject(e, 'bad-address', `entry address ${String(e.pfe)} is not a guest address`);
      continue;
    }
    const func = e.pfe + layout.preEntryBytes;
    if (func % layout.functionAlign !== 0) {
      reject(e, 'misaligned', `function entry ${hexAddr(func)} is not ${layout.functionAlign}-byte aligned (layout ${layout.kind})`);
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = text.read(e.pfe, size);
    } catch (err) {
      reject(e, 'unreadable', `cannot read ${size} bytes at ${hexAddr(e.pfe)}: ${(err as Error).message}`);
      continue;
    }
    if (!bytesEqual(bytes, expected)) {
      reject(e, 'not-nops', `expected ${toHex(expected)} at ${hexAddr(e.pfe)}, found ${toHex(bytes)}`);
      continue;
    }
    candidates.push({ e, bytes });
  }

  candidates.sort((a, b) => a.e.pfe - b.e.pfe);
  const kept: { e: FunctionEntry; bytes: Uint8Array }[] = [];
  for (const c of candidates) {
    const prev = kept[kept.length - 1];
    if (prev && prev.e.pfe === c.e.pfe) {
      reject(c.e, 'duplicate', `${hexAddr(c.e.pfe)} is also the patch area of ${prev.e.symbol}`);
    } else if (prev && c.e.pfe < prev.e.pfe + size) {
      reject(c.e, 'overlap', `patch area at ${hexAddr(c.e.pfe)} overlaps ${prev.e.symbol}'s at ${hexAddr(prev.e.pfe)}`);
    } else {
      kept.push(c);
    }
  }

  const plan = emptyPlan();
  const records: DynFtrace[] = [];
  for (const { e, bytes } of kept) {
    const rec = new DynFtrace(ftraceCallAdjust(layout, e.pfe), e.symbol, layout);
    try {
      plan.sites.push(...scheme.initSite(rec, bytes));
    } catch (err) {
      if (err instanceof FtraceError && err.code === 'FTRACE_OUT_OF_REACH') {
        reject(e, 'out-of-reach', err.message);
        continue;
      }
      throw err;
    }
    rec.state = scheme.disabledState(rec);
    records.push(rec);
  }
  return { records: new RecordTable(records), rejected, plan };
}

/** Name each `__patchable_function_entries` address after the symbol at its function entry (pfe + pre-entry bytes). */
export function functionEntriesFromSymbols(
  pfeAddrs: readonly number[],
  symbols: readonly { readonly name: string; readonly value: number }[],
  layout: SiteLayout,
): FunctionEntry[] {
  const byAddr = new Map<number, string>();
  for (const s of symbols) if (s.name && !byAddr.has(s.value)) byAddr.set(s.value, s.name);
  return pfeAddrs.map((pfe) => {
    const func = pfe + layout.preEntryBytes;
    return { pfe, symbol: byAddr.get(func) ?? hexAddr(func) };
  });
}
