// Soft-float core: binary32/binary64 encodings, unpacking to (sign, exponent, significand), exception flags, rounding.

// exception flags (fflags bit order)
export const FLAG_NX: u32 = 1;
export const FLAG_UF: u32 = 2;
export const FLAG_OF: u32 = 4;
export const FLAG_DZ: u32 = 8;
export const FLAG_NV: u32 = 16;

// rounding modes (the rm field / frm encoding)
export const RM_RNE: u32 = 0;
export const RM_RTZ: u32 = 1;
export const RM_RDN: u32 = 2;
export const RM_RUP: u32 = 3;
export const RM_RMM: u32 = 4;

// formats (the fmt field encoding)
export const FMT_S: u32 = 0;
export const FMT_D: u32 = 1;

// operand classes returned by unpack
export const CLS_ZERO: i32 = 0;
export const CLS_FINITE: i32 = 1; // normal or subnormal, nonzero
export const CLS_INF: i32 = 2;
export const CLS_QNAN: i32 = 3;
export const CLS_SNAN: i32 = 4;

/** Flags raised by the operations since the caller last cleared it. */
export let fpFlags: u32 = 0;

export function clearFlags(): void {
  fpFlags = 0;
}

export function raise(f: u32): void {
  fpFlags |= f;
}

/** Results of the last unpack: sign (0/1), unbiased exponent and significand with its leading 1 at bit 62. */
export let uSign: u64 = 0;
export let uExp: i32 = 0;
export let uSig: u64 = 0;

@inline export function fracBits(fmt: u32): i32 {
  return fmt == FMT_D ? 52 : 23;
}

@inline export function expBits(fmt: u32): i32 {
  return fmt == FMT_D ? 11 : 8;
}

@inline function bias(fmt: u32): i32 {
  return fmt == FMT_D ? 1023 : 127;
}

@inline export function signShift(fmt: u32): u64 {
  return fmt == FMT_D ? 63 : 31;
}

export function canonicalNaN(fmt: u32): u64 {
  return fmt == FMT_D ? 0x7ff8000000000000 : 0x7fc00000;
}

export function infinity(sign: u64, fmt: u32): u64 {
  return fmt == FMT_D ? (sign << 63) | 0x7ff0000000000000 : (sign << 31) | 0x7f800000;
}

export function zero(sign: u64, fmt: u32): u64 {
  return sign << signShift(fmt);
}

/** Splits an encoding into uSign/uExp/uSig; returns its CLS_* class. Subnormals come back normalised. */
export function unpack(v: u64, fmt: u32): i32 {
  const fb = fracBits(fmt);
  const eb = expBits(fmt);
  uSign = (v >> <u64>(fb + eb)) & 1;
  const be = <i32>((v >> <u64>fb) & ((<u64>1 << <u64>eb) - 1));
  const frac = v & ((<u64>1 << <u64>fb) - 1);
  uExp = 0;
  uSig = 0;
  if (be == (1 << eb) - 1) {
    if (frac == 0) return CLS_INF;
    return ((frac >> <u64>(fb - 1)) & 1) != 0 ? CLS_QNAN : CLS_SNAN;
  }
  if (be == 0) {
    if (frac == 0) return CLS_ZERO;
    const lz = <i32>clz<u64>(frac);
    uSig = frac << <u64>(lz - 1);
    uExp = 1 - bias(fmt) - fb + 63 - lz;
    return CLS_FINITE;
  }
  uSig = (frac | (<u64>1 << <u64>fb)) << <u64>(62 - fb);
  uExp = be - bias(fmt);
  return CLS_FINITE;
}

/** Should a truncated magnitude (last kept bit odd?) with discarded part r (half = the tie value) be incremented? */
export function roundsUp(odd: bool, r: u64, half: u64, sign: u64, rm: u32): bool {
  if (r == 0) return false;
  if (rm == RM_RNE) return r > half || (r == half && odd);
  if (rm == RM_RDN) return sign != 0;
  if (rm == RM_RUP) return sign == 0;
  if (rm == RM_RMM) return r >= half;
  return false; // RTZ
}

/** Shifts right by d, ORing every bit shifted out into bit 0 (sticky). */
export function shiftJam(x: u64, d: i32): u64 {
  if (d <= 0) return x;
  if (d >= 63) return x != 0 ? 1 : 0;
  return (x >> <u64>d) | ((x & ((<u64>1 << <u64>d) - 1)) != 0 ? 1 : 0);
}

function overflowed(sign: u64, fmt: u32, rm: u32): u64 {
  fpFlags |= FLAG_OF | FLAG_NX;
  const toInf = rm == RM_RNE || rm == RM_RMM || (rm == RM_RDN && sign != 0) || (rm == RM_RUP && sign == 0);
  const inf = infinity(sign, fmt);
  return toInf ? inf : inf - 1;
}

/**
 * Rounds sign * sig/2^62 * 2^e (sig has its leading 1 at bit 62; bit 0 may be a sticky bit) to fmt under rm,
 * raising NX/UF/OF. Tininess is detected after rounding, as RISC-V specifies.
 */
export function roundPack(sign: u64, e: i32, sig: u64, fmt: u32, rm: u32): u64 {
  const fb = fracBits(fmt);
  const eb = expBits(fmt);
  const rbits = 62 - fb;
  const rmask: u64 = (<u64>1 << <u64>rbits) - 1;
  const half: u64 = <u64>1 << <u64>(rbits - 1);
  const signBit = sign << <u64>(fb + eb);
  let be = e + bias(fmt);
  if (be >= 1) {
    let m = sig >> <u64>rbits;
    const r = sig & rmask;
    if (r != 0) fpFlags |= FLAG_NX;
    if (roundsUp((m & 1) != 0, r, half, sign, rm)) m++;
    if ((m >> <u64>(fb + 1)) != 0) { m >>= 1; be++; }
    if (be >= (1 << eb) - 1) return overflowed(sign, fmt, rm);
    return signBit | ((<u64>(be - 1) << <u64>fb) + m);
  }
  // below the normal range: tiny unless rounding at full precision would carry up to the smallest normal
  const m0 = sig >> <u64>rbits;
  const carries = be == 0 && roundsUp((m0 & 1) != 0, sig & rmask, half, sign, rm) && ((m0 + 1) >> <u64>(fb + 1)) != 0;
  const sh = rbits + 1 - be;
  let m: u64 = 0;
  let r: u64 = 1;
  let h: u64 = 2;
  if (sh < 64) {
    m = sig >> <u64>sh;
    r = sig & ((<u64>1 << <u64>sh) - 1);
    h = <u64>1 << <u64>(sh - 1);
  }
  if (r != 0) {
    fpFlags |= FLAG_NX;
    if (!carries) fpFlags |= FLAG_UF;
  }
  if (roundsUp((m & 1) != 0, r, h, sign, rm)) m++;
  return signBit | m;
}

/** roundPack for a nonzero significand that is not yet normalised (leading 1 anywhere in bits 63..0). */
export function normRoundPack(sign: u64, e: i32, sig: u64, fmt: u32, rm: u32): u64 {
  if ((sig >> 63) != 0) return roundPack(sign, e + 1, (sig >> 1) | (sig & 1), fmt, rm);
  const sh = <i32>clz<u64>(sig) - 1;
  return roundPack(sign, e - sh, sig << <u64>sh, fmt, rm);
}
