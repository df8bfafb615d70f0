// Bounds-checked little-endian reads from an ELF file image: every read outside the file is an ElfError.
import { ElfError, hex } from './errors.js';

const TWO_32 = 0x1_0000_0000;
/** Largest high word of a u64 that keeps the value below 2^53. */
const MAX_SAFE_HI = 0x1f_ffff;

export class ByteReader {
  readonly length: number;
  constructor(private readonly bytes: Uint8Array) {
    this.length = bytes.length;
  }

  /** True when [offset, offset+size) lies inside the file. */
  contains(offset: number, size: number): boolean {
    return offset >= 0 && size >= 0 && offset <= this.length && size <= this.length - offset;
  }

  /** Throws ELF_TRUNCATED (or the given code) unless [offset, offset+size) lies inside the file. */
  require(offset: number, size: number, what: string, code: 'ELF_TRUNCATED' | 'ELF_BAD_SYMTAB' | 'ELF_BAD_STRTAB' = 'ELF_TRUNCATED'): void {
    if (!this.contains(offset, size)) {
      throw new ElfError(code, `${what} (offset ${hex(offset)}, size ${hex(size)}) extends beyond the end of the file (${hex(this.length)} bytes)`);
    }
  }

  u8(offset: number): number {
    this.require(offset, 1, 'read');
    return this.bytes[offset]!;
  }

  u16(offset: number): number {
    this.require(offset, 2, 'read');
    return this.bytes[offset]! | (this.bytes[offset + 1]! << 8);
  }

  u32(offset: number): number {
    this.require(offset, 4, 'read');
    const b = this.bytes;
    return (b[offset]! | (b[offset + 1]! << 8) | (b[offset + 2]! << 16)) + b[offset + 3]! * 0x100_0000;
  }

  /** A u64 that must be a safe JS integer (< 2^53); `what` names the field for the ELF_RANGE message. */
  u64(offset: number, what: string): number {
    const lo = this.u32(offset);
    const hi = this.u32(offset + 4);
    if (hi > MAX_SAFE_HI) {
      throw new ElfError('ELF_RANGE', `${what} = 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} is above 2^53 and cannot be represented`);
    }
    return hi * TWO_32 + lo;
  }

  /** A copy of [offset, offset+size); the caller has checked the range. */
  slice(offset: number, size: number): Uint8Array {
    this.require(offset, size, 'data');
    return this.bytes.slice(offset, offset + size);
  }

  /** Index of the first NUL at or after `from`, searching below `end`; -1 if none. */
  indexOfNul(from: number, end: number): number {
    const i = this.bytes.subarray(from, end).indexOf(0);
    return i < 0 ? -1 : from + i;
  }

  view(offset: number, size: number): Uint8Array {
    this.require(offset, size, 'data');
    return this.bytes.subarray(offset, offset + size);
  }
}
