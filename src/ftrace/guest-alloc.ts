// Guest memory allocator interface for the ftrace core's guest structures (the kmalloc of ops/hash mirrors), and a bump allocator.
import { FtraceError, hexAddr } from './errors.js';

export interface GuestAllocator {
  /** A fresh block of `size` bytes aligned to `align` (power of two). */
  alloc(size: number, align: number, what: string): number;
}

/** Hands out addresses from [base, limit) upwards; never reuses (frees are the caller's business). */
export class BumpAllocator implements GuestAllocator {
  private next: number;
  constructor(
    readonly base: number,
    readonly limit: number,
  ) {
    this.next = base;
  }

  get used(): number {
    return this.next - this.base;
  }

  alloc(size: number, align: number, what: string): number {
    const at = Math.ceil(this.next / align) * align;
    if (at + size > this.limit) {
      throw new FtraceError('FTRACE_NO_MEMORY', `no guest memory for ${what} (${size} bytes; heap ends at ${hexAddr(this.limit)})`);
    }
    this.next = at + size;
    return at;
  }
}
