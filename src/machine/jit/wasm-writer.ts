// A minimal WebAssembly binary writer: LEB128, opcodes, and the one-function module shape the block compiler emits.

/** Growable byte buffer with Wasm encodings. */
export class WasmBytes {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const n = new Uint8Array(this.buf.length * 2);
      n.set(this.buf);
      this.buf = n;
    }
    this.buf[this.length++] = b & 0xff;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]!);
    return this;
  }

  u32(v: number): this {
    let x = v >>> 0;
    do {
      let b = x & 0x7f;
      x >>>= 7;
      if (x !== 0) b |= 0x80;
      this.byte(b);
    } while (x !== 0);
    return this;
  }

  /** Signed LEB128 of a 32-bit integer. */
  s32(v: number): this {
    let x = v | 0;
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  /** Signed LEB128 of a 64-bit integer. */
  s64(v: bigint): this {
    let x = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  name(s: string): this {
    const e = new TextEncoder().encode(s);
    return this.u32(e.length).bytes(e);
  }

  /** A section: id, then the size-prefixed contents. */
  section(id: number, body: WasmBytes): this {
    this.byte(id).u32(body.length);
    return this.bytes(body.view());
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Opcodes used by the block compiler. */
export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, br_if: 0x0d, return: 0x0f,
  drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22,
  i32_load: 0x28, i64_load: 0x29,
  i64_load8_s: 0x30, i64_load8_u: 0x31, i64_load16_s: 0x32, i64_load16_u: 0x33, i64_load32_s: 0x34, i64_load32_u: 0x35,
  i32_store: 0x36, i64_store: 0x37, i64_store8: 0x3c, i64_store16: 0x3d, i64_store32: 0x3e,
  i32_const: 0x41, i64_const: 0x42,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_ge_s: 0x4e,
  i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_lt_u: 0x54, i64_ge_s: 0x59, i64_ge_u: 0x5a,
  i32_add: 0x6a, i32_sub: 0x6b, i32_and: 0x71, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76,
  i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shl: 0x86,
  i64_shr_s: 0x87, i64_shr_u: 0x88,
  i32_wrap_i64: 0xa7, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad,
  atomic_prefix: 0xfe, i64_atomic_load: 0x11, i64_atomic_store: 0x18,
} as const;

export const I32 = 0x7f;
export const I64 = 0x7e;
export const VOID = 0x40;

/**
 * A module with one exported function `f` of type (params) -> results, importing the machine's shared memory as
 * env.memory; `locals` are [count, type] groups after the parameters; `body` is the code without the final `end`.
 */
export function oneFunctionModule(params: number[], results: number[], locals: [number, number][], body: WasmBytes): Uint8Array<ArrayBuffer> {
  const m = new WasmBytes();
  m.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const types = new WasmBytes().u32(1).byte(0x60).u32(params.length).bytes(params).u32(results.length).bytes(results);
  m.section(1, types);
  // memory import: shared, min 1 page, max 65536 pages (any machine's memory fits)
  const imports = new WasmBytes().u32(1).name('env').name('memory').byte(0x02).byte(0x03).u32(1).u32(65536);
  m.section(2, imports);
  m.section(3, new WasmBytes().u32(1).u32(0));
  m.section(7, new WasmBytes().u32(1).name('f').byte(0x00).u32(0));
  const fn = new WasmBytes().u32(locals.length);
  for (const [n, t] of locals) fn.u32(n).byte(t);
  fn.bytes(body.view()).byte(OP.end);
  m.section(10, new WasmBytes().u32(1).u32(fn.length).bytes(fn.view()));
  return new Uint8Array(m.view());
}
