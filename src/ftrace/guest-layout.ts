// Byte layout of the ftrace structures the guest reads (struct ftrace_ops, ftrace_hash, ftrace_func_entry, the ops list).
//
// All fields are u64 little-endian, naturally aligned. A NULL (0) hash pointer means "empty hash".
//
// struct ftrace_ops (FTRACE_OPS_SIZE = 64 bytes, 8-aligned):
//   +0  func          callback address (the trampoline does `ld ra, FTRACE_OPS_FUNC(a2)`)
//   +8  next          next ops on ftrace_ops_list; the list ends at &ftrace_list_end
//   +16 flags         FTRACE_OPS_FL_* (bits 0..31 used)
//   +24 private       ops->private
//   +32 filter_hash   struct ftrace_hash * or 0 (= all functions)
//   +40 notrace_hash  struct ftrace_hash * or 0 (= no function)
//   +48 trampoline    per-ops trampoline or 0
//   +56 direct_call   direct trampoline or 0
//
// A hash is one block (FTRACE_HASH_SIZE + 8 * 2^size_bits + FTRACE_FUNC_ENTRY_SIZE * count bytes):
//   struct ftrace_hash (32 bytes):  +0 size_bits, +8 buckets (-> the array right after), +16 count, +24 flags (0)
//   buckets: 2^size_bits hlist_head pointers (first entry or 0); bucket = hash_long(ip, size_bits)
//   struct ftrace_func_entry (32 bytes each): +0 hlist next (0 ends the bucket), +8 hlist pprev (address of the
//   pointer that points at this entry), +16 ip (the record's ip = jalr address), +24 direct (0)
// Entries are linked newest first (hlist_add_head), i.e. in reverse insertion order.
import { concatBytes, u64le } from './bytes.js';
import type { FtraceHash } from './hash.js';

export const FTRACE_OPS_FUNC = 0;
export const FTRACE_OPS_NEXT = 8;
export const FTRACE_OPS_FLAGS = 16;
export const FTRACE_OPS_PRIVATE = 24;
export const FTRACE_OPS_FILTER_HASH = 32;
export const FTRACE_OPS_NOTRACE_HASH = 40;
export const FTRACE_OPS_TRAMPOLINE = 48;
export const FTRACE_OPS_DIRECT_CALL = 56;
export const FTRACE_OPS_SIZE = 64;

export const FTRACE_HASH_SIZE_BITS = 0;
export const FTRACE_HASH_BUCKETS = 8;
export const FTRACE_HASH_COUNT = 16;
export const FTRACE_HASH_FLAGS = 24;
export const FTRACE_HASH_SIZE = 32;

export const FTRACE_ENTRY_NEXT = 0;
export const FTRACE_ENTRY_PPREV = 8;
export const FTRACE_ENTRY_IP = 16;
export const FTRACE_ENTRY_DIRECT = 24;
export const FTRACE_FUNC_ENTRY_SIZE = 32;

/** Alignment of every guest ftrace structure. */
export const FTRACE_STRUCT_ALIGN = 8;

/** Field values of one guest struct ftrace_ops. */
export interface GuestOpsFields {
  func: number;
  next: number;
  flags: number;
  private: number;
  filterHash: number;
  notraceHash: number;
  trampoline: number;
  directCall: number;
}

/** The 64 bytes of a struct ftrace_ops. */
export function encodeOps(f: GuestOpsFields): Uint8Array {
  return concatBytes(
    u64le(f.func),
    u64le(f.next),
    u64le(f.flags >>> 0),
    u64le(f.private),
    u64le(f.filterHash),
    u64le(f.notraceHash),
    u64le(f.trampoline),
    u64le(f.directCall),
  );
}

/** Size in bytes of the guest block holding `hash`. */
export function hashBlockSize(hash: FtraceHash): number {
  return FTRACE_HASH_SIZE + 8 * (1 << hash.sizeBits) + FTRACE_FUNC_ENTRY_SIZE * hash.count;
}

/** The bytes of `hash` laid out as one block at guest address `addr` (see the layout above). */
export function encodeHash(hash: FtraceHash, addr: number): Uint8Array {
  const nBuckets = 1 << hash.sizeBits;
  const bucketsAt = addr + FTRACE_HASH_SIZE;
  const entriesAt = bucketsAt + 8 * nBuckets;
  const out = new Uint8Array(hashBlockSize(hash));
  const dv = new DataView(out.buffer);
  const put = (at: number, v: number) => dv.setBigUint64(at - addr, BigInt(v), true);
  put(addr + FTRACE_HASH_SIZE_BITS, hash.sizeBits);
  put(addr + FTRACE_HASH_BUCKETS, bucketsAt);
  put(addr + FTRACE_HASH_COUNT, hash.count);
  put(addr + FTRACE_HASH_FLAGS, 0);
  let slot = 0;
  for (let b = 0; b < nBuckets; b++) {
    // hlist_add_head in insertion order: the guest walks the bucket newest first.
    let prevLink = bucketsAt + 8 * b;
    for (const ip of [...hash.bucket(b)].reverse()) {
      const e = entriesAt + FTRACE_FUNC_ENTRY_SIZE * slot++;
      put(prevLink, e);
      put(e + FTRACE_ENTRY_PPREV, prevLink);
      put(e + FTRACE_ENTRY_IP, ip);
      put(e + FTRACE_ENTRY_NEXT, 0);
      put(e + FTRACE_ENTRY_DIRECT, 0);
      prevLink = e + FTRACE_ENTRY_NEXT;
    }
  }
  return out;
}
