// The guest heap for the ftrace core's structures (the kmalloc/kfree of ops copies, hashes, count tables, trampolines, patch vectors): first fit with coalescing, freed blocks poisoned.
import { FtraceError, hexAddr } from './errors.js';

export interface GuestAllocator {
  /** A fresh block of `size` bytes aligned to `align` (power of two). */
  alloc(size: number, align: number, what: string): number;
  /** Give back a block `alloc` returned. Callers free only what no hart can still reach (after a grace period). */
  free(addr: number): void;
  /** A block inside a region added with `addRegion` (e.g. the trampoline window next to ftrace_caller), or null when full. */
  allocIn?(lo: number, hi: number, size: number, align: number, what: string): number | null;
}

/**
 * Byte freed memory is filled with: 0xffff... is an illegal instruction (opcode 0x7f, a reserved long encoding), a
 * pointer outside guest RAM and an absurd count, so a use after free traps or faults instead of silently working.
 */
export const POISON_BYTE = 0xff;

/** A freed block, remembered for fault reports ("hart 1 executed freed memory at ..."). */
export interface FreedBlock {
  readonly addr: number;
  readonly size: number;
  readonly what: string;
}

interface Block {
  addr: number;
  size: number;
}

/** How many freed blocks `freedAt` can still name. */
const FREED_HISTORY = 4096;

/**
 * Hands out [base, limit): first fit over an address-ordered free list, neighbours coalesced on free. Freed bytes are
 * overwritten with POISON_BYTE through `poison` (the host's text writer), so stale readers see poison, not old data.
 */
export class GuestHeap implements GuestAllocator {
  private readonly freeList: Block[];
  private readonly live = new Map<number, { size: number; what: string }>();
  private readonly freed: FreedBlock[] = [];
  private usedBytes = 0;
  private peakBytes = 0;
  /** Regions added with addRegion: only allocIn hands them out. */
  private readonly reserved: Block[] = [];

  constructor(
    readonly base: number,
    readonly limit: number,
    private readonly poison: (addr: number, size: number) => void = () => {},
  ) {
    if (!(limit >= base)) throw new FtraceError('FTRACE_NO_MEMORY', `empty guest heap ${hexAddr(base)}..${hexAddr(limit)}`);
    this.freeList = limit > base ? [{ addr: base, size: limit - base }] : [];
  }

  /** Bytes in live blocks (alignment padding not counted). */
  get used(): number {
    return this.usedBytes;
  }

  /** Highest `used` seen. */
  get peak(): number {
    return this.peakBytes;
  }

  /** Live blocks. */
  get blocks(): number {
    return this.live.size;
  }

  /** Add [base, limit) (outside the heap, e.g. a window in the text) that only allocIn hands out. */
  addRegion(base: number, limit: number): void {
    if (!(limit > base) || (base < this.limit && limit > this.base) || this.reserved.some((r) => base < r.addr + r.size && limit > r.addr)) {
      throw new FtraceError('FTRACE_NO_MEMORY', `bad guest memory region ${hexAddr(base)}..${hexAddr(limit)}`);
    }
    this.reserved.push({ addr: base, size: limit - base });
    this.insertFree({ addr: base, size: limit - base });
  }

  alloc(size: number, align: number, what: string): number {
    const at = this.take(size, align, what, this.base, this.limit);
    if (at !== null) return at;
    throw new FtraceError(
      'FTRACE_NO_MEMORY',
      `no guest memory for ${what} (${size} bytes; ${this.usedBytes} of ${this.limit - this.base} heap bytes in ${this.live.size} live blocks)`,
    );
  }

  allocIn(lo: number, hi: number, size: number, align: number, what: string): number | null {
    if (!this.reserved.some((r) => lo >= r.addr && hi <= r.addr + r.size)) {
      throw new FtraceError('FTRACE_NO_MEMORY', `${hexAddr(lo)}..${hexAddr(hi)} is not inside a region added with addRegion`);
    }
    return this.take(size, align, what, lo, hi);
  }

  /** First fit of [at, at + size) inside [lo, hi), or null. */
  private take(size: number, align: number, what: string, lo: number, hi: number): number | null {
    if (!Number.isSafeInteger(size) || size <= 0) throw new FtraceError('FTRACE_NO_MEMORY', `bad allocation size ${size} for ${what}`);
    for (let i = 0; i < this.freeList.length; i++) {
      const b = this.freeList[i]!;
      const at = Math.ceil(Math.max(b.addr, lo) / align) * align;
      const end = at + size;
      if (end > b.addr + b.size || end > hi) continue;
      // split: [b.addr, at) stays free (padding), [at, end) is taken, [end, b.end) stays free
      const tail = { addr: end, size: b.addr + b.size - end };
      const head = { addr: b.addr, size: at - b.addr };
      const keep = [head, tail].filter((x) => x.size > 0);
      this.freeList.splice(i, 1, ...keep);
      this.live.set(at, { size, what });
      this.usedBytes += size;
      this.peakBytes = Math.max(this.peakBytes, this.usedBytes);
      return at;
    }
    return null;
  }

  free(addr: number): void {
    const b = this.live.get(addr);
    if (!b) throw new FtraceError('FTRACE_BAD_FREE', `free of ${hexAddr(addr)}, which is not a live guest heap block`);
    this.live.delete(addr);
    this.usedBytes -= b.size;
    this.poison(addr, b.size);
    this.freed.push({ addr, size: b.size, what: b.what });
    if (this.freed.length > FREED_HISTORY) this.freed.splice(0, this.freed.length - FREED_HISTORY);
    this.insertFree({ addr, size: b.size });
  }

  /** The most recently freed block containing `addr` that has not been handed out again, if any. */
  freedAt(addr: number): FreedBlock | undefined {
    for (let i = this.freed.length - 1; i >= 0; i--) {
      const f = this.freed[i]!;
      if (addr >= f.addr && addr < f.addr + f.size) return this.liveAt(addr) ? undefined : f;
    }
    return undefined;
  }

  /** The live block containing `addr`, if any. */
  liveAt(addr: number): { addr: number; size: number; what: string } | undefined {
    for (const [a, b] of this.live) if (addr >= a && addr < a + b.size) return { addr: a, ...b };
    return undefined;
  }

  private insertFree(blk: Block): void {
    const list = this.freeList;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.addr < blk.addr) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, blk);
    // coalesce with the next, then with the previous block
    const next = list[lo + 1];
    if (next && blk.addr + blk.size === next.addr) {
      blk.size += next.size;
      list.splice(lo + 1, 1);
    }
    const prev = list[lo - 1];
    if (prev && prev.addr + prev.size === blk.addr) {
      prev.size += blk.size;
      list.splice(lo, 1);
    }
  }
}
