// lab.ftrace.attachFentryFexit: a BPF-style fentry/fexit trampoline attached to one function through register_ftrace_direct.
import type { GuestAllocator } from '../ftrace/guest-alloc.js';
import {
  FENTRY_KIND_ENTRY, FENTRY_MAP_CAPACITY, FENTRY_MAP_COUNT, FENTRY_MAP_LOST, FENTRY_MAP_RECORDS, FENTRY_RECORD_SIZE,
  fentryFexitSource, fentryMapBytes,
} from '../guest/asm/fentry-fexit.js';
import { assemble } from '../isa/index.js';
import type { OpsHandle } from './ops-handle.js';

/** One record of the trampoline's map: an entry (first two arguments) or an exit (return value). */
export interface FentryFexitRecord {
  readonly kind: 'entry' | 'exit';
  /** entry: a0 (first argument); exit: the return value. */
  readonly a0: bigint;
  /** entry: a1 (second argument); exit: a1 (second return register). */
  readonly a1: bigint;
  /** The parent's return address (where the traced function returns to). */
  readonly parentIp: number;
}

/** What attachFentryFexit returns: the direct ops, where its trampoline and map live, and a reader of the map. */
export interface FentryFexitAttachment {
  readonly handle: OpsHandle;
  readonly trampoline: number;
  readonly map: number;
  readonly capacity: number;
  /** Records in the order the harts appended them (at most `capacity`). */
  records(): FentryFexitRecord[];
  /** Records that did not fit. */
  lost(): number;
}

export type MemoryRead = (addr: number, len: number) => Uint8Array;

/** Allocate the map and the trampoline (in [lo, hi) when given and there is room: a site's jalr may then reach it). */
export function buildFentryFexit(
  alloc: GuestAllocator,
  symbol: string,
  capacity: number,
  near: { lo: number; hi: number } | null,
): { map: number; mapBytes: Uint8Array; trampoline: number; code: Uint8Array; codeSize: number } {
  const mapSize = fentryMapBytes(capacity);
  const map = alloc.alloc(mapSize, 8, `fentry/fexit map of ${symbol}`);
  const mapBytes = new Uint8Array(mapSize);
  new DataView(mapBytes.buffer).setBigUint64(FENTRY_MAP_CAPACITY, BigInt(capacity), true);
  const size = codeAt(0x80000000, map).length; // auipc pairs: the size does not depend on the address
  const what = `fentry/fexit trampoline of ${symbol}`;
  const trampoline = (near && alloc.allocIn ? alloc.allocIn(near.lo, near.hi, size, 8, what) : null) ?? alloc.alloc(size, 8, what);
  return { map, mapBytes, trampoline, code: codeAt(trampoline, map), codeSize: size };
}

function codeAt(addr: number, map: number): Uint8Array {
  const p = assemble(fentryFexitSource(map), { file: 'fentry-fexit.s', base: addr });
  return p.sections.find((s) => s.name === '.text')!.data.slice();
}

/** Decode the map's records. */
export function readFentryFexitMap(read: MemoryRead, map: number, capacity: number): { records: FentryFexitRecord[]; lost: number } {
  const head = new DataView(read(map, FENTRY_MAP_RECORDS).slice().buffer);
  const count = Math.min(Number(head.getBigUint64(FENTRY_MAP_COUNT, true)), capacity);
  const lost = Number(head.getBigUint64(FENTRY_MAP_LOST, true));
  const body = read(map + FENTRY_MAP_RECORDS, count * FENTRY_RECORD_SIZE).slice();
  const v = new DataView(body.buffer);
  const records: FentryFexitRecord[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * FENTRY_RECORD_SIZE;
    records.push({
      kind: Number(v.getBigUint64(at, true)) === FENTRY_KIND_ENTRY ? 'entry' : 'exit',
      a0: v.getBigUint64(at + 8, true),
      a1: v.getBigUint64(at + 16, true),
      parentIp: Number(v.getBigUint64(at + 24, true)),
    });
  }
  return { records, lost };
}
