// Which -fpatchable-function-entry=N,M built an ELF (read from its symbols and NOPs), and whether a scheme's site fits it.
import type { ElfImage } from '../elf/types.js';
import { FtraceError } from '../ftrace/errors.js';
import type { SchemeDescriptor } from '../ftrace/schemes/descriptor.js';
import { SITE_LAYOUTS, type SiteLayout } from '../ftrace/site-layout.js';

/** The most NOP bytes an entry may have before its function symbol and still count (the hotpatch layouts have 24). */
const MAX_PRE_ENTRY_BYTES = 64;

const C_NOP = 0x0001;
const NOP4 = 0x00000013;

/** The patchable area GCC left around the entries: NOP bytes before the function symbol and at it (most common value). */
export interface ElfPatchableArea {
  readonly nopBytes: 2 | 4;
  readonly preEntryBytes: number;
  readonly entryBytes: number;
}

function byteAt(elf: ElfImage, addr: number): number | null {
  for (const s of elf.segments) if (addr >= s.vaddr && addr < s.vaddr + s.data.length) return s.data[addr - s.vaddr]!;
  return null;
}

/** Bytes of consecutive NOPs of width `w` from `addr` (at most `max`). */
function nopRun(elf: ElfImage, addr: number, w: 2 | 4, max: number): number {
  let n = 0;
  while (n < max) {
    let v = 0;
    for (let i = w - 1; i >= 0; i--) {
      const b = byteAt(elf, addr + n + i);
      if (b === null) return n;
      v = v * 256 + b;
    }
    if (v !== (w === 2 ? C_NOP : NOP4)) return n;
    n += w;
  }
  return n;
}

function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
}

/** N,M of -fpatchable-function-entry for an area (N NOPs in all, M of them before the entry). */
export function patchableEntryFlag(area: ElfPatchableArea): string {
  const n = (area.preEntryBytes + area.entryBytes) / area.nopBytes;
  const m = area.preEntryBytes / area.nopBytes;
  return m === 0 ? `-fpatchable-function-entry=${n}` : `-fpatchable-function-entry=${n},${m}`;
}

/** Measure the area from every entry whose function symbol sits at most MAX_PRE_ENTRY_BYTES after its first NOP. */
export function measurePatchableArea(elf: ElfImage, functions: readonly { readonly value: number }[], pfes: readonly number[]): ElfPatchableArea {
  const nopBytes: 2 | 4 = (elf.eFlags & 1) !== 0 ? 2 : 4;
  const starts = [...new Set(functions.map((f) => f.value))].sort((a, b) => a - b);
  const pres: number[] = [];
  const entries: number[] = [];
  for (const pfe of pfes) {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < pfe) lo = mid + 1;
      else hi = mid;
    }
    const func = starts[lo];
    if (func === undefined || func - pfe > MAX_PRE_ENTRY_BYTES) continue;
    pres.push(func - pfe);
    entries.push(nopRun(elf, func, nopBytes, 16));
  }
  if (pres.length === 0) return { nopBytes, preEntryBytes: 0, entryBytes: 0 };
  return { nopBytes, preEntryBytes: mostCommon(pres), entryBytes: mostCommon(entries) };
}

/**
 * The site layout of the area, checked against the scheme. A scheme with its own layout (s390-hotpatch: 24 bytes of
 * NOPs before each entry for the second stage, one 4-byte slot at it) takes exactly that; every other scheme needs two
 * 4-byte words (8 bytes of NOPs) at the entry, CALL_OPS also the 8-byte literal slot before it. FTRACE_BAD_LAYOUT names
 * the flag the scheme needs.
 */
export function elfSiteLayout(area: ElfPatchableArea, scheme: SchemeDescriptor): SiteLayout {
  const rvc = area.nopBytes === 2;
  const built = patchableEntryFlag(area);
  const need = scheme.patchableEntry(rvc);
  const own = scheme.siteLayout?.(rvc);
  if (own !== undefined) {
    const layout = SITE_LAYOUTS[own];
    if (area.preEntryBytes !== layout.preEntryBytes || area.entryBytes < layout.entryBytes) {
      throw new FtraceError(
        'FTRACE_BAD_LAYOUT',
        `the ${scheme.name} scheme needs ${layout.preEntryBytes} bytes of NOPs before each entry (its second stage) and ${layout.entryBytes} at it, ` +
          `but the ELF has ${area.preEntryBytes} before and ${area.entryBytes} at it (${built}); build with ${need} -falign-functions=${layout.functionAlign}`,
      );
    }
    return layout;
  }
  if (area.entryBytes < 8 || (area.preEntryBytes !== 0 && area.preEntryBytes !== 8)) {
    throw new FtraceError(
      'FTRACE_BAD_LAYOUT',
      `the ELF's patchable area (${area.preEntryBytes} bytes of NOPs before each entry, ${area.entryBytes} at it: ${built}) ` +
        `cannot hold the ${scheme.name} site; build with ${need}`,
    );
  }
  if (scheme.needsOpsLiteral && area.preEntryBytes !== 8) {
    throw new FtraceError(
      'FTRACE_BAD_LAYOUT',
      `the ${scheme.name} scheme needs an 8-byte ops literal before each function, but the ELF was built with ${built}; build with ${need}`,
    );
  }
  if (area.preEntryBytes === 8) return SITE_LAYOUTS[rvc ? 'rvc-8,4' : 'norvc-4,2'];
  return SITE_LAYOUTS[rvc ? 'rvc-4' : 'norvc-2'];
}
