// Little-endian field stores into a fixed-size output buffer (the writer computes the layout first).
import { ElfError } from './errors.js';

export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(at: number, v: number): void {
    this.view.setUint8(at, v);
  }
  u16(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }
  u32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }
  /** A non-negative safe integer as u64. */
  u64(at: number, v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new ElfError('ELF_RANGE', `value ${v} cannot be written as a u64 (must be a safe non-negative integer)`);
    }
    this.view.setUint32(at, v % 0x1_0000_0000, true);
    this.view.setUint32(at + 4, Math.floor(v / 0x1_0000_0000), true);
  }
  put(at: number, data: Uint8Array): void {
    this.bytes.set(data, at);
  }
}
