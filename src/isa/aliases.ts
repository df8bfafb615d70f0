// objdump's preferred spellings (nop, li, mv, ret, j, beqz, csrr, ...) of decoded 32-bit instructions.
import type { Fields } from './operands.js';

/** One alias operand: a register or immediate field, or a rendering hint. */
export type AliasOperand =
  | { k: 'x' | 'f'; field: 'rd' | 'rs1' | 'rs2' }
  | { k: 'imm' | 'target' | 'csr' | 'uhex' }
  | { k: 'mem' };

export interface Alias {
  mnemonic: string;
  operands: AliasOperand[];
}

const x = (field: 'rd' | 'rs1' | 'rs2'): AliasOperand => ({ k: 'x', field });
const f = (field: 'rd' | 'rs1' | 'rs2'): AliasOperand => ({ k: 'f', field });
const IMM: AliasOperand = { k: 'imm' };
const TARGET: AliasOperand = { k: 'target' };
const CSR: AliasOperand = { k: 'csr' };
const MEM: AliasOperand = { k: 'mem' };
const a = (mnemonic: string, ...operands: AliasOperand[]): Alias => ({ mnemonic, operands });

type Rule = (fl: Required<Fields>, fromCompressed: boolean) => Alias | undefined;

const CSR_READ_ALIASES: Record<number, string> = { 0xc00: 'rdcycle', 0xc01: 'rdtime', 0xc02: 'rdinstret', 0x003: 'frcsr', 0x002: 'frrm', 0x001: 'frflags' };
const CSR_WRITE_ALIASES: Record<number, string> = { 0x003: 'fscsr', 0x002: 'fsrm', 0x001: 'fsflags' };

const RULES: Record<string, Rule> = {
  addi: (fl) =>
    fl.rd === 0 && fl.rs1 === 0 && fl.imm === 0 ? a('nop') : fl.rs1 === 0 ? a('li', x('rd'), IMM) : fl.imm === 0 ? a('mv', x('rd'), x('rs1')) : undefined,
  addiw: (fl) => (fl.imm === 0 ? a('sext.w', x('rd'), x('rs1')) : undefined),
  xori: (fl) => (fl.imm === -1 ? a('not', x('rd'), x('rs1')) : undefined),
  add: (fl, c) => (c && fl.rs1 === 0 ? a('mv', x('rd'), x('rs2')) : undefined),
  sub: (fl) => (fl.rs1 === 0 ? a('neg', x('rd'), x('rs2')) : undefined),
  subw: (fl) => (fl.rs1 === 0 ? a('negw', x('rd'), x('rs2')) : undefined),
  sltiu: (fl) => (fl.imm === 1 ? a('seqz', x('rd'), x('rs1')) : undefined),
  sltu: (fl) => (fl.rs1 === 0 ? a('snez', x('rd'), x('rs2')) : undefined),
  slt: (fl) => (fl.rs2 === 0 ? a('sltz', x('rd'), x('rs1')) : fl.rs1 === 0 ? a('sgtz', x('rd'), x('rs2')) : undefined),
  beq: (fl) => (fl.rs2 === 0 ? a('beqz', x('rs1'), TARGET) : undefined),
  bne: (fl) => (fl.rs2 === 0 ? a('bnez', x('rs1'), TARGET) : undefined),
  bge: (fl) => (fl.rs1 === 0 ? a('blez', x('rs2'), TARGET) : fl.rs2 === 0 ? a('bgez', x('rs1'), TARGET) : undefined),
  blt: (fl) => (fl.rs2 === 0 ? a('bltz', x('rs1'), TARGET) : fl.rs1 === 0 ? a('bgtz', x('rs2'), TARGET) : undefined),
  jal: (fl) => (fl.rd === 0 ? a('j', TARGET) : fl.rd === 1 ? a('jal', TARGET) : undefined),
  jalr: (fl) =>
    fl.rd === 0 && fl.rs1 === 1 && fl.imm === 0
      ? a('ret')
      : fl.rd === 0 || fl.rd === 1
        ? a(fl.rd === 0 ? 'jr' : 'jalr', fl.imm === 0 ? x('rs1') : MEM)
        : undefined,
  csrrs: (fl) =>
    fl.rs1 === 0 ? (CSR_READ_ALIASES[fl.csr] ? a(CSR_READ_ALIASES[fl.csr]!, x('rd')) : a('csrr', x('rd'), CSR)) : fl.rd === 0 ? a('csrs', CSR, x('rs1')) : undefined,
  csrrw: (fl) => (fl.rd === 0 ? (CSR_WRITE_ALIASES[fl.csr] ? a(CSR_WRITE_ALIASES[fl.csr]!, x('rs1')) : a('csrw', CSR, x('rs1'))) : undefined),
  csrrc: (fl) => (fl.rd === 0 ? a('csrc', CSR, x('rs1')) : undefined),
  csrrwi: (fl) => (fl.rd === 0 ? a('csrwi', CSR, IMM) : undefined),
  csrrsi: (fl) => (fl.rd === 0 ? a('csrsi', CSR, IMM) : undefined),
  csrrci: (fl) => (fl.rd === 0 ? a('csrci', CSR, IMM) : undefined),
  'c.unimp': () => a('unimp'),
  fence: (fl) => (fl.pred === 15 && fl.succ === 15 ? a('fence') : undefined),
  'sfence.vma': (fl) => (fl.rs2 === 0 ? (fl.rs1 === 0 ? a('sfence.vma') : a('sfence.vma', x('rs1'))) : undefined),
};
for (const p of ['s', 'd']) {
  for (const [base, alias] of [['fsgnj', 'fmv'], ['fsgnjn', 'fneg'], ['fsgnjx', 'fabs']]) {
    RULES[`${base}.${p}`] = (fl) => (fl.rs1 === fl.rs2 ? a(`${alias}.${p}`, f('rd'), f('rs1')) : undefined);
  }
}

/** The alias objdump prints for a 32-bit instruction, if any. */
export function findAlias(mnemonic: string, fields: Fields, fromCompressed: boolean): Alias | undefined {
  const rule = RULES[mnemonic];
  if (!rule) return undefined;
  const full = { rd: 0, rs1: 0, rs2: 0, rs3: 0, imm: 0, csr: 0, rm: 7, pred: 0, succ: 0, ...fields } as Required<Fields>;
  return rule(full, fromCompressed);
}
