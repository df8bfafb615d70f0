// Table-driven decoder: instruction word -> table row + operand fields (the disassembler and tests use it).
import type { Fields } from './operands.js';
import { type Extension, INSN_TABLE, type InsnRow } from './table.js';

export interface DecodedInsn {
  row: InsnRow;
  fields: Fields;
  length: 2 | 4;
  word: number;
}

/** Length in bytes of the instruction whose first halfword is `lowHalf`. */
export function insnLength(lowHalf: number): 2 | 4 {
  return (lowHalf & 3) === 3 ? 4 : 2;
}

function bucketKey(word: number, length: 2 | 4): number {
  return length === 4 ? word & 0x7f : 0x100 | (((word >>> 13) & 7) << 2) | (word & 3);
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
}

const BUCKETS = new Map<number, InsnRow[]>();
for (const row of INSN_TABLE) {
  const key = bucketKey(row.match, row.length);
  let list = BUCKETS.get(key);
  if (!list) BUCKETS.set(key, (list = []));
  list.push(row);
}
for (const list of BUCKETS.values()) list.sort((a, b) => popcount(b.mask) - popcount(a.mask));

/**
 * Decode one instruction. `word` holds at least the instruction's bits (upper half ignored for
 * 16-bit ones). Returns undefined for illegal, reserved and HINT encodings, and for rows whose
 * extension is not in `exts` (when given).
 */
export function decode(word: number, exts?: ReadonlySet<Extension>): DecodedInsn | undefined {
  const length = insnLength(word & 0xffff);
  const w = length === 2 ? word & 0xffff : word >>> 0;
  const list = BUCKETS.get(bucketKey(w, length));
  if (!list) return undefined;
  for (const row of list) {
    if (((w & row.mask) >>> 0) !== row.match) continue;
    if (exts && (!exts.has(row.ext) || (row.length === 2 && !exts.has('C')))) continue;
    const fields: Fields = {};
    let ok = true;
    for (const kind of row.operands) {
      const v = kind.decode(w);
      if (kind.check(v) !== null) {
        ok = false;
        break;
      }
      fields[kind.field] = v;
    }
    if (ok) return { row, fields, length, word: w };
  }
  return undefined;
}
