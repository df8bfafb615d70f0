// The kernel's symbols from System.map, and where its text and ftrace call sites (mcount_loc) sit in physical RAM.
import { BoardError } from './errors.js';
import { KERNEL_ADDR } from './virt-board.js';

export interface KernelSymbol {
  name: string;
  /** Link-time virtual address. */
  va: bigint;
  type: string;
}

/** System.map plus the Image it belongs to: symbol lookup and virtual -> physical for a kernel loaded at KERNEL_ADDR. */
export class KernelSymbols {
  private readonly byName = new Map<string, KernelSymbol>();
  /** Text symbols sorted by address (for pc -> function). */
  private readonly text: KernelSymbol[];
  /** VA of `_start` (the first byte of the Image). */
  readonly base: bigint;

  constructor(systemMap: string) {
    const all: KernelSymbol[] = [];
    for (const line of systemMap.split('\n')) {
      const m = /^([0-9a-fA-F]{8,16})\s+(\S)\s+(\S+)/.exec(line);
      if (!m) continue;
      const sym = { va: BigInt(`0x${m[1]}`), type: m[2]!, name: m[3]! };
      all.push(sym);
      if (!this.byName.has(sym.name)) this.byName.set(sym.name, sym);
    }
    const start = this.byName.get('_start');
    if (!start) throw new BoardError('BOARD_BAD_IMAGE', 'System.map has no _start symbol: is it the kernel\'s System.map?');
    this.base = start.va;
    this.text = all.filter((s) => s.type === 't' || s.type === 'T').sort((a, b) => (a.va < b.va ? -1 : a.va > b.va ? 1 : 0));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  va(name: string): bigint {
    const s = this.byName.get(name);
    if (!s) throw new BoardError('BOARD_BAD_IMAGE', `the kernel has no symbol '${name}' (System.map)`);
    return s.va;
  }

  /** Physical address of a kernel virtual address (the kernel is linked at _start and loaded at KERNEL_ADDR). */
  pa(va: bigint): number {
    return Number(va - this.base) + KERNEL_ADDR;
  }

  /** Offset of a virtual address in the Image file. */
  offset(va: bigint): number {
    return Number(va - this.base);
  }

  /** Virtual address of a physical one. */
  vaOf(pa: number): bigint {
    return this.base + BigInt(pa - KERNEL_ADDR);
  }

  /** `function+0xoff` for a virtual address inside the text, or the hex address. */
  describe(va: bigint): string {
    let lo = 0;
    let hi = this.text.length - 1;
    let best: KernelSymbol | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.text[mid]!.va <= va) {
        best = this.text[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (!best) return `0x${va.toString(16)}`;
    const off = va - best.va;
    return off === 0n ? best.name : `${best.name}+0x${off.toString(16)}`;
  }

  /** The function a site address belongs to (the name without the offset). */
  functionAt(va: bigint): string {
    return this.describe(va).split('+')[0]!;
  }

  /** ftrace's call sites: the addresses listed between __start_mcount_loc and __stop_mcount_loc, read from the Image. */
  mcountLoc(image: Uint8Array): bigint[] {
    const from = this.offset(this.va('__start_mcount_loc'));
    const to = this.offset(this.va('__stop_mcount_loc'));
    if (from < 0 || to > image.length || to < from || (to - from) % 8 !== 0) {
      throw new BoardError('BOARD_BAD_IMAGE', 'the mcount_loc table lies outside the Image: System.map and Image do not match');
    }
    const dv = new DataView(image.buffer, image.byteOffset + from, to - from);
    const out: bigint[] = [];
    for (let i = 0; i < to - from; i += 8) {
      const v = dv.getBigUint64(i, true);
      if (v !== 0n) out.push(v);
    }
    return out;
  }
}
