// kallsyms for the guest: address -> name of the function that contains it (trace output, parent ips).
export interface NamedRange {
  readonly name: string;
  readonly value: number;
  readonly size: number;
}

/** Sorted function ranges with a binary search; symbols without a size reach up to the next symbol. */
export class Symbolizer {
  private readonly starts: number[];
  private readonly ranges: NamedRange[];

  constructor(symbols: readonly NamedRange[]) {
    const named = symbols.filter((s) => s.name && !s.name.startsWith('.L') && !s.name.startsWith('$'));
    named.sort((a, b) => a.value - b.value || b.size - a.size);
    this.ranges = [];
    for (const s of named) {
      const last = this.ranges[this.ranges.length - 1];
      if (last && last.value === s.value) continue;
      this.ranges.push(s);
    }
    this.starts = this.ranges.map((s) => s.value);
  }

  /** Index of the last range starting at or below `addr`, or -1. */
  private floor(addr: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= addr) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  /** Name of the function containing `addr` (hex address when none does). */
  nameOf(addr: number): string {
    const i = this.floor(addr);
    if (i < 0) return hex(addr);
    const s = this.ranges[i]!;
    if (s.size > 0 && addr >= s.value + s.size) return hex(addr);
    return s.name;
  }

  /**
   * Name of the caller of a return address: a call at the very end of a function returns to the first byte past
   * it, so a return address is looked up as addr - 1 (like the kernel's sprint_backtrace).
   */
  callerOf(returnAddr: number): string {
    return this.nameOf(returnAddr - 1);
  }
}

function hex(addr: number): string {
  return '0x' + addr.toString(16);
}
