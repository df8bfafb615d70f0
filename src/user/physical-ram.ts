// Guest physical RAM for the user-mode kernel: 4 KiB frame allocation and raw byte/u64 access inside the shared memory.
import { RAM_GUEST_BASE, RAM_WASM_BASE } from '../machine/layout.js';
import { UserError } from './errors.js';

export const FRAME = 4096;

/** Hands out zeroed 4 KiB frames of guest RAM (bump pointer plus a free list). */
export class PhysicalRam {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private next: number;
  private readonly limit: number;
  private readonly free: number[] = [];

  constructor(wasm: WebAssembly.Memory, size: number) {
    this.bytes = new Uint8Array(wasm.buffer, RAM_WASM_BASE, size);
    this.view = new DataView(wasm.buffer, RAM_WASM_BASE, size);
    this.next = RAM_GUEST_BASE;
    this.limit = RAM_GUEST_BASE + size;
  }

  /** Frames still available. */
  get freeFrames(): number {
    return this.free.length + (this.limit - this.next) / FRAME;
  }

  /** Physical address of a fresh zeroed frame. */
  allocFrame(): number {
    let pa = this.free.pop();
    if (pa === undefined) {
      if (this.next >= this.limit) throw new UserError('USER_OUT_OF_MEMORY', `guest RAM exhausted (${(this.limit - RAM_GUEST_BASE) >> 20} MiB); use a larger --ram`);
      pa = this.next;
      this.next += FRAME;
    }
    this.bytes.fill(0, pa - RAM_GUEST_BASE, pa - RAM_GUEST_BASE + FRAME);
    return pa;
  }

  freeFrame(pa: number): void {
    this.free.push(pa);
  }

  /** Offset of physical address pa in `bytes`. */
  offset(pa: number): number {
    return pa - RAM_GUEST_BASE;
  }

  readU64(pa: number): bigint {
    return this.view.getBigUint64(pa - RAM_GUEST_BASE, true);
  }

  writeU64(pa: number, v: bigint): void {
    this.view.setBigUint64(pa - RAM_GUEST_BASE, v, true);
  }
}
