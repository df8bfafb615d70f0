// The count tracer's per-ops table (ops->private): sorted record ips + per-function hit counters, found by binary search.
//
// Layout (one block, u64 fields): +0 n, +8 ips (-> n sorted u64 ips), +16 counts (-> n u64 counters),
// +24 misses (hits on an ip that is not in the table), then the ips array, then the counts array.
// The guest bumps counters with amoadd.d, so several harts may count concurrently.
import { GuestRuntimeError } from './errors.js';

export const COUNT_TABLE_N = 0;
export const COUNT_TABLE_IPS = 8;
export const COUNT_TABLE_COUNTS = 16;
export const COUNT_TABLE_MISSES = 24;
export const COUNT_TABLE_HEADER_SIZE = 32;

/** Bytes of a table for `n` ips. */
export function countTableBytes(n: number): number {
  return COUNT_TABLE_HEADER_SIZE + 16 * n;
}

/** The bytes of a count table for `ips` placed at guest address `addr` (counters zero). */
export function encodeCountTable(ips: readonly number[], addr: number): Uint8Array {
  if (!Number.isSafeInteger(addr) || addr < 0 || addr % 8 !== 0) {
    throw new GuestRuntimeError('GUEST_BAD_OPTION', `count table address ${String(addr)} must be an 8-aligned guest address`);
  }
  const sorted = [...new Set(ips)].sort((a, b) => a - b);
  for (const ip of sorted) {
    if (!Number.isSafeInteger(ip) || ip < 0) throw new GuestRuntimeError('GUEST_BAD_OPTION', `count table ip ${String(ip)} is not an address`);
  }
  const n = sorted.length;
  const out = new Uint8Array(countTableBytes(n));
  const dv = new DataView(out.buffer);
  const ipsAt = addr + COUNT_TABLE_HEADER_SIZE;
  dv.setBigUint64(COUNT_TABLE_N, BigInt(n), true);
  dv.setBigUint64(COUNT_TABLE_IPS, BigInt(ipsAt), true);
  dv.setBigUint64(COUNT_TABLE_COUNTS, BigInt(ipsAt + 8 * n), true);
  sorted.forEach((ip, i) => dv.setBigUint64(COUNT_TABLE_HEADER_SIZE + 8 * i, BigInt(ip), true));
  return out;
}

/** Counters of a table read back from guest memory: ip -> hits, plus the misses word. */
export function decodeCountTable(read: (addr: number, len: number) => Uint8Array, addr: number): { counts: Map<number, number>; misses: number } {
  const hdr = new DataView(read(addr, COUNT_TABLE_HEADER_SIZE).slice().buffer);
  const n = Number(hdr.getBigUint64(COUNT_TABLE_N, true));
  if (n > 1 << 24) throw new GuestRuntimeError('GUEST_BAD_BUFFER', `count table at 0x${addr.toString(16)} claims ${n} entries`);
  const ipsAt = Number(hdr.getBigUint64(COUNT_TABLE_IPS, true));
  const countsAt = Number(hdr.getBigUint64(COUNT_TABLE_COUNTS, true));
  const ips = new DataView(read(ipsAt, 8 * n).slice().buffer);
  const cnt = new DataView(read(countsAt, 8 * n).slice().buffer);
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(Number(ips.getBigUint64(8 * i, true)), Number(cnt.getBigUint64(8 * i, true)));
  return { counts, misses: Number(hdr.getBigUint64(COUNT_TABLE_MISSES, true)) };
}
