// RISC-V ftrace patch-site layouts (-fpatchable-function-entry variants, v6.16) and ftrace_call_adjust.
import { C_NOP, NOP4 } from './insn.js';
import { u16le, u32le, concatBytes } from './bytes.js';

/**
 * Which compiler flag built the site:
 * - 'rvc-8,4'    -fpatchable-function-entry=8,4 with C: 4x c.nop before the entry (the CALL_OPS literal), 4x c.nop at it;
 * - 'norvc-4,2'  -fpatchable-function-entry=4,2 without C: 2x nop before, 2x nop at the entry;
 * - 'rvc-4'      -fpatchable-function-entry=4 with C (no CALL_OPS): 4x c.nop at the entry;
 * - 'norvc-2'    -fpatchable-function-entry=2 without C (no CALL_OPS): 2x nop at the entry;
 * - 'rvc-14,12'  -fpatchable-function-entry=14,12 with C: 12x c.nop before the entry (24 bytes: an s390-style second
 *                stage), 2x c.nop at it (one 4-byte slot: the first-stage branch) — s390's -mhotpatch=pre,post in RISC-V form;
 * - 'norvc-7,6'  -fpatchable-function-entry=7,6 without C: 6x nop before, 1x nop at the entry (the same 24 + 4 bytes).
 */
export type SiteLayoutKind = 'rvc-8,4' | 'norvc-4,2' | 'rvc-4' | 'norvc-2' | 'rvc-14,12' | 'norvc-7,6';

export interface SiteLayout {
  readonly kind: SiteLayoutKind;
  /** Width of the compiler's NOP: 2 (c.nop) with C, 4 (addi x0,x0,0) without. */
  readonly nopBytes: 2 | 4;
  /** Bytes of NOPs before the function symbol (8 = room for the CALL_OPS literal, 24 = an s390-style second stage, or 0). */
  readonly preEntryBytes: 0 | 8 | 24;
  /** Bytes of NOPs at the entry: 8 (later `auipc t0` + `jalr t0`) or 4 (one branch, the hotpatch layouts). */
  readonly entryBytes: 4 | 8;
  /** Required alignment of the function entry (8 when data sits before it, so that data is naturally aligned, else 4). */
  readonly functionAlign: 4 | 8;
}

export const SITE_LAYOUTS: Readonly<Record<SiteLayoutKind, SiteLayout>> = {
  'rvc-8,4': { kind: 'rvc-8,4', nopBytes: 2, preEntryBytes: 8, entryBytes: 8, functionAlign: 8 },
  'norvc-4,2': { kind: 'norvc-4,2', nopBytes: 4, preEntryBytes: 8, entryBytes: 8, functionAlign: 8 },
  'rvc-4': { kind: 'rvc-4', nopBytes: 2, preEntryBytes: 0, entryBytes: 8, functionAlign: 4 },
  'norvc-2': { kind: 'norvc-2', nopBytes: 4, preEntryBytes: 0, entryBytes: 8, functionAlign: 4 },
  'rvc-14,12': { kind: 'rvc-14,12', nopBytes: 2, preEntryBytes: 24, entryBytes: 4, functionAlign: 8 },
  'norvc-7,6': { kind: 'norvc-7,6', nopBytes: 4, preEntryBytes: 24, entryBytes: 4, functionAlign: 8 },
};

/** The hotpatch layout (24 pre-entry bytes for the second stage, one 4-byte entry slot) with or without C. */
export function hotpatchLayoutKind(rvc: boolean): SiteLayoutKind {
  return rvc ? 'rvc-14,12' : 'norvc-7,6';
}

/** True when the layout is a hotpatch layout (second stage before the entry, one 4-byte slot at it). */
export function isHotpatchLayout(layout: SiteLayout): boolean {
  return layout.preEntryBytes === 24 && layout.entryBytes === 4;
}

/** True when the layout reserves the 8-byte per-function ops literal (CALL_OPS). */
export function hasOpsLiteral(layout: SiteLayout): boolean {
  return layout.preEntryBytes === 8;
}

/**
 * ftrace_call_adjust: from the `__patchable_function_entries` address (first NOP) to rec->ip = function entry + 4 (the
 * jalr word of a 6.16 site; for the hotpatch layouts, the first instruction after the branch, where a call resumes).
 */
export function ftraceCallAdjust(layout: SiteLayout, pfeAddr: number): number {
  return pfeAddr + layout.preEntryBytes + 4;
}

/** Function entry (the auipc word, or the hotpatch branch) of a record: arch_ftrace_get_symaddr(ip) = ip - 4. */
export function siteFuncAddr(ip: number): number {
  return ip - 4;
}

/** Address of the CALL_OPS literal: ALIGN_DOWN(ip - 12, 8). */
export function literalAddr(ip: number): number {
  return Math.floor((ip - 12) / 8) * 8;
}

/** The bytes GCC emitted for `count` bytes of NOPs of this layout. */
export function compilerNops(layout: SiteLayout, count: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < count; at += layout.nopBytes) parts.push(layout.nopBytes === 2 ? u16le(C_NOP) : u32le(NOP4));
  return concatBytes(...parts);
}

/** First address of the whole patch area (pre-entry NOPs included) of a record. */
export function patchAreaStart(layout: SiteLayout, ip: number): number {
  return siteFuncAddr(ip) - layout.preEntryBytes;
}

/** Size of the whole patch area in bytes. */
export function patchAreaSize(layout: SiteLayout): number {
  return layout.preEntryBytes + layout.entryBytes;
}
