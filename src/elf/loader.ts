// Segment loader: copies an ElfImage's PT_LOAD file images into guest memory and zero-fills up to memsz.
import type { ElfImage } from './types.js';

/**
 * Calls `write(vaddr, data)` for each segment's file image and `zero(addr, len)` for its memsz tail.
 * Segments are placed at their virtual address (the machine runs without translation at boot).
 */
export function loadSegments(
  image: ElfImage,
  write: (addr: number, bytes: Uint8Array) => void,
  zero: (addr: number, len: number) => void,
): void {
  for (const seg of image.segments) {
    if (seg.data.length > 0) write(seg.vaddr, seg.data);
    const tail = seg.memsz - seg.data.length;
    if (tail > 0) zero(seg.vaddr + seg.data.length, tail);
  }
}
