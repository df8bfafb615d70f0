// Soft-float arithmetic: add, multiply, divide, square root and fused multiply-add, correctly rounded in every mode.
import { mulhu } from './alu';
import {
  CLS_INF, CLS_QNAN, CLS_SNAN, CLS_ZERO, FLAG_DZ, FLAG_NV, RM_RDN, canonicalNaN, infinity,
  normRoundPack, raise, shiftJam, signShift, uExp, uSig, uSign, unpack, zero,
} from './fpround';

@inline function isNaN(c: i32): bool {
  return c >= CLS_QNAN;
}

/** The canonical NaN, raising NV when any class given is a signalling NaN. */
function nanResult(ca: i32, cb: i32, cc: i32, fmt: u32): u64 {
  if (ca == CLS_SNAN || cb == CLS_SNAN || cc == CLS_SNAN) raise(FLAG_NV);
  return canonicalNaN(fmt);
}

function invalid(fmt: u32): u64 {
  raise(FLAG_NV);
  return canonicalNaN(fmt);
}

/** a + b (subtract by flipping b's sign bit first). */
export function fpAdd(a: u64, b: u64, fmt: u32, rm: u32): u64 {
  const ca = unpack(a, fmt); const sa = uSign; const ea = uExp; const ma = uSig;
  const cb = unpack(b, fmt); const sb = uSign; const eb = uExp; const mb = uSig;
  if (isNaN(ca) || isNaN(cb)) return nanResult(ca, cb, 0, fmt);
  if (ca == CLS_INF) return cb == CLS_INF && sa != sb ? invalid(fmt) : a;
  if (cb == CLS_INF) return b;
  if (ca == CLS_ZERO && cb == CLS_ZERO) return zero(sa == sb ? sa : rm == RM_RDN ? 1 : 0, fmt);
  if (ca == CLS_ZERO) return b;
  if (cb == CLS_ZERO) return a;
  return addFinite(sa, ea, ma, sb, eb, mb, fmt, rm);
}

function addFinite(sa: u64, ea: i32, ma: u64, sb: u64, eb: i32, mb: u64, fmt: u32, rm: u32): u64 {
  if (ea < eb || (ea == eb && ma < mb)) {
    const ts = sa; sa = sb; sb = ts;
    const te = ea; ea = eb; eb = te;
    const tm = ma; ma = mb; mb = tm;
  }
  mb = shiftJam(mb, ea - eb);
  if (sa == sb) return normRoundPack(sa, ea, ma + mb, fmt, rm);
  const d = ma - mb;
  if (d == 0) return zero(rm == RM_RDN ? 1 : 0, fmt);
  return normRoundPack(sa, ea, d, fmt, rm);
}

/** a * b */
export function fpMul(a: u64, b: u64, fmt: u32, rm: u32): u64 {
  const ca = unpack(a, fmt); const sa = uSign; const ea = uExp; const ma = uSig;
  const cb = unpack(b, fmt); const sb = uSign; const eb = uExp; const mb = uSig;
  if (isNaN(ca) || isNaN(cb)) return nanResult(ca, cb, 0, fmt);
  const s = sa ^ sb;
  if (ca == CLS_INF || cb == CLS_INF) return ca == CLS_ZERO || cb == CLS_ZERO ? invalid(fmt) : infinity(s, fmt);
  if (ca == CLS_ZERO || cb == CLS_ZERO) return zero(s, fmt);
  const hi = mulhu(ma, mb);
  const lo = ma * mb;
  // product in [2^124, 2^126): keep bits 125..62, the rest sticky
  const sig = (hi << 2) | (lo >> 62) | ((lo & 0x3fffffffffffffff) != 0 ? 1 : 0);
  return normRoundPack(s, ea + eb, sig, fmt, rm);
}

/** a / b */
export function fpDiv(a: u64, b: u64, fmt: u32, rm: u32): u64 {
  const ca = unpack(a, fmt); const sa = uSign; let ea = uExp; let ma = uSig;
  const cb = unpack(b, fmt); const sb = uSign; const eb = uExp; const mb = uSig;
  if (isNaN(ca) || isNaN(cb)) return nanResult(ca, cb, 0, fmt);
  const s = sa ^ sb;
  if (ca == CLS_INF) return cb == CLS_INF ? invalid(fmt) : infinity(s, fmt);
  if (cb == CLS_INF) return zero(s, fmt);
  if (cb == CLS_ZERO) {
    if (ca == CLS_ZERO) return invalid(fmt);
    raise(FLAG_DZ);
    return infinity(s, fmt);
  }
  if (ca == CLS_ZERO) return zero(s, fmt);
  if (ma < mb) { ma <<= 1; ea--; }
  // restoring division: q = floor(ma * 2^62 / mb), in [2^62, 2^63)
  let q: u64 = 0;
  let r = ma;
  for (let i = 62; i >= 0; i--) {
    if (r >= mb) { r -= mb; q |= <u64>1 << <u64>i; }
    r <<= 1;
  }
  return normRoundPack(s, ea - eb, q | (r != 0 ? 1 : 0), fmt, rm);
}

/** Is t*t <= hi:lo (128-bit)? */
function squareAtMost(t: u64, hi: u64, lo: u64): bool {
  const sh = mulhu(t, t);
  return sh < hi || (sh == hi && t * t <= lo);
}

/** sqrt(a) */
export function fpSqrt(a: u64, fmt: u32, rm: u32): u64 {
  const ca = unpack(a, fmt); const sa = uSign; const ea = uExp; const ma = uSig;
  if (isNaN(ca)) return nanResult(ca, 0, 0, fmt);
  if (ca == CLS_ZERO) return a;
  if (sa != 0) return invalid(fmt);
  if (ca == CLS_INF) return a;
  // integer square root of M = ma * 2^62 (even exponent) or ma * 2^63 (odd exponent)
  const odd = (ea & 1) != 0;
  const hi = odd ? ma >> 1 : ma >> 2;
  const lo = odd ? ma << 63 : ma << 62;
  let s: u64 = 0;
  for (let i = 62; i >= 0; i--) {
    const t = s | (<u64>1 << <u64>i);
    if (squareAtMost(t, hi, lo)) s = t;
  }
  const exact = mulhu(s, s) == hi && s * s == lo;
  return normRoundPack(0, ea >> 1, s | (exact ? 0 : 1), fmt, rm);
}

// 128-bit scratch for fpFma
let wHi: u64 = 0;
let wLo: u64 = 0;

/** wHi:wLo = hi:lo shifted right by d with sticky. */
function shiftJam128(hi: u64, lo: u64, d: i32): void {
  if (d <= 0) { wHi = hi; wLo = lo; return; }
  if (d >= 127) { wHi = 0; wLo = (hi | lo) != 0 ? 1 : 0; return; }
  if (d >= 64) {
    const n = d - 64;
    const lost = n == 0 ? lo : lo | (hi << <u64>(64 - n));
    wLo = (n == 0 ? hi : hi >> <u64>n) | (lost != 0 ? 1 : 0);
    wHi = 0;
    return;
  }
  const lost = lo << <u64>(64 - d);
  wLo = (lo >> <u64>d) | (hi << <u64>(64 - d)) | (lost != 0 ? 1 : 0);
  wHi = hi >> <u64>d;
}

/** (negP ? -(a*b) : a*b) + (negC ? -c : c) with one rounding (fmadd/fmsub/fnmsub/fnmadd). */
export function fpFma(a: u64, b: u64, c: u64, negP: u64, negC: u64, fmt: u32, rm: u32): u64 {
  const ca = unpack(a, fmt); const sa = uSign; const ea = uExp; const ma = uSig;
  const cb = unpack(b, fmt); const sb = uSign; const eb = uExp; const mb = uSig;
  const cc = unpack(c, fmt); const sc = uSign ^ negC; const ec = uExp; const mc = uSig;
  const infZero = (ca == CLS_INF && cb == CLS_ZERO) || (ca == CLS_ZERO && cb == CLS_INF);
  if (isNaN(ca) || isNaN(cb) || isNaN(cc)) {
    if (infZero) raise(FLAG_NV);
    return nanResult(ca, cb, cc, fmt);
  }
  if (infZero) return invalid(fmt);
  const sp = sa ^ sb ^ negP;
  if (ca == CLS_INF || cb == CLS_INF) return cc == CLS_INF && sc != sp ? invalid(fmt) : infinity(sp, fmt);
  if (cc == CLS_INF) return infinity(sc, fmt);
  if (ca == CLS_ZERO || cb == CLS_ZERO) {
    if (cc == CLS_ZERO) return zero(sp == sc ? sp : rm == RM_RDN ? 1 : 0, fmt);
    return c ^ (negC << signShift(fmt));
  }
  let pHi = mulhu(ma, mb);
  let pLo = ma * mb; // P / 2^124 * 2^(ea+eb), P in [2^124, 2^126)
  const ep = ea + eb;
  if (cc == CLS_ZERO) {
    return normRoundPack(sp, ep, (pHi << 2) | (pLo >> 62) | ((pLo & 0x3fffffffffffffff) != 0 ? 1 : 0), fmt, rm);
  }
  let cHi = mc >> 2;
  let cLo = mc << 62; // C / 2^124 * 2^ec
  let e = ep;
  if (ep >= ec) {
    shiftJam128(cHi, cLo, ep - ec); cHi = wHi; cLo = wLo;
  } else {
    shiftJam128(pHi, pLo, ec - ep); pHi = wHi; pLo = wLo;
    e = ec;
  }
  let sHi: u64 = 0;
  let sLo: u64 = 0;
  let sign = sp;
  if (sp == sc) {
    sLo = pLo + cLo;
    sHi = pHi + cHi + (sLo < pLo ? 1 : 0);
  } else if (pHi > cHi || (pHi == cHi && pLo >= cLo)) {
    sLo = pLo - cLo;
    sHi = pHi - cHi - (pLo < cLo ? 1 : 0);
  } else {
    sLo = cLo - pLo;
    sHi = cHi - pHi - (cLo < pLo ? 1 : 0);
    sign = sc;
  }
  if (sHi == 0 && sLo == 0) return zero(rm == RM_RDN ? 1 : 0, fmt);
  // bring the leading 1 to bit 62 of one word (k = right shift), keeping the rest as sticky
  const top = sHi != 0 ? 127 - <i32>clz<u64>(sHi) : 63 - <i32>clz<u64>(sLo);
  const k = top - 62;
  let sig: u64 = 0;
  if (k > 0) { shiftJam128(sHi, sLo, k); sig = wLo; }
  else sig = sLo << <u64>(-k);
  return normRoundPack(sign, e + k - 62, sig, fmt, rm);
}
