// Sv39 page tables built by the host in guest RAM: 4 KiB user leaves (A/D preset), with a host-side mirror for lookups.
import { FRAME, type PhysicalRam } from './physical-ram.js';

export const PTE_V = 1n;
export const PTE_R = 2n;
export const PTE_W = 4n;
export const PTE_X = 8n;
export const PTE_U = 16n;
export const PTE_A = 64n;
export const PTE_D = 128n;

/** Linux PROT_* bits. */
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/** Lowest virtual address that is not user space under Sv39 (bit 38 set would be the upper half). */
export const USER_VA_LIMIT = 2 ** 38;

/** Leaf PTE permission bits for Linux protections (write implies read: W without R is reserved in Sv39). */
function leafBits(prot: number): bigint {
  let b = PTE_V | PTE_U | PTE_A | PTE_D;
  if (prot & (PROT_READ | PROT_WRITE)) b |= PTE_R;
  if (prot & PROT_WRITE) b |= PTE_W;
  if (prot & PROT_EXEC) b |= PTE_X;
  return b;
}

export interface Leaf {
  /** Physical address of the frame. */
  pa: number;
  /** Linux protection bits; 0 = present frame but PTE invalid (PROT_NONE). */
  prot: number;
}

export class Sv39PageTable {
  readonly root: number;
  /** vpn -> leaf, mirroring every present user page. */
  private readonly leaves = new Map<number, Leaf>();

  constructor(private readonly ram: PhysicalRam) {
    this.root = ram.allocFrame();
  }

  /** satp value: mode 8 (Sv39), ASID 0, root ppn. */
  get satp(): bigint {
    return (8n << 60n) | BigInt(this.root / FRAME);
  }

  lookup(va: number): Leaf | undefined {
    return this.leaves.get(Math.floor(va / FRAME));
  }

  /** Physical address of the level-0 PTE for va, creating intermediate tables. */
  private ptePa(va: number): number {
    let table = this.root;
    for (let level = 2; level > 0; level--) {
      const idx = Math.floor(va / 2 ** (12 + 9 * level)) % 512;
      const at = table + idx * 8;
      const pte = this.ram.readU64(at);
      if ((pte & PTE_V) === 0n) {
        const next = this.ram.allocFrame();
        this.ram.writeU64(at, (BigInt(next / FRAME) << 10n) | PTE_V);
        table = next;
      } else {
        table = Number(pte >> 10n) * FRAME;
      }
    }
    return table + (Math.floor(va / FRAME) % 512) * 8;
  }

  private writeLeaf(va: number, leaf: Leaf): void {
    const pte = leaf.prot === 0 ? 0n : (BigInt(leaf.pa / FRAME) << 10n) | leafBits(leaf.prot);
    this.ram.writeU64(this.ptePa(va), pte);
  }

  /** Maps the page at va (4 KiB aligned) to frame pa. */
  map(va: number, pa: number, prot: number): void {
    const leaf = { pa, prot };
    this.leaves.set(va / FRAME, leaf);
    this.writeLeaf(va, leaf);
  }

  /** Changes the protection of a present page. */
  protect(va: number, prot: number): void {
    const leaf = this.leaves.get(va / FRAME);
    if (!leaf) return;
    leaf.prot = prot;
    this.writeLeaf(va, leaf);
  }

  /** Removes the page at va; returns its frame (undefined if it was not present). */
  unmap(va: number): number | undefined {
    const leaf = this.leaves.get(va / FRAME);
    if (!leaf) return undefined;
    this.leaves.delete(va / FRAME);
    this.ram.writeU64(this.ptePa(va), 0n);
    return leaf.pa;
  }

  /** Present pages in [start, end) (page-aligned bounds), ascending. */
  presentIn(start: number, end: number): number[] {
    const out: number[] = [];
    const pages = (end - start) / FRAME;
    if (pages <= this.leaves.size) {
      for (let va = start; va < end; va += FRAME) if (this.leaves.has(va / FRAME)) out.push(va);
    } else {
      for (const vpn of this.leaves.keys()) if (vpn * FRAME >= start && vpn * FRAME < end) out.push(vpn * FRAME);
      out.sort((a, b) => a - b);
    }
    return out;
  }
}
