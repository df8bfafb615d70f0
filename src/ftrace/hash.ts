// struct ftrace_hash: hlist buckets indexed by hash_long(ip, size_bits), and hash_contains_ip (filter/notrace semantics).

/** GOLDEN_RATIO_64 of include/linux/hash.h. */
export const GOLDEN_RATIO_64 = 0x61c8864680b583ebn;
/** FTRACE_HASH_MAX_BITS: hashes never get more than 2^12 buckets. */
export const FTRACE_HASH_MAX_BITS = 12;
/** FTRACE_HASH_DEFAULT_BITS: size of a hash being edited (before ftrace_hash_move resizes it). */
export const FTRACE_HASH_DEFAULT_BITS = 10;

const MASK64 = (1n << 64n) - 1n;

/** hash_long(val, bits) on a 64-bit kernel = hash_64: (val * GOLDEN_RATIO_64 mod 2^64) >> (64 - bits). */
export function hashLong(val: number | bigint, bits: number): number {
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new RangeError(`hash bits ${bits} out of range`);
  if (bits === 0) return 0;
  if (typeof val === 'number' && Number.isSafeInteger(val) && val >= 0) return hashSafeInteger(val, bits);
  const v = BigInt(val) & MASK64;
  return Number(((v * GOLDEN_RATIO_64) & MASK64) >> BigInt(64 - bits));
}

const GOLDEN_HI = 0x61c88646;
const GOLDEN_LO = 0x80b583eb;
const TWO32 = 0x1_0000_0000;

/** The high 32 bits of the 64-bit product of two u32 (16-bit limbs keep every partial product exact in a double). */
function mulHi32(a: number, b: number): number {
  const a1 = a >>> 16, a0 = a & 0xffff, b1 = b >>> 16, b0 = b & 0xffff;
  return a1 * b1 + Math.floor(((a1 * b0 + a0 * b1) * 0x10000 + a0 * b0) / TWO32);
}

/** hash_64 for an address below 2^53 without BigInt: only the high word of val * GOLDEN_RATIO_64 mod 2^64 is needed. */
function hashSafeInteger(val: number, bits: number): number {
  const lo = val >>> 0;
  const hi = Math.floor(val / TWO32) >>> 0;
  const top = (mulHi32(lo, GOLDEN_LO) + (Math.imul(lo, GOLDEN_HI) >>> 0) + (Math.imul(hi, GOLDEN_LO) >>> 0)) >>> 0;
  return bits === 32 ? top : top >>> (32 - bits);
}

/** fls(x): 1-based index of the most significant set bit, 0 for 0. */
function fls(x: number): number {
  return x <= 0 ? 0 : 32 - Math.clz32(x);
}

/** dup_hash's sizing rule: about half as many buckets as entries, fls(count / 2) bits, at most FTRACE_HASH_MAX_BITS. */
export function hashBitsFor(count: number): number {
  return Math.min(fls(Math.floor(count / 2)), FTRACE_HASH_MAX_BITS);
}

/** A set of ips laid out like the kernel's ftrace_hash (buckets keep insertion order; the guest sees newest first). */
export class FtraceHash {
  private readonly table: number[][];
  private n = 0;

  constructor(readonly sizeBits: number = 0) {
    if (!Number.isInteger(sizeBits) || sizeBits < 0 || sizeBits > FTRACE_HASH_MAX_BITS) {
      throw new RangeError(`ftrace_hash size_bits ${sizeBits} out of range`);
    }
    this.table = Array.from({ length: 1 << sizeBits }, () => []);
  }

  /** A hash of these ips sized as ftrace_hash_move would size it. */
  static of(ips: Iterable<number>): FtraceHash {
    const list = [...new Set(ips)];
    const h = new FtraceHash(hashBitsFor(list.length));
    for (const ip of list) h.add(ip);
    return h;
  }

  get count(): number {
    return this.n;
  }

  /** ftrace_hash_empty(). */
  get empty(): boolean {
    return this.n === 0;
  }

  bucketOf(ip: number): number {
    return hashLong(ip, this.sizeBits);
  }

  /** Bucket `i` in insertion order (the guest list, built with hlist_add_head, holds it newest first). */
  bucket(i: number): readonly number[] {
    return this.table[i] ?? [];
  }

  has(ip: number): boolean {
    return this.table[this.bucketOf(ip)]!.includes(ip);
  }

  /** add_hash_entry; returns false if already present. */
  add(ip: number): boolean {
    const b = this.table[this.bucketOf(ip)]!;
    if (b.includes(ip)) return false;
    b.push(ip);
    this.n++;
    return true;
  }

  /** remove_hash_entry; returns false if absent. */
  remove(ip: number): boolean {
    const b = this.table[this.bucketOf(ip)]!;
    const i = b.indexOf(ip);
    if (i < 0) return false;
    b.splice(i, 1);
    this.n--;
    return true;
  }

  /** All ips, ascending. */
  ips(): number[] {
    return this.table.flat().sort((a, b) => a - b);
  }
}

/** hash_contains_ip: (filter empty or holds ip) and (notrace empty or lacks ip). Notrace wins. */
export function hashContainsIp(filter: FtraceHash, notrace: FtraceHash, ip: number): boolean {
  return (filter.empty || filter.has(ip)) && (notrace.empty || !notrace.has(ip));
}
