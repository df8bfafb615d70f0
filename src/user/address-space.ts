// The process's virtual memory: regions (VMAs) with Linux protections, demand-paged frames, host copy-in/copy-out.
import { EFAULT } from './errno.js';
import { Errno } from './errno.js';
import { UserError } from './errors.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE, Sv39PageTable, USER_VA_LIMIT } from './page-table.js';
import { FRAME, type PhysicalRam } from './physical-ram.js';

export type RegionKind = 'image' | 'stack' | 'brk' | 'mmap';

/** One virtual memory area: [start, end), page-aligned. */
export interface Region {
  start: number;
  end: number;
  prot: number;
  kind: RegionKind;
}

export type Access = 'fetch' | 'load' | 'store';

const NEEDS: Record<Access, number> = { fetch: PROT_EXEC, load: PROT_READ, store: PROT_WRITE };

export const pageDown = (a: number): number => Math.floor(a / FRAME) * FRAME;
export const pageUp = (a: number): number => Math.ceil(a / FRAME) * FRAME;

export class AddressSpace {
  readonly pageTable: Sv39PageTable;
  /** Sorted, non-overlapping. */
  private regions: Region[] = [];
  /** Set when mappings changed in a way the hart's TLB or decode cache must forget. */
  tlbDirty = false;
  icacheDirty = false;

  constructor(readonly ram: PhysicalRam) {
    this.pageTable = new Sv39PageTable(ram);
  }

  get satp(): bigint {
    return this.pageTable.satp;
  }

  regionAt(va: number): Region | undefined {
    for (const r of this.regions) if (va >= r.start && va < r.end) return r;
    return undefined;
  }

  /** Every region (copies), ascending. */
  list(): Region[] {
    return this.regions.map((r) => ({ ...r }));
  }

  /** Is [start, end) free of regions? */
  isFree(start: number, end: number): boolean {
    return start >= FRAME && end <= USER_VA_LIMIT && this.regions.every((r) => r.end <= start || r.start >= end);
  }

  /** Adds a region over free space (page-aligned bounds); pages appear on first touch. */
  reserve(start: number, end: number, prot: number, kind: RegionKind): Region {
    if (start % FRAME || end % FRAME || end <= start || !this.isFree(start, end)) {
      throw new UserError('USER_BAD_ADDRESS', `cannot map 0x${start.toString(16)}..0x${end.toString(16)}: not page-aligned, outside user space, or overlapping`);
    }
    const r = { start, end, prot, kind };
    this.regions.push(r);
    this.regions.sort((a, b) => a.start - b.start);
    return r;
  }

  /** Highest free gap of len bytes ending at or below `top`; undefined if none. */
  findFree(len: number, top: number): number | undefined {
    let end = top;
    for (let i = this.regions.length - 1; i >= -1; i--) {
      const r = this.regions[i];
      if (r && r.start >= end) continue;
      const floor = r ? r.end : FRAME;
      if (end - len >= floor) return end - len;
      if (!r) return undefined;
      end = Math.min(end, r.start);
    }
    return undefined;
  }

  /** Splits regions so that `start` and `end` are region boundaries. */
  private split(start: number, end: number): void {
    const out: Region[] = [];
    for (const r of this.regions) {
      const cuts = [r.start, ...[start, end].filter((c) => c > r.start && c < r.end), r.end];
      for (let i = 0; i + 1 < cuts.length; i++) out.push({ ...r, start: cuts[i]!, end: cuts[i + 1]! });
    }
    this.regions = out;
  }

  /** Removes every mapping in [start, end) and frees its frames. */
  unmap(start: number, end: number): void {
    this.split(start, end);
    const gone = this.regions.filter((r) => r.start >= start && r.end <= end);
    if (gone.length === 0) return;
    this.regions = this.regions.filter((r) => !(r.start >= start && r.end <= end));
    for (const r of gone) {
      for (const va of this.pageTable.presentIn(r.start, r.end)) {
        const pa = this.pageTable.unmap(va);
        if (pa !== undefined) this.ram.freeFrame(pa);
      }
      if (r.prot & PROT_EXEC) this.icacheDirty = true;
    }
    this.tlbDirty = true;
  }

  /** Changes protections of [start, end); false if part of the range is not mapped (ENOMEM). */
  protect(start: number, end: number, prot: number): boolean {
    if (!this.covered(start, end)) return false;
    this.split(start, end);
    for (const r of this.regions) {
      if (r.start < start || r.end > end) continue;
      if (r.prot & PROT_EXEC && !(prot & PROT_EXEC)) this.icacheDirty = true;
      r.prot = prot;
      for (const va of this.pageTable.presentIn(r.start, r.end)) this.pageTable.protect(va, prot);
    }
    this.tlbDirty = true;
    return true;
  }

  /** Moves the end of a region (brk); the caller checked the new range is free. Shrinking frees pages. */
  resize(region: Region, end: number): void {
    if (end < region.end) {
      for (const va of this.pageTable.presentIn(end, region.end)) {
        const pa = this.pageTable.unmap(va);
        if (pa !== undefined) this.ram.freeFrame(pa);
      }
      this.tlbDirty = true;
    }
    region.end = end;
  }

  /** Is every page of [start, end) inside some region? */
  covered(start: number, end: number): boolean {
    for (let a = start; a < end; ) {
      const r = this.regionAt(a);
      if (!r) return false;
      a = r.end;
    }
    return true;
  }

  /**
   * Moves the mappings of [from, from + len) to the free range at `to`, keeping each region's protection; frames
   * change address, nothing is copied (mremap). False if the source is not fully mapped or the target not free.
   */
  move(from: number, len: number, to: number): boolean {
    if (!this.covered(from, from + len) || !this.isFree(to, to + len)) return false;
    this.split(from, from + len);
    const moving = this.regions.filter((r) => r.start >= from && r.end <= from + len);
    for (const va of this.pageTable.presentIn(from, from + len)) {
      const prot = this.pageTable.lookup(va)!.prot;
      const pa = this.pageTable.unmap(va)!;
      this.pageTable.map(to + (va - from), pa, prot);
    }
    this.regions = this.regions.filter((r) => !moving.includes(r));
    for (const r of moving) {
      this.reserve(to + (r.start - from), to + (r.end - from), r.prot, r.kind);
      if (r.prot & PROT_EXEC) this.icacheDirty = true;
    }
    this.tlbDirty = true;
    return true;
  }

  /**
   * Resolves a guest page fault: maps a zeroed frame when va lies in a region that allows the access and has no
   * page yet. False = a real fault (SIGSEGV).
   */
  handleFault(va: number, access: Access): boolean {
    const r = this.regionAt(va);
    if (!r || !(r.prot & NEEDS[access]) || this.pageTable.lookup(va)) return false;
    this.pageTable.map(pageDown(va), this.ram.allocFrame(), r.prot);
    return true;
  }

  /** Physical address of va for a host access; `force` ignores protections (loader). Throws Errno(EFAULT). */
  private physical(va: number, write: boolean, force: boolean): number {
    if (!Number.isSafeInteger(va) || va < 0 || va >= USER_VA_LIMIT) throw new Errno(EFAULT);
    let leaf = this.pageTable.lookup(va);
    if (!leaf) {
      const r = this.regionAt(va);
      if (!r || (!force && !(r.prot & (write ? PROT_WRITE : PROT_READ)))) throw new Errno(EFAULT);
      this.pageTable.map(pageDown(va), this.ram.allocFrame(), r.prot);
      leaf = this.pageTable.lookup(va)!;
    } else if (!force && !(leaf.prot & (write ? PROT_WRITE : PROT_READ | PROT_WRITE))) {
      throw new Errno(EFAULT);
    }
    return leaf.pa + (va % FRAME);
  }

  /** Throws Errno(EFAULT) unless [va, va + len) lies in regions the guest may read (or write). */
  private checkRange(va: number, len: number, write: boolean): void {
    if (!Number.isSafeInteger(va) || va < 0 || va + len > USER_VA_LIMIT) throw new Errno(EFAULT);
    for (let a = va; a < va + len; ) {
      const r = this.regionAt(a);
      if (!r || !(r.prot & (write ? PROT_WRITE : PROT_READ | PROT_WRITE))) throw new Errno(EFAULT);
      a = r.end;
    }
  }

  /** Copies len bytes out of guest memory (EFAULT, before any allocation, if the range is not readable). */
  read(va: number, len: number): Uint8Array {
    this.checkRange(va, len, false);
    const out = new Uint8Array(len);
    for (let done = 0; done < len; ) {
      const pa = this.physical(va + done, false, false);
      const n = Math.min(len - done, FRAME - ((va + done) % FRAME));
      const o = this.ram.offset(pa);
      out.set(this.ram.bytes.subarray(o, o + n), done);
      done += n;
    }
    return out;
  }

  /** Copies bytes into guest memory (force: ignore protections, as the loader does). */
  write(va: number, bytes: Uint8Array, force = false): void {
    for (let done = 0; done < bytes.length; ) {
      const pa = this.physical(va + done, true, force);
      const n = Math.min(bytes.length - done, FRAME - ((va + done) % FRAME));
      this.ram.bytes.set(bytes.subarray(done, done + n), this.ram.offset(pa));
      done += n;
    }
  }

  readU64(va: number): bigint {
    return new DataView(this.read(va, 8).buffer).getBigUint64(0, true);
  }

  writeU64(va: number, v: bigint | number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(v)), true);
    this.write(va, b);
  }

  /** NUL-terminated string (at most max bytes before the NUL, else EFAULT-like ENAMETOOLONG is the caller's job). */
  readCString(va: number, max = 4096): string | undefined {
    const bytes: number[] = [];
    for (let i = 0; i <= max; i++) {
      const b = this.read(va + i, 1)[0]!;
      if (b === 0) return new TextDecoder().decode(new Uint8Array(bytes));
      bytes.push(b);
    }
    return undefined;
  }
}
