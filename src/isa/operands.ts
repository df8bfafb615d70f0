// Operand kinds of the instruction table: how one assembly operand maps to bits of an instruction word.

/** Named value slots an instruction is made of; every operand kind fills exactly one. */
export type FieldName = 'rd' | 'rs1' | 'rs2' | 'rs3' | 'imm' | 'csr' | 'rm' | 'pred' | 'succ';

/** The decoded (or to-be-encoded) operand values of one instruction. */
export type Fields = Partial<Record<FieldName, number>>;

/** What an operand looks like in assembly text. */
export type OperandClass = 'xreg' | 'freg' | 'imm' | 'pcrel' | 'csr' | 'fence' | 'rm';

export interface OperandKind {
  /** Identifier used in the syntax strings of the table, e.g. 'rd', 'i12', 'cimm6nz'. */
  readonly id: string;
  readonly cls: OperandClass;
  readonly field: FieldName;
  /** null if `v` is representable, else a human-readable reason. */
  check(v: number): string | null;
  /** Bits this operand contributes (caller has checked the value). */
  encode(v: number): number;
  decode(word: number): number;
}

/** Value bits [hi:lo] are stored at instruction bits starting at `at`. */
type Piece = readonly [hi: number, lo: number, at: number];

interface ImmSpec {
  pieces: Piece[];
  signed: boolean;
  /** Number of significant value bits (including the sign bit). */
  width: number;
  /** Required alignment of the value (low bits that are implicitly zero). */
  scale?: number;
  nonzero?: boolean;
  cls?: 'imm' | 'pcrel';
  field?: FieldName;
}

function scatter(pieces: Piece[], v: number): number {
  let bits = 0;
  for (const [hi, lo, at] of pieces) {
    const n = hi - lo + 1;
    bits |= ((v >>> lo) & ((1 << n) - 1)) << at;
  }
  return bits >>> 0;
}

function gather(pieces: Piece[], word: number): number {
  let v = 0;
  for (const [hi, lo, at] of pieces) {
    const n = hi - lo + 1;
    v |= ((word >>> at) & ((1 << n) - 1)) << lo;
  }
  return v >>> 0;
}

function imm(id: string, spec: ImmSpec): OperandKind {
  const scale = spec.scale ?? 1;
  const min = spec.signed ? -(2 ** (spec.width - 1)) : 0;
  const max = spec.signed ? 2 ** (spec.width - 1) - 1 : 2 ** spec.width - 1;
  const lowMax = Math.floor(max / scale) * scale;
  return {
    id,
    cls: spec.cls ?? 'imm',
    field: spec.field ?? 'imm',
    check(v) {
      if (!Number.isInteger(v) || v < min || v > max) return `immediate ${v} out of range [${min}, ${lowMax}]`;
      if (v % scale !== 0) return `immediate ${v} must be a multiple of ${scale}`;
      if (spec.nonzero && v === 0) return 'immediate must be nonzero';
      return null;
    },
    encode: (v) => scatter(spec.pieces, v),
    decode(word) {
      const raw = gather(spec.pieces, word);
      if (!spec.signed) return raw;
      const shift = 32 - spec.width;
      return (raw << shift) >> shift;
    },
  };
}

interface RegSpec {
  cls: 'xreg' | 'freg';
  field: FieldName;
  at: number;
  /** 3-bit register field (x8..x15 / f8..f15) of the compressed formats. */
  compact?: boolean;
  /** Register numbers this operand may not name (reserved or HINT encodings). */
  exclude?: number[];
  /** Operand that must name exactly this register and encodes no bits (e.g. sp in c.lwsp). */
  fixed?: number;
}

function reg(id: string, spec: RegSpec): OperandKind {
  const file = spec.cls === 'xreg' ? 'x' : 'f';
  return {
    id,
    cls: spec.cls,
    field: spec.field,
    check(v) {
      if (spec.fixed !== undefined) return v === spec.fixed ? null : `register must be ${file}${spec.fixed}`;
      if (spec.compact) return v >= 8 && v <= 15 ? null : `register must be one of ${file}8-${file}15`;
      if (spec.exclude?.includes(v)) return `register ${file}${v} is not allowed here`;
      return v >= 0 && v <= 31 ? null : 'bad register';
    },
    encode(v) {
      if (spec.fixed !== undefined) return 0;
      return spec.compact ? ((v - 8) & 7) << spec.at : (v & 31) << spec.at;
    },
    decode(word) {
      if (spec.fixed !== undefined) return spec.fixed;
      return spec.compact ? ((word >>> spec.at) & 7) + 8 : (word >>> spec.at) & 31;
    },
  };
}

function field(id: string, cls: OperandClass, fieldName: FieldName, at: number, width: number, valid?: (v: number) => boolean): OperandKind {
  const max = 2 ** width - 1;
  return {
    id,
    cls,
    field: fieldName,
    check: (v) => (Number.isInteger(v) && v >= 0 && v <= max && (!valid || valid(v)) ? null : `value ${v} not valid for ${id}`),
    encode: (v) => (v << at) >>> 0,
    decode: (word) => (word >>> at) & max,
  };
}

/** c.lui: a nonzero 6-bit signed immediate shown as the 20-bit value lui would get. */
const cLuiImm: OperandKind = {
  id: 'cluiimm',
  cls: 'imm',
  field: 'imm',
  check: (v) => ((v >= 1 && v <= 31) || (v >= 0xfffe0 && v <= 0xfffff) ? null : `immediate ${v} must be in [1, 31] or [0xfffe0, 0xfffff]`),
  encode: (v) => scatter([[5, 5, 12], [4, 0, 2]], v >= 0xfffe0 ? v - 0x100000 : v),
  decode: (word) => {
    const raw = gather([[5, 5, 12], [4, 0, 2]], word);
    return ((raw << 26) >> 26) & 0xfffff;
  },
};

const VALID_RM = (v: number): boolean => v <= 4 || v === 7;

const KINDS: OperandKind[] = [
  // integer and FP register fields of the 32-bit formats
  reg('rd', { cls: 'xreg', field: 'rd', at: 7 }),
  reg('rs1', { cls: 'xreg', field: 'rs1', at: 15 }),
  reg('rs2', { cls: 'xreg', field: 'rs2', at: 20 }),
  reg('frd', { cls: 'freg', field: 'rd', at: 7 }),
  reg('frs1', { cls: 'freg', field: 'rs1', at: 15 }),
  reg('frs2', { cls: 'freg', field: 'rs2', at: 20 }),
  reg('frs3', { cls: 'freg', field: 'rs3', at: 27 }),
  // 32-bit immediates
  imm('i12', { pieces: [[11, 0, 20]], signed: true, width: 12 }),
  imm('s12', { pieces: [[11, 5, 25], [4, 0, 7]], signed: true, width: 12 }),
  imm('b13', { pieces: [[12, 12, 31], [10, 5, 25], [4, 1, 8], [11, 11, 7]], signed: true, width: 13, scale: 2, cls: 'pcrel' }),
  imm('u20', { pieces: [[19, 0, 12]], signed: false, width: 20 }),
  imm('j21', { pieces: [[20, 20, 31], [10, 1, 21], [11, 11, 20], [19, 12, 12]], signed: true, width: 21, scale: 2, cls: 'pcrel' }),
  imm('shamt6', { pieces: [[5, 0, 20]], signed: false, width: 6 }),
  imm('shamt5', { pieces: [[4, 0, 20]], signed: false, width: 5 }),
  imm('zimm5', { pieces: [[4, 0, 15]], signed: false, width: 5 }),
  field('csr', 'csr', 'csr', 20, 12),
  field('pred', 'fence', 'pred', 24, 4),
  field('succ', 'fence', 'succ', 20, 4),
  field('rm', 'rm', 'rm', 12, 3, VALID_RM),
  // compressed register fields
  reg('crd', { cls: 'xreg', field: 'rd', at: 7, exclude: [0] }),
  reg('crd02', { cls: 'xreg', field: 'rd', at: 7, exclude: [0, 2] }),
  reg('crs1', { cls: 'xreg', field: 'rs1', at: 7, exclude: [0] }),
  reg('crs2', { cls: 'xreg', field: 'rs2', at: 2, exclude: [0] }),
  reg('crs2z', { cls: 'xreg', field: 'rs2', at: 2 }),
  reg('cfrd', { cls: 'freg', field: 'rd', at: 7 }),
  reg('cfrs2', { cls: 'freg', field: 'rs2', at: 2 }),
  reg('crdp', { cls: 'xreg', field: 'rd', at: 2, compact: true }),
  reg('crdp9', { cls: 'xreg', field: 'rd', at: 7, compact: true }),
  reg('crs1p', { cls: 'xreg', field: 'rs1', at: 7, compact: true }),
  reg('crs2p', { cls: 'xreg', field: 'rs2', at: 2, compact: true }),
  reg('cfrdp', { cls: 'freg', field: 'rd', at: 2, compact: true }),
  reg('cfrs2p', { cls: 'freg', field: 'rs2', at: 2, compact: true }),
  reg('sp', { cls: 'xreg', field: 'rs1', at: 0, fixed: 2 }),
  reg('sprd', { cls: 'xreg', field: 'rd', at: 0, fixed: 2 }),
  // compressed immediates
  imm('cimm6', { pieces: [[5, 5, 12], [4, 0, 2]], signed: true, width: 6 }),
  imm('cimm6nz', { pieces: [[5, 5, 12], [4, 0, 2]], signed: true, width: 6, nonzero: true }),
  imm('cshamt', { pieces: [[5, 5, 12], [4, 0, 2]], signed: false, width: 6, nonzero: true }),
  imm('cimm16sp', { pieces: [[9, 9, 12], [4, 4, 6], [6, 6, 5], [8, 7, 3], [5, 5, 2]], signed: true, width: 10, scale: 16, nonzero: true }),
  imm('cimm4spn', { pieces: [[5, 4, 11], [9, 6, 7], [2, 2, 6], [3, 3, 5]], signed: false, width: 10, scale: 4, nonzero: true }),
  imm('cuimmw', { pieces: [[5, 3, 10], [2, 2, 6], [6, 6, 5]], signed: false, width: 7, scale: 4 }),
  imm('cuimmd', { pieces: [[5, 3, 10], [7, 6, 5]], signed: false, width: 8, scale: 8 }),
  imm('cuimmlwsp', { pieces: [[5, 5, 12], [4, 2, 4], [7, 6, 2]], signed: false, width: 8, scale: 4 }),
  imm('cuimmldsp', { pieces: [[5, 5, 12], [4, 3, 5], [8, 6, 2]], signed: false, width: 9, scale: 8 }),
  imm('cuimmswsp', { pieces: [[5, 2, 9], [7, 6, 7]], signed: false, width: 8, scale: 4 }),
  imm('cuimmsdsp', { pieces: [[5, 3, 10], [8, 6, 7]], signed: false, width: 9, scale: 8 }),
  imm('cj12', { pieces: [[11, 11, 12], [4, 4, 11], [9, 8, 9], [10, 10, 8], [6, 6, 7], [7, 7, 6], [3, 1, 3], [5, 5, 2]], signed: true, width: 12, scale: 2, cls: 'pcrel' }),
  imm('cb9', { pieces: [[8, 8, 12], [4, 3, 10], [7, 6, 5], [2, 1, 3], [5, 5, 2]], signed: true, width: 9, scale: 2, cls: 'pcrel' }),
  cLuiImm,
];

/** Operand kinds by id. */
export const OPERAND_KINDS: ReadonlyMap<string, OperandKind> = new Map(KINDS.map((k) => [k.id, k]));

export function operandKind(id: string): OperandKind {
  const k = OPERAND_KINDS.get(id);
  if (!k) throw new Error(`internal: unknown operand kind ${id}`);
  return k;
}

/** Rounding-mode names of the F/D extensions (field value = index; 5 and 6 are reserved). */
export const ROUNDING_MODES: ReadonlyArray<string | undefined> = ['rne', 'rtz', 'rdn', 'rup', 'rmm', undefined, undefined, 'dyn'];
