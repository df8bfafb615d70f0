// Operand sources for the FP differential test: a seeded PRNG and interesting binary32/binary64/integer bit patterns.
import { Prng as Rng } from '../../src/util/prng.js';

/** The project's seeded PRNG: u64, below, chance, pick. */
export { Rng };

const D_SPECIAL = [
  0x0000000000000000n, 0x8000000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, // ±0, ±inf
  0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff8000000000123n, // quiet NaNs
  0x7ff0000000000001n, 0x7ff4000000000000n, 0xfff0000000000abcn, // signalling NaNs
  0x0000000000000001n, 0x800fffffffffffffn, 0x000fffffffffffffn, 0x0008000000000000n, // subnormals
  0x0010000000000000n, 0x8010000000000000n, 0x7fefffffffffffffn, 0xffefffffffffffffn, // min/max normals
  0x3ff0000000000000n, 0xbff0000000000000n, 0x3ff8000000000000n, 0x4000000000000000n, // 1, -1, 1.5, 2
  0x3fb999999999999an, 0x3fd5555555555555n, 0x3fe0000000000000n, 0xbfe0000000000000n, // 0.1, 1/3, ±0.5
  0x41dfffffffc00000n, 0x41e0000000000000n, 0xc1e0000000000000n, 0xc1e0000000200000n, // around 2^31
  0x41efffffffe00000n, 0x41f0000000000000n, 0x43e0000000000000n, 0xc3e0000000000000n, // 2^32-1, 2^32, ±2^63
  0x43f0000000000000n, 0x43efffffffffffffn, 0x4330000000000001n, 0x3ff0000000000001n, // 2^64, below, 2^52+1
  0x36a0000000000000n, 0x380fffffffffffffn, 0x47efffffe0000000n, 0x47effffff0000000n, // near f32 range ends
];

const S_SPECIAL = [
  0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc00123, 0x7f800001, 0x7fa00000,
  0xff800abc, 0x00000001, 0x807fffff, 0x007fffff, 0x00400000, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff,
  0x3f800000, 0xbf800000, 0x3fc00000, 0x40000000, 0x3dcccccd, 0x3eaaaaab, 0x3f000000, 0xbf000000, 0x4effffff,
  0x4f000000, 0xcf000000, 0xcf000001, 0x4f7fffff, 0x4f800000, 0x5f000000, 0xdf000000, 0x5f800000, 0x5f7fffff,
  0x4b800001, 0x3f800001, 0x33800000, 0x0c800000,
];

/** A binary64 pattern: a special, a random finite value around a random exponent, or random bits. */
export function randomDouble(rng: Rng): bigint {
  const k = rng.below(10);
  if (k < 4) return rng.pick(D_SPECIAL);
  const mant = rng.u64() & 0xfffffffffffffn;
  if (k < 8) {
    const exp = BigInt(rng.pick([1, 2, 0x3ff, 0x3fe, 0x400, 0x3ff + 30, 0x3ff + 62, 0x3ff + 64, 0x7fe, 0x7fd, 0x380, 0x36a, 0x3ff - 20]) + rng.below(5) - 2) & 0x7ffn;
    const sparse = rng.chance(0.3) ? mant & ~((1n << BigInt(rng.below(52))) - 1n) : mant;
    return (rng.chance(0.5) ? 1n << 63n : 0n) | (exp << 52n) | sparse;
  }
  if (k == 8) return rng.pick(D_SPECIAL) ^ BigInt(rng.below(4)); // a neighbour of a special
  return rng.u64();
}

/** A binary32 pattern (32 bits, not boxed). */
export function randomSingle(rng: Rng): bigint {
  const k = rng.below(10);
  if (k < 4) return BigInt(rng.pick(S_SPECIAL));
  const mant = rng.u64() & 0x7fffffn;
  if (k < 8) {
    const exp = BigInt((rng.pick([1, 2, 0x7f, 0x7e, 0x80, 0x7f + 30, 0x7f + 62, 0x7f + 64, 0xfe, 0xfd, 0x68, 0x7f - 20]) + rng.below(5) - 2) & 0xff);
    const sparse = rng.chance(0.3) ? mant & ~((1n << BigInt(rng.below(23))) - 1n) : mant;
    return (rng.chance(0.5) ? 1n << 31n : 0n) | (exp << 23n) | sparse;
  }
  if (k == 8) return BigInt((rng.pick(S_SPECIAL) ^ rng.below(4)) >>> 0);
  return rng.u64() & 0xffffffffn;
}

const INT_SPECIAL = [
  0n, 1n, 0xffffffffffffffffn, 0x7fffffffn, 0xffffffff80000000n, 0xffffffffn, 0x80000000n, 0x7fffffffffffffffn,
  0x8000000000000000n, 0x20000000000001n, 0x1000001n, 0xfffffffffffffffen, 0x100000000n, 0xffffffffff000001n,
];

/** A 64-bit integer register value. */
export function randomInt(rng: Rng): bigint {
  const k = rng.below(6);
  if (k < 2) return rng.pick(INT_SPECIAL);
  if (k == 2) return BigInt.asUintN(64, BigInt(rng.below(2001) - 1000));
  if (k == 3) return BigInt.asUintN(64, BigInt.asIntN(32, rng.u64()));
  if (k == 4) return rng.u64() >> BigInt(rng.below(64));
  return rng.u64();
}
