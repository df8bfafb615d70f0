// Soft-float conversions: between binary32 and binary64, and between either format and 32/64-bit integers.
import {
  CLS_INF, CLS_QNAN, CLS_SNAN, CLS_ZERO, FLAG_NV, FLAG_NX, canonicalNaN, infinity, normRoundPack, raise,
  roundPack, roundsUp, uExp, uSig, uSign, unpack, zero,
} from './fpround';

/** Converts v from format `from` to format `to` (fcvt.s.d / fcvt.d.s). */
export function fpConvert(v: u64, from: u32, to: u32, rm: u32): u64 {
  const c = unpack(v, from);
  if (c >= CLS_QNAN) {
    if (c == CLS_SNAN) raise(FLAG_NV);
    return canonicalNaN(to);
  }
  if (c == CLS_INF) return infinity(uSign, to);
  if (c == CLS_ZERO) return zero(uSign, to);
  return roundPack(uSign, uExp, uSig, to, rm);
}

/** Integer (low 32 bits when w32, signed or not) to fmt (fcvt.s.w ... fcvt.d.lu). */
export function fpFromInt(v: u64, signed: bool, w32: bool, fmt: u32, rm: u32): u64 {
  let x = v;
  if (w32) x = signed ? <u64><i64><i32>v : v & 0xffffffff;
  let sign: u64 = 0;
  if (signed && <i64>x < 0) { sign = 1; x = 0 - x; }
  if (x == 0) return 0;
  return normRoundPack(sign, 62, x, fmt, rm);
}

/** fmt to integer (fcvt.w.s ... fcvt.lu.d): rounds under rm, saturates with NV; 32-bit results sign-extended. */
export function fpToInt(v: u64, signed: bool, w32: bool, fmt: u32, rm: u32): u64 {
  const c = unpack(v, fmt);
  const sign = uSign;
  const e = uExp;
  const sig = uSig;
  let max: u64 = signed ? (w32 ? 0x7fffffff : 0x7fffffffffffffff) : (w32 ? 0xffffffff : 0xffffffffffffffff);
  let min: u64 = signed ? (w32 ? 0xffffffff80000000 : 0x8000000000000000) : 0;
  if (w32) max = <u64><i64><i32>max;
  if (c >= CLS_QNAN) { raise(FLAG_NV); return max; }
  if (c == CLS_INF) { raise(FLAG_NV); return sign != 0 ? min : max; }
  if (c == CLS_ZERO) return 0;
  if (e >= 64) { raise(FLAG_NV); return sign != 0 ? min : max; }
  let mag: u64 = 0;
  let inexact = false;
  if (e >= 62) mag = sig << <u64>(e - 62);
  else {
    const sh = 62 - e;
    let r: u64 = 1;
    let h: u64 = 2;
    if (sh < 64) {
      mag = sig >> <u64>sh;
      r = sig & ((<u64>1 << <u64>sh) - 1);
      h = <u64>1 << <u64>(sh - 1);
    }
    inexact = r != 0;
    if (roundsUp((mag & 1) != 0, r, h, sign, rm)) mag++;
  }
  // magnitude limit for this sign
  let limit: u64 = 0;
  if (signed) limit = w32 ? (sign != 0 ? 0x80000000 : 0x7fffffff) : (sign != 0 ? 0x8000000000000000 : 0x7fffffffffffffff);
  else limit = sign != 0 ? 0 : w32 ? 0xffffffff : 0xffffffffffffffff;
  if (mag > limit) { raise(FLAG_NV); return sign != 0 ? min : max; }
  if (inexact) raise(FLAG_NX);
  const r = sign != 0 ? 0 - mag : mag;
  return w32 ? <u64><i64><i32>r : r;
}
