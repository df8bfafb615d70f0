// Pseudo-instructions of GNU as (li, la, call, ret, mv, beqz, csrr, ...) as expansions into table rows.
import { csrNumber } from '../csrs.js';
import type { Fields } from '../operands.js';
import type { Extension } from '../table.js';
import type { Arg, ExpandContext, InsnForm, MachineInsn } from './forms.js';
import { parseFormSyntax } from './forms.js';
import { liSequence } from './li.js';
import { hi20, lo12 } from './expr.js';

const ZERO = 0;
const RA = 1;
const T1 = 6;

const m = (mnemonic: string, fields: Fields, mode: MachineInsn['mode'] = 'auto'): MachineInsn => ({ mnemonic, fields, mode });

const reg = (a: Arg | undefined): number => (a && (a.cls === 'x' || a.cls === 'f') ? a.reg : 0);

function exprOf(a: Arg | undefined): Extract<Arg, { cls: 'e' }>['expr'] {
  if (!a || a.cls !== 'e') throw new Error('internal: expected an expression argument');
  return a.expr;
}

/** Branch/jump target: a label gives pc-relative offset; a plain number is the offset itself. */
function target(a: Arg | undefined, x: ExpandContext): { off: number; mode: MachineInsn['mode'] } {
  const v = x.value(exprOf(a));
  return v.relocatable ? { off: Number(v.value) - x.pc, mode: 'relax' } : { off: Number(v.value), mode: 'auto' };
}

/** auipc-relative split of the distance from pc to an address. */
function pcrel(a: Arg | undefined, x: ExpandContext): { hi: number; lo: number } {
  const delta = x.value(exprOf(a)).value - BigInt(x.pc);
  return { hi: Number(hi20(delta)), lo: Number(lo12(delta)) };
}

type Expand = (args: Arg[], x: ExpandContext) => MachineInsn[];

const FORMS: InsnForm[] = [];
function p(mnemonic: string, syntax: string, expand: Expand, ext: Extension = 'I'): void {
  FORMS.push({ mnemonic, ext, groups: parseFormSyntax(syntax), expand });
}

p('nop', '', () => [m('addi', { rd: ZERO, rs1: ZERO, imm: 0 })]);
p('li', 'x,e', ([d, e], x) => {
  const v = x.value(exprOf(e));
  const rd = reg(d);
  return liSequence(v.value).map((s, idx) =>
    m(s.op, s.op === 'lui' ? { rd, imm: s.imm } : { rd, rs1: idx === 0 ? ZERO : rd, imm: s.imm }, v.relocatable ? 'never' : 'auto'),
  );
});
for (const mn of ['la', 'lla']) {
  p(mn, 'x,e', ([d, e], x) => {
    const { hi, lo } = pcrel(e, x);
    return [m('auipc', { rd: reg(d), imm: hi }, 'never'), m('addi', { rd: reg(d), rs1: reg(d), imm: lo }, 'never')];
  });
}
p('call', 'e', ([e], x) => {
  const { hi, lo } = pcrel(e, x);
  return [m('auipc', { rd: RA, imm: hi }, 'never'), m('jalr', { rd: RA, rs1: RA, imm: lo }, 'never')];
});
p('call', 'x,e', ([d, e], x) => {
  const { hi, lo } = pcrel(e, x);
  return [m('auipc', { rd: reg(d), imm: hi }, 'never'), m('jalr', { rd: reg(d), rs1: reg(d), imm: lo }, 'never')];
});
p('tail', 'e', ([e], x) => {
  const { hi, lo } = pcrel(e, x);
  return [m('auipc', { rd: T1, imm: hi }, 'never'), m('jalr', { rd: ZERO, rs1: T1, imm: lo }, 'never')];
});
p('ret', '', () => [m('jalr', { rd: ZERO, rs1: RA, imm: 0 })]);
p('jr', 'x', ([s]) => [m('jalr', { rd: ZERO, rs1: reg(s), imm: 0 })]);
p('jr', 'x,e', ([s, e], x) => [m('jalr', { rd: ZERO, rs1: reg(s), imm: Number(x.value(exprOf(e)).value) })]);
p('jr', 'e(x)', ([e, s], x) => [m('jalr', { rd: ZERO, rs1: reg(s), imm: Number(x.value(exprOf(e)).value) })]);
p('jalr', 'e(x)', ([e, s], x) => [m('jalr', { rd: RA, rs1: reg(s), imm: Number(x.value(exprOf(e)).value) })]);
p('jalr', 'x', ([s]) => [m('jalr', { rd: RA, rs1: reg(s), imm: 0 })]);
p('jalr', 'x,x', ([d, s]) => [m('jalr', { rd: reg(d), rs1: reg(s), imm: 0 })]);
p('jalr', 'x,x,e', ([d, s, e], x) => [m('jalr', { rd: reg(d), rs1: reg(s), imm: Number(x.value(exprOf(e)).value) })]);
p('j', 'e', ([e], x) => {
  const t = target(e, x);
  return [m('jal', { rd: ZERO, imm: t.off }, t.mode)];
});
p('jal', 'e', ([e], x) => {
  const t = target(e, x);
  return [m('jal', { rd: RA, imm: t.off }, t.mode)];
});

// register-to-register aliases
const unary: Array<[string, (d: number, s: number) => MachineInsn[]]> = [
  ['mv', (d, s) => [m('addi', { rd: d, rs1: s, imm: 0 })]],
  ['not', (d, s) => [m('xori', { rd: d, rs1: s, imm: -1 })]],
  ['neg', (d, s) => [m('sub', { rd: d, rs1: ZERO, rs2: s })]],
  ['negw', (d, s) => [m('subw', { rd: d, rs1: ZERO, rs2: s })]],
  ['sext.w', (d, s) => [m('addiw', { rd: d, rs1: s, imm: 0 })]],
  ['seqz', (d, s) => [m('sltiu', { rd: d, rs1: s, imm: 1 })]],
  ['snez', (d, s) => [m('sltu', { rd: d, rs1: ZERO, rs2: s })]],
  ['sltz', (d, s) => [m('slt', { rd: d, rs1: s, rs2: ZERO })]],
  ['sgtz', (d, s) => [m('slt', { rd: d, rs1: ZERO, rs2: s })]],
  ['zext.b', (d, s) => [m('andi', { rd: d, rs1: s, imm: 255 })]],
  ['zext.w', (d, s) => [m('slli', { rd: d, rs1: s, imm: 32 }), m('srli', { rd: d, rs1: d, imm: 32 })]],
];
for (const [mn, f] of unary) p(mn, 'x,x', ([d, s]) => f(reg(d), reg(s)));

// branches against zero and with swapped operands
const zeroBranches: Array<[string, string, boolean]> = [
  ['beqz', 'beq', false], ['bnez', 'bne', false], ['blez', 'bge', true], ['bgez', 'bge', false], ['bltz', 'blt', false], ['bgtz', 'blt', true],
];
for (const [mn, base, swap] of zeroBranches) {
  p(mn, 'x,e', ([s, e], x) => {
    const t = target(e, x);
    return [m(base, swap ? { rs1: ZERO, rs2: reg(s), imm: t.off } : { rs1: reg(s), rs2: ZERO, imm: t.off }, t.mode)];
  });
}
for (const [mn, base] of [['bgt', 'blt'], ['ble', 'bge'], ['bgtu', 'bltu'], ['bleu', 'bgeu']] as const) {
  p(mn, 'x,x,e', ([a, b, e], x) => {
    const t = target(e, x);
    return [m(base, { rs1: reg(b), rs2: reg(a), imm: t.off }, t.mode)];
  });
}

// CSR aliases
p('csrr', 'x,csr', ([d, c], x) => [m('csrrs', { rd: reg(d), csr: x.csr(c!), rs1: ZERO })], 'Zicsr');
for (const [mn, base] of [['csrw', 'csrrw'], ['csrs', 'csrrs'], ['csrc', 'csrrc']] as const) {
  p(mn, 'csr,x', ([c, s], x) => [m(base, { rd: ZERO, csr: x.csr(c!), rs1: reg(s) })], 'Zicsr');
  p(mn, 'csr,e', ([c, e], x) => [m(`${base}i`, { rd: ZERO, csr: x.csr(c!), imm: Number(x.value(exprOf(e)).value) })], 'Zicsr');
  p(base, 'x,csr,e', ([d, c, e], x) => [m(`${base}i`, { rd: reg(d), csr: x.csr(c!), imm: Number(x.value(exprOf(e)).value) })], 'Zicsr');
  p(`${mn}i`, 'csr,e', ([c, e], x) => [m(`${base}i`, { rd: ZERO, csr: x.csr(c!), imm: Number(x.value(exprOf(e)).value) })], 'Zicsr');
}
for (const name of ['cycle', 'time', 'instret']) {
  p(`rd${name}`, 'x', ([d]) => [m('csrrs', { rd: reg(d), csr: csrNumber(name)!, rs1: ZERO })], 'Zicsr');
}
p('fence', '', () => [m('fence', { pred: 15, succ: 15 })]);
p('sfence.vma', '', () => [m('sfence.vma', { rs1: ZERO, rs2: ZERO })], 'priv');
p('sfence.vma', 'x', ([s]) => [m('sfence.vma', { rs1: reg(s), rs2: ZERO })], 'priv');
// like gas and LLVM: c.unimp (0x0000) when compressing, else csrrw zero, cycle, zero
p('unimp', '', (_, x) => [x.exts.has('C') ? m('c.unimp', {}, 'never') : m('csrrw', { rd: ZERO, csr: 0xc00, rs1: ZERO }, 'never')]);

// loads and stores of a symbol's address (auipc + access)
const LOADS: Array<[string, 'x' | 'f', Extension]> = [
  ['lb', 'x', 'I'], ['lh', 'x', 'I'], ['lw', 'x', 'I'], ['ld', 'x', 'I'], ['lbu', 'x', 'I'], ['lhu', 'x', 'I'], ['lwu', 'x', 'I'],
  ['flw', 'f', 'F'], ['fld', 'f', 'D'],
];
for (const [mn, cls, ext] of LOADS) {
  if (cls === 'x') {
    p(mn, 'x,e', ([d, e], x) => {
      const { hi, lo } = pcrel(e, x);
      return [m('auipc', { rd: reg(d), imm: hi }, 'never'), m(mn, { rd: reg(d), rs1: reg(d), imm: lo }, 'never')];
    }, ext);
  }
  p(mn, `${cls},e,x`, ([d, e, t], x) => {
    const { hi, lo } = pcrel(e, x);
    return [m('auipc', { rd: reg(t), imm: hi }, 'never'), m(mn, { rd: reg(d), rs1: reg(t), imm: lo }, 'never')];
  }, ext);
}
for (const [mn, cls, ext] of [['sb', 'x', 'I'], ['sh', 'x', 'I'], ['sw', 'x', 'I'], ['sd', 'x', 'I'], ['fsw', 'f', 'F'], ['fsd', 'f', 'D']] as const) {
  p(mn, `${cls},e,x`, ([s, e, t], x) => {
    const { hi, lo } = pcrel(e, x);
    return [m('auipc', { rd: reg(t), imm: hi }, 'never'), m(mn, { rs2: reg(s), rs1: reg(t), imm: lo }, 'never')];
  }, ext);
}

// floating-point aliases
for (const [sfx, ext] of [['s', 'F'], ['d', 'D']] as const) {
  for (const [mn, base] of [['fmv', 'fsgnj'], ['fneg', 'fsgnjn'], ['fabs', 'fsgnjx']]) {
    p(`${mn}.${sfx}`, 'f,f', ([d, s]) => [m(`${base}.${sfx}`, { rd: reg(d), rs1: reg(s), rs2: reg(s) })], ext);
  }
}
for (const [name, csr] of [['csr', 3], ['rm', 2], ['flags', 1]] as const) {
  p(`fr${name}`, 'x', ([d]) => [m('csrrs', { rd: reg(d), csr, rs1: ZERO })], 'F');
  p(`fs${name}`, 'x', ([s]) => [m('csrrw', { rd: ZERO, csr, rs1: reg(s) })], 'F');
  p(`fs${name}`, 'x,x', ([d, s]) => [m('csrrw', { rd: reg(d), csr, rs1: reg(s) })], 'F');
}

/** Every pseudo-instruction form. */
export const PSEUDO_FORMS: readonly InsnForm[] = FORMS;
