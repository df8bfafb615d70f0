// Instruction forms the assembler accepts (table rows and pseudo-instructions) and the parsing of
// their operand text into arguments (registers, expressions, CSR names, fence sets, rounding modes).
import { csrNumber } from '../csrs.js';
import { fenceSet } from '../encode.js';
import type { Fields, OperandClass } from '../operands.js';
import { ROUNDING_MODES } from '../operands.js';
import { fRegNumber, xRegNumber } from '../registers.js';
import { type Extension, INSN_TABLE, type InsnRow } from '../table.js';
import { type Expr, type ExprValue, ExprSyntaxError, type LocalLabelResolver, parseExpr } from './expr.js';
import type { TextSpan } from './source.js';

/** Argument classes of assembly syntax. */
export type ArgClass = 'x' | 'f' | 'e' | 'csr' | 'fence' | 'rm';

export interface FormGroup {
  form: 'plain' | 'offset' | 'paren';
  classes: ArgClass[];
  optional: boolean;
}

export type Arg =
  | { cls: 'x' | 'f'; reg: number; span: TextSpan }
  | { cls: 'e'; expr: Expr; span: TextSpan }
  | { cls: 'csr'; csr?: number; expr?: Expr; span: TextSpan }
  | { cls: 'fence' | 'rm'; value: number; span: TextSpan };

/** One machine instruction produced by a form, before compression and encoding. */
export interface MachineInsn {
  mnemonic: string;
  fields: Fields;
  /** auto: compress when rvc is on; never: keep 32-bit (address-dependent); relax: branch to a label. */
  mode: 'auto' | 'never' | 'relax';
}

/** What expanding a form may ask of the assembler. */
export interface ExpandContext {
  /** Address of the first instruction of the form. */
  pc: number;
  /** Evaluate an expression with `.` = pc. */
  value(e: Expr): ExprValue;
  /** Evaluate a CSR argument to its number. */
  csr(a: Arg): number;
  /** Extensions enabled at this statement (C = compression on). */
  exts: ReadonlySet<Extension>;
}

export interface InsnForm {
  mnemonic: string;
  ext: Extension;
  groups: FormGroup[];
  /** Table row (real instruction) ... */
  row?: InsnRow;
  /** ... or pseudo-instruction expansion. */
  expand?: (args: Arg[], x: ExpandContext) => MachineInsn[];
}

const CLASS_OF: Record<OperandClass, ArgClass> = { xreg: 'x', freg: 'f', imm: 'e', pcrel: 'e', csr: 'csr', fence: 'fence', rm: 'rm' };

/** Parse a pseudo/form syntax string: 'x,e(x)', 'f,f,f[,rm]', '(x)', ''. */
export function parseFormSyntax(text: string): FormGroup[] {
  if (text === '') return [];
  let optional = false;
  return text
    .replace('[,', ',[')
    .split(',')
    .map((part) => {
      if (part.startsWith('[')) optional = true;
      part = part.replace(/[[\]]/g, '');
      const m = /^(\w*)\((\w+)\)$/.exec(part);
      if (m && m[1]) return { form: 'offset' as const, classes: [m[1] as ArgClass, m[2] as ArgClass], optional };
      if (m) return { form: 'paren' as const, classes: [m[2] as ArgClass], optional };
      return { form: 'plain' as const, classes: [part as ArgClass], optional };
    });
}

/** The form of a table row. */
export function rowForm(row: InsnRow): InsnForm {
  return {
    mnemonic: row.mnemonic,
    ext: row.ext,
    row,
    groups: row.syntax.map((g) => ({ form: g.form, classes: g.kinds.map((k) => CLASS_OF[k.cls]), optional: g.optional })),
  };
}

export const ROW_FORMS: readonly InsnForm[] = INSN_TABLE.map(rowForm);

/** A problem with one operand: message and the span it is about. */
export class OperandError extends Error {
  constructor(
    message: string,
    readonly span: TextSpan,
  ) {
    super(message);
  }
}

function parseExprSpan(span: TextSpan, local: LocalLabelResolver): Expr {
  try {
    return parseExpr(span.text, local);
  } catch (e) {
    if (e instanceof ExprSyntaxError) throw new OperandError(e.message, { text: span.text, column: span.column + e.offset });
    throw e;
  }
}

function parseOne(cls: ArgClass, span: TextSpan, local: LocalLabelResolver): Arg {
  const t = span.text;
  switch (cls) {
    case 'x': {
      const reg = xRegNumber(t);
      if (reg === undefined) throw new OperandError(`expected an integer register, got '${t}'`, span);
      return { cls, reg, span };
    }
    case 'f': {
      const reg = fRegNumber(t);
      if (reg === undefined) throw new OperandError(`expected a floating-point register, got '${t}'`, span);
      return { cls, reg, span };
    }
    case 'e':
      if (t === '') throw new OperandError('expected an expression', span);
      // integer register names are never symbols (f0.. may be: generated code names functions that way)
      if (xRegNumber(t) !== undefined) throw new OperandError(`expected an immediate or symbol, got register '${t}'`, span);
      return { cls, expr: parseExprSpan(span, local), span };
    case 'csr': {
      const csr = csrNumber(t);
      if (csr !== undefined) return { cls, csr, span };
      if (xRegNumber(t) !== undefined) throw new OperandError(`expected a CSR name or number, got register '${t}'`, span);
      return { cls, expr: parseExprSpan(span, local), span };
    }
    case 'fence': {
      const value = fenceSet(t);
      if (value === undefined) throw new OperandError(`expected a fence set like 'iorw' or 'rw', got '${t}'`, span);
      return { cls, value, span };
    }
    case 'rm': {
      const value = ROUNDING_MODES.indexOf(t.toLowerCase());
      if (value < 0 || t === '') throw new OperandError(`expected a rounding mode (rne, rtz, rdn, rup, rmm, dyn), got '${t}'`, span);
      return { cls, value, span };
    }
  }
}

/** Match operand spans against a form's groups; throws OperandError on mismatch. */
export function parseArgs(form: InsnForm, ops: TextSpan[], local: LocalLabelResolver, at: TextSpan): Arg[] {
  const required = form.groups.filter((g) => !g.optional).length;
  if (ops.length < required || ops.length > form.groups.length) {
    const want = required === form.groups.length ? `${required}` : `${required} to ${form.groups.length}`;
    throw new OperandError(`'${form.mnemonic}' expects ${want} operand(s), got ${ops.length}`, ops[0] ?? at);
  }
  const args: Arg[] = [];
  ops.forEach((span, idx) => {
    const g = form.groups[idx]!;
    if (g.form === 'plain') {
      args.push(parseOne(g.classes[0]!, span, local));
      return;
    }
    const t = span.text;
    const open = t.lastIndexOf('(');
    if (!t.endsWith(')') || open < 0) throw new OperandError(`expected an operand of the form ${g.form === 'paren' ? '(reg)' : 'offset(reg)'}, got '${t}'`, span);
    const inner = { text: t.slice(open + 1, -1).trim(), column: span.column + open + 1 };
    const before = { text: t.slice(0, open).trim(), column: span.column };
    if (g.form === 'paren') {
      if (before.text !== '' && !/^0+$/.test(before.text)) throw new OperandError(`offset must be 0 here, got '${before.text}'`, before);
      args.push(parseOne(g.classes[0]!, inner, local));
    } else {
      const expr: Arg = before.text === '' ? { cls: 'e', expr: { t: 'num', v: 0n }, span: before } : parseOne('e', before, local);
      args.push(expr, parseOne(g.classes[1]!, inner, local));
    }
  });
  return args;
}

const toNum = (v: bigint): number => Number(v);

/** Expansion of a table row: one machine instruction whose fields come straight from the arguments. */
export function expandRow(row: InsnRow, args: Arg[], x: ExpandContext): MachineInsn {
  const fields: Fields = {};
  let mode: MachineInsn['mode'] = 'auto';
  row.operands.forEach((kind, idx) => {
    const a = args[idx];
    if (!a) return; // optional rounding mode: encoder default
    if (a.cls === 'x' || a.cls === 'f') fields[kind.field] = a.reg;
    else if (a.cls === 'fence' || a.cls === 'rm') fields[kind.field] = a.value;
    else if (a.cls === 'csr') fields[kind.field] = x.csr(a);
    else if (a.cls === 'e') {
      const v = x.value(a.expr);
      if (kind.cls === 'pcrel') {
        // a label target becomes an offset; a plain number already is one (llvm-mc semantics)
        fields[kind.field] = v.relocatable ? toNum(v.value) - x.pc : toNum(v.value);
        if (v.relocatable) mode = 'relax';
      } else {
        fields[kind.field] = toNum(v.value);
        if (v.relocatable && mode === 'auto') mode = 'never';
      }
    }
  });
  if (row.length === 2) mode = 'never';
  return { mnemonic: row.mnemonic, fields, mode };
}
