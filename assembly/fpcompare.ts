// Soft-float comparisons: feq/flt/fle, fmin/fmax (IEEE 754-2019 minimumNumber/maximumNumber) and fclass.
import { CLS_INF, CLS_QNAN, CLS_SNAN, CLS_ZERO, FLAG_NV, canonicalNaN, raise, signShift, unpack, uSign } from './fpround';

let cA: i32 = 0;
let cB: i32 = 0;

function classes(a: u64, b: u64, fmt: u32): void {
  cA = unpack(a, fmt);
  cB = unpack(b, fmt);
}

@inline function magnitude(v: u64, fmt: u32): u64 {
  return v & ((<u64>1 << signShift(fmt)) - 1);
}

/** a < b for non-NaN values; zeroOrdered makes -0 < +0 (fmin/fmax), else they are equal. */
function less(a: u64, b: u64, fmt: u32, zeroOrdered: bool): bool {
  const sa = a >> signShift(fmt);
  const sb = b >> signShift(fmt);
  const ma = magnitude(a, fmt);
  const mb = magnitude(b, fmt);
  if (sa != sb) return sa != 0 && (zeroOrdered || ma != 0 || mb != 0);
  return sa != 0 ? ma > mb : ma < mb;
}

function equal(a: u64, b: u64, fmt: u32): bool {
  return a == b || (magnitude(a, fmt) == 0 && magnitude(b, fmt) == 0);
}

/** feq: 1 if equal; NV only for signalling NaNs. */
export function fpEq(a: u64, b: u64, fmt: u32): u64 {
  classes(a, b, fmt);
  if (cA >= CLS_QNAN || cB >= CLS_QNAN) {
    if (cA == CLS_SNAN || cB == CLS_SNAN) raise(FLAG_NV);
    return 0;
  }
  return equal(a, b, fmt) ? 1 : 0;
}

/** flt (orEqual false) / fle (orEqual true): NV for any NaN. */
export function fpLess(a: u64, b: u64, fmt: u32, orEqual: bool): u64 {
  classes(a, b, fmt);
  if (cA >= CLS_QNAN || cB >= CLS_QNAN) { raise(FLAG_NV); return 0; }
  return less(a, b, fmt, false) || (orEqual && equal(a, b, fmt)) ? 1 : 0;
}

/** fmin (max false) / fmax (max true): a NaN operand yields the other one; two NaNs the canonical NaN. */
export function fpMinMax(a: u64, b: u64, fmt: u32, max: bool): u64 {
  classes(a, b, fmt);
  if (cA == CLS_SNAN || cB == CLS_SNAN) raise(FLAG_NV);
  const nanA = cA >= CLS_QNAN;
  const nanB = cB >= CLS_QNAN;
  if (nanA && nanB) return canonicalNaN(fmt);
  if (nanA) return b;
  if (nanB) return a;
  return less(a, b, fmt, true) != max ? a : b;
}

/** fclass: one-hot class mask (bit 0 -inf ... bit 9 quiet NaN). */
export function fpClass(v: u64, fmt: u32): u64 {
  const c = unpack(v, fmt);
  const neg = uSign != 0;
  if (c == CLS_SNAN) return 1 << 8;
  if (c == CLS_QNAN) return 1 << 9;
  if (c == CLS_INF) return neg ? 1 : 1 << 7;
  if (c == CLS_ZERO) return neg ? 1 << 3 : 1 << 4;
  const eb = fmt == 1 ? 11 : 8;
  const fb = fmt == 1 ? 52 : 23;
  const subnormal = ((v >> <u64>fb) & ((<u64>1 << <u64>eb) - 1)) == 0;
  if (subnormal) return neg ? 1 << 2 : 1 << 5;
  return neg ? 1 << 1 : 1 << 6;
}
