// Writer layout: groups allocated sections into PT_LOAD segments and gives each section its file offset.
import { ELF_PAGE, PF_R, PF_W, PF_X } from './constants.js';

/** A section the writer lays out (validated input). */
export interface PlannedSection {
  index: number; // section header index
  name: string;
  addr: number;
  size: number; // memory size (data.length, or size for NOBITS)
  data: Uint8Array;
  nobits: boolean;
  alloc: boolean;
  flags: number; // PF_* permissions
  align: number;
  offset: number; // assigned by planSegments / placeAfter
}

export interface PlannedSegment {
  vaddr: number;
  offset: number;
  filesz: number;
  memsz: number;
  flags: number;
  sections: PlannedSection[];
}

export function permissionsOf(exec: boolean, write: boolean): number {
  return PF_R | (write ? PF_W : 0) | (exec ? PF_X : 0);
}

/**
 * One PT_LOAD per run of address-ordered, non-empty allocated sections with the same permissions
 * whose gaps are below a page; a NOBITS section ends a run unless NOBITS sections follow.
 */
export function groupSegments(sections: PlannedSection[]): PlannedSegment[] {
  const sorted = sections.filter((s) => s.alloc && s.size > 0).sort((a, b) => a.addr - b.addr);
  const out: PlannedSegment[] = [];
  let cur: PlannedSegment | undefined;
  for (const s of sorted) {
    const last = cur?.sections[cur.sections.length - 1];
    const joins = cur !== undefined && last !== undefined && cur.flags === s.flags &&
      s.addr - (cur.vaddr + cur.memsz) < ELF_PAGE && (!last.nobits || s.nobits);
    if (!joins || !cur) {
      cur = { vaddr: s.addr, offset: 0, filesz: 0, memsz: 0, flags: s.flags, sections: [] };
      out.push(cur);
    }
    cur.sections.push(s);
    cur.memsz = s.addr + s.size - cur.vaddr;
    if (!s.nobits) cur.filesz = cur.memsz;
  }
  return out;
}

/** Assigns file offsets from `cursor` on (offset ≡ vaddr mod page); returns the end of the last file image. */
export function placeSegments(segments: PlannedSegment[], cursor: number): number {
  for (const seg of segments) {
    seg.offset = congruentOffset(cursor, seg.vaddr);
    for (const s of seg.sections) s.offset = seg.offset + (s.addr - seg.vaddr);
    cursor = seg.offset + seg.filesz;
  }
  return cursor;
}

function congruentOffset(cursor: number, vaddr: number): number {
  const want = vaddr % ELF_PAGE;
  const base = cursor - (cursor % ELF_PAGE);
  return base + want >= cursor ? base + want : base + ELF_PAGE + want;
}

export function alignUp(n: number, align: number): number {
  return align <= 1 ? n : Math.ceil(n / align) * align;
}
