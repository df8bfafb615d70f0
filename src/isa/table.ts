// The one RISC-V instruction table (RV64 I, M, A, Zicsr, Zifencei, privileged, C, F, D) that drives the
// encoder, the assembler and the disassembler.
import { type FieldName, type OperandKind, operandKind } from './operands.js';

export type Extension = 'I' | 'M' | 'A' | 'Zicsr' | 'Zifencei' | 'priv' | 'C' | 'F' | 'D';

/** One operand position in the assembly syntax: `x`, `imm(x)` or `(x)`. */
export interface SyntaxGroup {
  form: 'plain' | 'offset' | 'paren';
  /** plain: [kind]; offset: [immediate kind, register kind]; paren: [register kind]. */
  kinds: OperandKind[];
  /** Trailing operand that may be omitted (the rounding mode; default dyn). */
  optional: boolean;
}

/** Where a field of the expanded 32-bit instruction comes from: a field of the compressed one or a constant. */
export type FieldSource = FieldName | number;

/** A compressed instruction's meaning as a 32-bit instruction. */
export interface Expansion {
  mnemonic: string;
  map: Partial<Record<FieldName, FieldSource>>;
}

export interface InsnRow {
  mnemonic: string;
  ext: Extension;
  length: 2 | 4;
  match: number;
  mask: number;
  syntax: SyntaxGroup[];
  /** Every operand kind of the syntax, in order. */
  operands: OperandKind[];
  /** Compressed rows: the 32-bit instruction this one stands for (what objdump prints). */
  expansion?: Expansion;
  /** Compressed rows: further 32-bit forms that compress to this row (commuted operands etc.). */
  alsoFrom?: Expansion[];
}

function parseSyntax(text: string): SyntaxGroup[] {
  if (text === '') return [];
  const groups: SyntaxGroup[] = [];
  let optional = false;
  for (let part of text.split(',')) {
    if (part.startsWith('[')) {
      optional = true;
      part = part.slice(1);
    }
    part = part.replace(']', '');
    const m = /^(\w*)\((\w+)\)$/.exec(part);
    if (m && m[1]) groups.push({ form: 'offset', kinds: [operandKind(m[1]), operandKind(m[2]!)], optional });
    else if (m) groups.push({ form: 'paren', kinds: [operandKind(m[2]!)], optional });
    else groups.push({ form: 'plain', kinds: [operandKind(part)], optional });
  }
  return groups;
}

const ROWS: InsnRow[] = [];

function row(mnemonic: string, ext: Extension, match: number, mask: number, syntax: string, length: 2 | 4 = 4): InsnRow {
  const groups = parseSyntax(syntax.replace('[,', ',['));
  const r: InsnRow = { mnemonic, ext, length, match: match >>> 0, mask: mask >>> 0, syntax: groups, operands: groups.flatMap((g) => g.kinds) };
  ROWS.push(r);
  return r;
}

// ---------------------------------------------------------------- 32-bit formats
const MASK_OPCODE = 0x7f;
const MASK_F3 = 0x707f;
const MASK_F7 = 0xfe00707f;

const r = (mn: string, ext: Extension, f7: number, f3: number, op: number, syntax = 'rd,rs1,rs2'): InsnRow =>
  row(mn, ext, (f7 << 25) | (f3 << 12) | op, MASK_F7, syntax);
const i = (mn: string, ext: Extension, f3: number, op: number, syntax = 'rd,rs1,i12'): InsnRow =>
  row(mn, ext, (f3 << 12) | op, MASK_F3, syntax);

// RV64I
row('lui', 'I', 0x37, MASK_OPCODE, 'rd,u20');
row('auipc', 'I', 0x17, MASK_OPCODE, 'rd,u20');
row('jal', 'I', 0x6f, MASK_OPCODE, 'rd,j21');
i('jalr', 'I', 0, 0x67, 'rd,i12(rs1)');
for (const [mn, f3] of [['beq', 0], ['bne', 1], ['blt', 4], ['bge', 5], ['bltu', 6], ['bgeu', 7]] as const) {
  i(mn, 'I', f3, 0x63, 'rs1,rs2,b13');
}
for (const [mn, f3] of [['lb', 0], ['lh', 1], ['lw', 2], ['ld', 3], ['lbu', 4], ['lhu', 5], ['lwu', 6]] as const) {
  i(mn, 'I', f3, 0x03, 'rd,i12(rs1)');
}
for (const [mn, f3] of [['sb', 0], ['sh', 1], ['sw', 2], ['sd', 3]] as const) i(mn, 'I', f3, 0x23, 'rs2,s12(rs1)');
for (const [mn, f3] of [['addi', 0], ['slti', 2], ['sltiu', 3], ['xori', 4], ['ori', 6], ['andi', 7]] as const) {
  i(mn, 'I', f3, 0x13);
}
row('slli', 'I', 0x1013, 0xfc00707f, 'rd,rs1,shamt6');
row('srli', 'I', 0x5013, 0xfc00707f, 'rd,rs1,shamt6');
row('srai', 'I', 0x40005013, 0xfc00707f, 'rd,rs1,shamt6');
for (const [mn, f7, f3] of [
  ['add', 0, 0], ['sub', 0x20, 0], ['sll', 0, 1], ['slt', 0, 2], ['sltu', 0, 3],
  ['xor', 0, 4], ['srl', 0, 5], ['sra', 0x20, 5], ['or', 0, 6], ['and', 0, 7],
] as const) r(mn, 'I', f7, f3, 0x33);
i('addiw', 'I', 0, 0x1b);
row('slliw', 'I', 0x101b, MASK_F7, 'rd,rs1,shamt5');
row('srliw', 'I', 0x501b, MASK_F7, 'rd,rs1,shamt5');
row('sraiw', 'I', 0x4000501b, MASK_F7, 'rd,rs1,shamt5');
for (const [mn, f7, f3] of [['addw', 0, 0], ['subw', 0x20, 0], ['sllw', 0, 1], ['srlw', 0, 5], ['sraw', 0x20, 5]] as const) {
  r(mn, 'I', f7, f3, 0x3b);
}
row('fence.tso', 'I', 0x8330000f, 0xffffffff, '');
row('fence', 'I', 0x0000000f, 0xf00fffff, 'pred,succ');
row('ecall', 'I', 0x00000073, 0xffffffff, '');
row('ebreak', 'I', 0x00100073, 0xffffffff, '');
// Zifencei, privileged
row('fence.i', 'Zifencei', 0x0000100f, 0xffffffff, '');
row('sret', 'priv', 0x10200073, 0xffffffff, '');
row('mret', 'priv', 0x30200073, 0xffffffff, '');
row('wfi', 'priv', 0x10500073, 0xffffffff, '');
row('sfence.vma', 'priv', 0x12000073, 0xfe007fff, 'rs1,rs2');
// Zicsr
for (const [mn, f3] of [['csrrw', 1], ['csrrs', 2], ['csrrc', 3]] as const) i(mn, 'Zicsr', f3, 0x73, 'rd,csr,rs1');
for (const [mn, f3] of [['csrrwi', 5], ['csrrsi', 6], ['csrrci', 7]] as const) i(mn, 'Zicsr', f3, 0x73, 'rd,csr,zimm5');
// M
for (const [mn, f3] of [['mul', 0], ['mulh', 1], ['mulhsu', 2], ['mulhu', 3], ['div', 4], ['divu', 5], ['rem', 6], ['remu', 7]] as const) {
  r(mn, 'M', 1, f3, 0x33);
}
for (const [mn, f3] of [['mulw', 0], ['divw', 4], ['divuw', 5], ['remw', 6], ['remuw', 7]] as const) r(mn, 'M', 1, f3, 0x3b);
// A (every aq/rl ordering is its own row: .aq, .rl, .aqrl)
const ORDERINGS = [['', 0], ['.aq', 2], ['.rl', 1], ['.aqrl', 3]] as const;
for (const [width, f3] of [['w', 2], ['d', 3]] as const) {
  for (const [sfx, aqrl] of ORDERINGS) {
    row(`lr.${width}${sfx}`, 'A', (0x02 << 27) | (aqrl << 25) | (f3 << 12) | 0x2f, 0xfff0707f, 'rd,(rs1)');
    for (const [name, f5] of [
      ['sc', 0x03], ['amoswap', 0x01], ['amoadd', 0x00], ['amoxor', 0x04], ['amoand', 0x0c], ['amoor', 0x08],
      ['amomin', 0x10], ['amomax', 0x14], ['amominu', 0x18], ['amomaxu', 0x1c],
    ] as const) {
      row(`${name}.${width}${sfx}`, 'A', (f5 << 27) | (aqrl << 25) | (f3 << 12) | 0x2f, MASK_F7, 'rd,rs2,(rs1)');
    }
  }
}
// F and D
const MASK_RM_FREE = 0xfe00007f;
for (const [p, fmt, ext, w] of [['s', 0, 'F', 2], ['d', 1, 'D', 3]] as const) {
  i(`fl${p === 's' ? 'w' : 'd'}`, ext, w, 0x07, 'frd,i12(rs1)');
  i(`fs${p === 's' ? 'w' : 'd'}`, ext, w, 0x27, 'frs2,s12(rs1)');
  for (const [mn, op] of [['fmadd', 0x43], ['fmsub', 0x47], ['fnmsub', 0x4b], ['fnmadd', 0x4f]] as const) {
    row(`${mn}.${p}`, ext, (fmt << 25) | op, 0x0600007f, 'frd,frs1,frs2,frs3[,rm]');
  }
  for (const [mn, f7] of [['fadd', 0x00], ['fsub', 0x04], ['fmul', 0x08], ['fdiv', 0x0c]] as const) {
    row(`${mn}.${p}`, ext, ((f7 | fmt) << 25) | 0x53, MASK_RM_FREE, 'frd,frs1,frs2[,rm]');
  }
  row(`fsqrt.${p}`, ext, ((0x2c | fmt) << 25) | 0x53, 0xfff0007f, 'frd,frs1[,rm]');
  for (const [mn, f7, f3] of [['fsgnj', 0x10, 0], ['fsgnjn', 0x10, 1], ['fsgnjx', 0x10, 2], ['fmin', 0x14, 0], ['fmax', 0x14, 1]] as const) {
    r(`${mn}.${p}`, ext, f7 | fmt, f3, 0x53, 'frd,frs1,frs2');
  }
  for (const [mn, f3] of [['feq', 2], ['flt', 1], ['fle', 0]] as const) r(`${mn}.${p}`, ext, 0x50 | fmt, f3, 0x53, 'rd,frs1,frs2');
  const ints = [['w', 0], ['wu', 1], ['l', 2], ['lu', 3]] as const;
  for (const [t, rs2] of ints) {
    row(`fcvt.${t}.${p}`, ext, ((0x60 | fmt) << 25) | (rs2 << 20) | 0x53, 0xfff0007f, 'rd,frs1[,rm]');
  }
  for (const [t, rs2] of ints) {
    // int -> double conversions of 32-bit values are exact: no rounding-mode field (rm = 0)
    if (p === 'd' && (t === 'w' || t === 'wu')) row(`fcvt.d.${t}`, ext, (0x69 << 25) | (rs2 << 20) | 0x53, 0xfff0707f, 'frd,rs1');
    else row(`fcvt.${p}.${t}`, ext, ((0x68 | fmt) << 25) | (rs2 << 20) | 0x53, 0xfff0007f, 'frd,rs1[,rm]');
  }
  r(`fmv.x.${p === 's' ? 'w' : 'd'}`, ext, 0x70 | fmt, 0, 0x53, 'rd,frs1').mask = 0xfff0707f;
  r(`fclass.${p}`, ext, 0x70 | fmt, 1, 0x53, 'rd,frs1').mask = 0xfff0707f;
  r(`fmv.${p === 's' ? 'w' : 'd'}.x`, ext, 0x78 | fmt, 0, 0x53, 'frd,rs1').mask = 0xfff0707f;
}
row('fcvt.s.d', 'D', (0x20 << 25) | (1 << 20) | 0x53, 0xfff0007f, 'frd,frs1[,rm]');
row('fcvt.d.s', 'D', (0x21 << 25) | 0x53, 0xfff0707f, 'frd,frs1');

// ---------------------------------------------------------------- C extension (RV64)
function c(mn: string, match: number, mask: number, syntax: string, expansion: Expansion, ext: Extension = 'C', alsoFrom?: Expansion[]): void {
  const rw = row(mn, ext, match, mask, syntax, 2);
  rw.expansion = expansion;
  if (alsoFrom) rw.alsoFrom = alsoFrom;
}
const e = (mnemonic: string, map: Expansion['map']): Expansion => ({ mnemonic, map });
const Q = 0xe003; // funct3 + quadrant
// quadrant 0
c('c.addi4spn', 0x0000, Q, 'crdp,sp,cimm4spn', e('addi', { rd: 'rd', rs1: 2, imm: 'imm' }));
c('c.fld', 0x2000, Q, 'cfrdp,cuimmd(crs1p)', e('fld', { rd: 'rd', rs1: 'rs1', imm: 'imm' }), 'D');
c('c.lw', 0x4000, Q, 'crdp,cuimmw(crs1p)', e('lw', { rd: 'rd', rs1: 'rs1', imm: 'imm' }));
c('c.ld', 0x6000, Q, 'crdp,cuimmd(crs1p)', e('ld', { rd: 'rd', rs1: 'rs1', imm: 'imm' }));
c('c.fsd', 0xa000, Q, 'cfrs2p,cuimmd(crs1p)', e('fsd', { rs2: 'rs2', rs1: 'rs1', imm: 'imm' }), 'D');
c('c.sw', 0xc000, Q, 'crs2p,cuimmw(crs1p)', e('sw', { rs2: 'rs2', rs1: 'rs1', imm: 'imm' }));
c('c.sd', 0xe000, Q, 'crs2p,cuimmd(crs1p)', e('sd', { rs2: 'rs2', rs1: 'rs1', imm: 'imm' }));
// quadrant 1
row('c.unimp', 'C', 0x0000, 0xffff, '', 2); // the defined illegal instruction (all zeros)
c('c.nop', 0x0001, 0xffff, '', e('addi', { rd: 0, rs1: 0, imm: 0 }));
c('c.addi', 0x0001, Q, 'crd,cimm6nz', e('addi', { rd: 'rd', rs1: 'rd', imm: 'imm' }));
c('c.addiw', 0x2001, Q, 'crd,cimm6', e('addiw', { rd: 'rd', rs1: 'rd', imm: 'imm' }));
c('c.li', 0x4001, Q, 'crd,cimm6', e('addi', { rd: 'rd', rs1: 0, imm: 'imm' }), 'C', [e('addiw', { rd: 'rd', rs1: 0, imm: 'imm' })]);
c('c.addi16sp', 0x6101, 0xef83, 'sprd,cimm16sp', e('addi', { rd: 2, rs1: 2, imm: 'imm' }));
c('c.lui', 0x6001, Q, 'crd02,cluiimm', e('lui', { rd: 'rd', imm: 'imm' }));
c('c.srli', 0x8001, 0xec03, 'crdp9,cshamt', e('srli', { rd: 'rd', rs1: 'rd', imm: 'imm' }));
c('c.srai', 0x8401, 0xec03, 'crdp9,cshamt', e('srai', { rd: 'rd', rs1: 'rd', imm: 'imm' }));
c('c.andi', 0x8801, 0xec03, 'crdp9,cimm6', e('andi', { rd: 'rd', rs1: 'rd', imm: 'imm' }));
const commuted = (mn: string): Expansion[] => [e(mn, { rd: 'rd', rs1: 'rs2', rs2: 'rd' })];
c('c.sub', 0x8c01, 0xfc63, 'crdp9,crs2p', e('sub', { rd: 'rd', rs1: 'rd', rs2: 'rs2' }));
c('c.xor', 0x8c21, 0xfc63, 'crdp9,crs2p', e('xor', { rd: 'rd', rs1: 'rd', rs2: 'rs2' }), 'C', commuted('xor'));
c('c.or', 0x8c41, 0xfc63, 'crdp9,crs2p', e('or', { rd: 'rd', rs1: 'rd', rs2: 'rs2' }), 'C', commuted('or'));
c('c.and', 0x8c61, 0xfc63, 'crdp9,crs2p', e('and', { rd: 'rd', rs1: 'rd', rs2: 'rs2' }), 'C', commuted('and'));
c('c.subw', 0x9c01, 0xfc63, 'crdp9,crs2p', e('subw', { rd: 'rd', rs1: 'rd', rs2: 'rs2' }));
c('c.addw', 0x9c21, 0xfc63, 'crdp9,crs2p', e('addw', { rd: 'rd', rs1: 'rd', rs2: 'rs2' }), 'C', commuted('addw'));
c('c.j', 0xa001, Q, 'cj12', e('jal', { rd: 0, imm: 'imm' }));
c('c.beqz', 0xc001, Q, 'crs1p,cb9', e('beq', { rs1: 'rs1', rs2: 0, imm: 'imm' }));
c('c.bnez', 0xe001, Q, 'crs1p,cb9', e('bne', { rs1: 'rs1', rs2: 0, imm: 'imm' }));
// quadrant 2
c('c.slli', 0x0002, Q, 'crd,cshamt', e('slli', { rd: 'rd', rs1: 'rd', imm: 'imm' }));
c('c.fldsp', 0x2002, Q, 'cfrd,cuimmldsp(sp)', e('fld', { rd: 'rd', rs1: 2, imm: 'imm' }), 'D');
c('c.lwsp', 0x4002, Q, 'crd,cuimmlwsp(sp)', e('lw', { rd: 'rd', rs1: 2, imm: 'imm' }));
c('c.ldsp', 0x6002, Q, 'crd,cuimmldsp(sp)', e('ld', { rd: 'rd', rs1: 2, imm: 'imm' }));
c('c.jr', 0x8002, 0xf07f, 'crs1', e('jalr', { rd: 0, rs1: 'rs1', imm: 0 }));
c('c.mv', 0x8002, 0xf003, 'crd,crs2', e('add', { rd: 'rd', rs1: 0, rs2: 'rs2' }), 'C', [e('addi', { rd: 'rd', rs1: 'rs2', imm: 0 })]);
c('c.ebreak', 0x9002, 0xffff, '', e('ebreak', {}));
c('c.jalr', 0x9002, 0xf07f, 'crs1', e('jalr', { rd: 1, rs1: 'rs1', imm: 0 }));
c('c.add', 0x9002, 0xf003, 'crd,crs2', e('add', { rd: 'rd', rs1: 'rd', rs2: 'rs2' }), 'C', commuted('add'));
c('c.fsdsp', 0xa002, Q, 'cfrs2,cuimmsdsp(sp)', e('fsd', { rs2: 'rs2', rs1: 2, imm: 'imm' }), 'D');
c('c.swsp', 0xc002, Q, 'crs2z,cuimmswsp(sp)', e('sw', { rs2: 'rs2', rs1: 2, imm: 'imm' }));
c('c.sdsp', 0xe002, Q, 'crs2z,cuimmsdsp(sp)', e('sd', { rs2: 'rs2', rs1: 2, imm: 'imm' }));

/** Every instruction row, in table order. */
export const INSN_TABLE: readonly InsnRow[] = ROWS;

const BY_MNEMONIC = new Map<string, InsnRow>(ROWS.map((rw) => [rw.mnemonic, rw]));

/** The row of a mnemonic (`addi`, `c.lw`, `amoadd.w.aqrl`), or undefined. */
export function insnRow(mnemonic: string): InsnRow | undefined {
  return BY_MNEMONIC.get(mnemonic.toLowerCase());
}
