// Little-endian byte helpers for instruction words and 64-bit guest pointers.

export function u16le(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff);
}

export function u32le(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}

/** A guest address or count as 8 little-endian bytes (addresses must be safe integers >= 0). */
export function u64le(v: number): Uint8Array {
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  if (Number.isSafeInteger(v) && v >= 0) {
    dv.setUint32(0, v >>> 0, true);
    dv.setUint32(4, Math.floor(v / 0x100000000), true);
  } else {
    dv.setBigUint64(0, BigInt(v), true); // throws like before for what is not a 64-bit unsigned integer
  }
  return out;
}

export function readU32le(b: Uint8Array, at = 0): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

export function readU64le(b: Uint8Array, at = 0): number {
  return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(at, true));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
