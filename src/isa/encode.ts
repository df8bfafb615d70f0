// Table-driven encoder: mnemonic + operand values -> instruction word (32-bit or 16-bit), plus helpers
// for the instructions code patchers emit most (auipc, jalr, jal, nop).
import { csrNumber } from './csrs.js';
import { EncodeError } from './errors.js';
import { type FieldName, type Fields, type OperandKind, ROUNDING_MODES } from './operands.js';
import { fRegNumber, xRegNumber } from './registers.js';
import { type InsnRow, insnRow } from './table.js';

export interface EncodedInsn {
  /** The instruction bits (a 16-bit halfword when length is 2). */
  word: number;
  length: 2 | 4;
}

/** Operand values by field: registers as names or numbers, csr/rm/fence sets as names or numbers. */
export type OperandValues = Partial<Record<FieldName, number | string>>;

/** Parse a fence set like 'iorw', 'rw', '0' into its 4-bit value. */
export function fenceSet(text: string): number | undefined {
  const t = text.toLowerCase();
  if (t === '0') return 0;
  if (!/^i?o?r?w?$/.test(t) || t === '') return undefined;
  return (t.includes('i') ? 8 : 0) | (t.includes('o') ? 4 : 0) | (t.includes('r') ? 2 : 0) | (t.includes('w') ? 1 : 0);
}

/** Resolve a symbolic operand value (register name, CSR name, ...) for a kind; undefined if unknown. */
export function operandNumber(kind: OperandKind, v: number | string): number | undefined {
  if (typeof v === 'number') return v;
  switch (kind.cls) {
    case 'xreg':
      return xRegNumber(v);
    case 'freg':
      return fRegNumber(v);
    case 'csr':
      return csrNumber(v);
    case 'rm': {
      const i = ROUNDING_MODES.indexOf(v.toLowerCase());
      return i >= 0 ? i : undefined;
    }
    case 'fence':
      return fenceSet(v);
    default:
      return undefined;
  }
}

/** Encode resolved numeric fields with a row; throws EncodeError naming the bad operand. */
export function encodeRow(row: InsnRow, fields: Fields): EncodedInsn {
  let word = row.match;
  for (const kind of row.operands) {
    let v = fields[kind.field];
    if (v === undefined && kind.cls === 'rm') v = 7;
    if (v === undefined) throw new EncodeError(`${row.mnemonic}: missing operand ${kind.field}`);
    const problem = kind.check(v);
    if (problem) throw new EncodeError(`${row.mnemonic}: operand ${kind.field}: ${problem}`, 'ISA_RANGE');
    word |= kind.encode(v);
  }
  return { word: word >>> 0, length: row.length };
}

/**
 * Encode one instruction, e.g. `encode('jalr', {rd: 't0', rs1: 't0', imm: 0})` or
 * `encode('c.addi', {rd: 'a0', imm: 1})`. Branch/jump `imm` is the byte offset from the instruction.
 */
export function encode(mnemonic: string, operands: OperandValues = {}): EncodedInsn {
  const row = insnRow(mnemonic);
  if (!row) throw new EncodeError(`unknown instruction '${mnemonic}'`, 'ISA_UNKNOWN_INSN');
  const fields: Fields = {};
  for (const kind of row.operands) {
    const given = operands[kind.field];
    if (given === undefined) continue;
    const n = operandNumber(kind, given);
    if (n === undefined) throw new EncodeError(`${mnemonic}: '${given}' is not a valid ${kind.cls} for ${kind.field}`);
    fields[kind.field] = n;
  }
  return encodeRow(row, fields);
}

/** Little-endian bytes of an encoded instruction. */
export function insnBytes(insn: EncodedInsn): Uint8Array {
  const b = new Uint8Array(insn.length);
  for (let k = 0; k < insn.length; k++) b[k] = (insn.word >>> (8 * k)) & 0xff;
  return b;
}

/** `auipc rd, imm20` (imm20 is the upper-immediate field, 0..0xfffff). */
export function encodeAuipc(rd: number | string, imm20: number): number {
  return encode('auipc', { rd, imm: imm20 & 0xfffff }).word;
}

/** `jalr rd, imm(rs1)`. */
export function encodeJalr(rd: number | string, rs1: number | string, imm: number): number {
  return encode('jalr', { rd, rs1, imm }).word;
}

/** `jal rd, offset` (offset in bytes from the instruction). */
export function encodeJal(rd: number | string, offset: number): number {
  return encode('jal', { rd, imm: offset }).word;
}

/** `addi rd, rs1, imm`. */
export function encodeAddi(rd: number | string, rs1: number | string, imm: number): number {
  return encode('addi', { rd, rs1, imm }).word;
}

/** The canonical 4-byte nop (addi x0, x0, 0 = 0x00000013). */
export function nop(): number {
  return 0x00000013;
}

/** The 2-byte c.nop (0x0001). */
export function cNop(): number {
  return 0x0001;
}

/**
 * Split a pc-relative (or absolute) 32-bit offset into the auipc/lui upper immediate and the signed
 * low 12 bits such that (hi20 << 12) + lo12 == offset (hi20 as a 20-bit field value).
 */
export function splitHiLo(offset: number): { hi20: number; lo12: number } {
  const hi = Math.floor((offset + 0x800) / 4096);
  const lo = offset - hi * 4096;
  return { hi20: ((hi % 0x100000) + 0x100000) % 0x100000, lo12: lo };
}
