// Guest physical memory as the host sees it: byte/u32/u64 access to guest RAM inside the shared Wasm memory.
import { MachineError, hex } from './errors.js';
import { RAM_GUEST_BASE, RAM_WASM_BASE } from './layout.js';

export class GuestMemory {
  readonly base = RAM_GUEST_BASE;
  /**
   * False while RAM is still the all-zero memory it was created as: no host write yet and no hart has run (the
   * machine sets it when harts start). Loaders then skip zero fills of regions they have not written.
   */
  written = false;
  private readonly onWrite: () => void;

  constructor(
    readonly wasm: WebAssembly.Memory,
    /** Bytes of guest RAM. */
    readonly size: number,
    /** Called after every host write (the machine uses it for coherent mode). */
    onWrite: () => void = () => {},
  ) {
    this.onWrite = () => {
      this.written = true;
      onWrite();
    };
  }

  /** Wasm offset of guest [addr, addr + len), which must lie inside RAM. */
  private offset(addr: number | bigint, len: number): number {
    const a = Number(addr);
    if (!Number.isSafeInteger(a) || len < 0 || a < this.base || a + len > this.base + this.size) {
      throw new MachineError(
        'MACHINE_OUTSIDE_RAM',
        `guest address range ${hex(a)}..${hex(a + len)} is outside RAM ${hex(this.base)}..${hex(this.base + this.size)}`,
      );
    }
    return RAM_WASM_BASE + (a - this.base);
  }

  /** Does [addr, addr + len) lie inside RAM? */
  contains(addr: number, len = 1): boolean {
    return addr >= this.base && addr + len <= this.base + this.size;
  }

  /** The machine's memory never grows (initial = maximum pages), so one set of views serves for its whole life. */
  private views: { dv: DataView; u8: Uint8Array; u16: Uint16Array; u32: Uint32Array; u64: BigUint64Array } | undefined;
  private get v(): NonNullable<GuestMemory['views']> {
    if (this.views) return this.views;
    const b = this.wasm.buffer;
    this.views = {
      dv: new DataView(b),
      u8: new Uint8Array(b),
      u16: new Uint16Array(b, 0, b.byteLength >>> 1),
      u32: new Uint32Array(b, 0, b.byteLength >>> 2),
      u64: new BigUint64Array(b, 0, Math.floor(b.byteLength / 8)),
    };
    return this.views;
  }
  private get view(): DataView {
    return this.v.dv;
  }

  read(addr: number | bigint, len: number): Uint8Array {
    const o = this.offset(addr, len);
    return this.v.u8.slice(o, o + len);
  }

  /** Does [addr, addr + bytes.length) hold exactly `bytes`? (Compared in place, no copy.) */
  equals(addr: number | bigint, bytes: Uint8Array): boolean {
    const o = this.offset(addr, bytes.length);
    const u8 = this.v.u8;
    for (let i = 0; i < bytes.length; i++) if (u8[o + i] !== bytes[i]) return false;
    return true;
  }

  write(addr: number | bigint, bytes: Uint8Array): void {
    const o = this.offset(addr, bytes.length);
    this.v.u8.set(bytes, o);
    this.onWrite();
  }

  fill(addr: number | bigint, len: number, value = 0): void {
    const o = this.offset(addr, len);
    this.v.u8.fill(value, o, o + len);
    this.onWrite();
  }

  readU8(addr: number | bigint): number {
    return this.view.getUint8(this.offset(addr, 1));
  }

  readU16(addr: number | bigint): number {
    return this.view.getUint16(this.offset(addr, 2), true);
  }

  readU32(addr: number | bigint): number {
    return this.view.getUint32(this.offset(addr, 4), true);
  }

  /** 64-bit load; naturally aligned ones are single atomic loads (never half of a concurrent guest store). */
  readU64(addr: number | bigint): bigint {
    const o = this.offset(addr, 8);
    return o % 8 === 0 ? Atomics.load(this.v.u64, o / 8) : this.view.getBigUint64(o, true);
  }

  /** Atomic OR into a naturally aligned u64 (a mailbox's request bits); returns the old value. */
  orU64(addr: number | bigint, v: bigint): bigint {
    const o = this.offset(addr, 8);
    if (o % 8 !== 0) throw new MachineError('MACHINE_OUTSIDE_RAM', `atomic OR needs an 8-byte aligned address, got ${hex(Number(addr))}`);
    const old = Atomics.or(this.v.u64, o / 8, BigInt.asUintN(64, v));
    this.onWrite();
    return old;
  }

  writeU8(addr: number | bigint, v: number): void {
    this.view.setUint8(this.offset(addr, 1), v);
    this.onWrite();
  }

  /** 16-bit store; naturally aligned ones are single atomic stores (a c.* patch is never torn). */
  writeU16(addr: number | bigint, v: number): void {
    const o = this.offset(addr, 2);
    if (o % 2 === 0) Atomics.store(this.v.u16, o >>> 1, v & 0xffff);
    else this.view.setUint16(o, v, true);
    this.onWrite();
  }

  /** 32-bit store; naturally aligned ones are single atomic stores (an aligned instruction patch is never torn). */
  writeU32(addr: number | bigint, v: number): void {
    const o = this.offset(addr, 4);
    if (o % 4 === 0) Atomics.store(this.v.u32, o >>> 2, v >>> 0);
    else this.view.setUint32(o, v >>> 0, true);
    this.onWrite();
  }

  /**
   * 64-bit store; naturally aligned ones are single atomic stores. The JS/Wasm memory model promises no
   * tear-freedom for plain 8-byte accesses (only Atomics), and an 8-byte ops-literal patch must never be torn.
   */
  writeU64(addr: number | bigint, v: bigint | number): void {
    const o = this.offset(addr, 8);
    const x = BigInt.asUintN(64, BigInt(v));
    if (o % 8 === 0) Atomics.store(this.v.u64, o / 8, x);
    else this.view.setBigUint64(o, x, true);
    this.onWrite();
  }
}
