// The C extension's correspondence with 32-bit instructions: expand a compressed instruction, or find
// the compressed form of a 32-bit one (what `.option rvc` does automatically).
import type { FieldName, Fields } from './operands.js';
import { type Expansion, type Extension, INSN_TABLE, type InsnRow, insnRow } from './table.js';

export interface RowFields {
  row: InsnRow;
  fields: Fields;
}

/** The 32-bit instruction a compressed one stands for (identity for 32-bit rows). */
export function expandCompressed(insn: RowFields): RowFields {
  const exp = insn.row.expansion;
  if (!exp) return insn;
  const row = insnRow(exp.mnemonic)!;
  const fields: Fields = {};
  for (const [f, src] of Object.entries(exp.map) as Array<[FieldName, FieldName | number]>) {
    fields[f] = typeof src === 'number' ? src : insn.fields[src];
  }
  return { row, fields };
}

/** Compressed candidates by the mnemonic of the 32-bit instruction they replace, in table order. */
const CANDIDATES = new Map<string, Array<{ row: InsnRow; exp: Expansion }>>();
for (const row of INSN_TABLE) {
  for (const exp of [row.expansion, ...(row.alsoFrom ?? [])]) {
    if (!exp) continue;
    let list = CANDIDATES.get(exp.mnemonic);
    if (!list) CANDIDATES.set(exp.mnemonic, (list = []));
    list.push({ row, exp });
  }
}

function tryMap(full: Fields, row: InsnRow, exp: Expansion): Fields | undefined {
  const cf: Fields = {};
  for (const [f, src] of Object.entries(exp.map) as Array<[FieldName, FieldName | number]>) {
    const v = full[f] ?? 0;
    if (typeof src === 'number') {
      if (v !== src) return undefined;
    } else if (cf[src] !== undefined && cf[src] !== v) {
      return undefined;
    } else {
      cf[src] = v;
    }
  }
  for (const kind of row.operands) {
    const v = cf[kind.field];
    if (v === undefined || kind.check(v) !== null) return undefined;
  }
  return cf;
}

/** The compressed equivalent of a 32-bit instruction, if one exists among the enabled extensions. */
export function compress(mnemonic: string, fields: Fields, exts: ReadonlySet<Extension>): RowFields | undefined {
  if (!exts.has('C')) return undefined;
  for (const { row, exp } of CANDIDATES.get(mnemonic) ?? []) {
    if (!exts.has(row.ext)) continue;
    const cf = tryMap(fields, row, exp);
    if (cf) return { row, fields: cf };
  }
  return undefined;
}
