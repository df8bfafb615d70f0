// Parser: raw statements -> per-section statement lists, symbol attributes (.globl/.type/...) and
// assembler options (.option), resolving numeric local labels by textual position.
import { type AsmDiagnostic } from '../errors.js';
import type { Extension } from '../table.js';
import { type Expr, ExprSyntaxError, type LocalLabelResolver, parseExpr } from './expr.js';
import { type InsnForm, OperandError, ROW_FORMS, parseArgs } from './forms.js';
import { editArch } from './march.js';
import { PSEUDO_FORMS } from './pseudo.js';
import { type RawStatement, type SourceLoc, type TextSpan, splitStatements } from './source.js';
import { type SectionState, type Stmt, type StmtInit, newSection } from './statements.js';

export interface SymbolAttrs {
  binding?: 'local' | 'global' | 'weak';
  type?: 'func' | 'object' | 'notype';
}

export interface ParsedSource {
  sections: Map<string, SectionState>;
  attrs: Map<string, SymbolAttrs>;
  diagnostics: AsmDiagnostic[];
}

const FORMS = new Map<string, InsnForm[]>();
for (const f of [...ROW_FORMS, ...PSEUDO_FORMS]) {
  const list = FORMS.get(f.mnemonic) ?? [];
  list.push(f);
  FORMS.set(f.mnemonic, list);
}

const IGNORED = new Set([
  '.file', '.ident', '.attribute', '.loc', '.addrsig', '.addrsig_sym', '.cfi_startproc', '.cfi_endproc', '.cfi_def_cfa_offset',
  '.cfi_offset', '.cfi_restore', '.cfi_def_cfa', '.cfi_sections', '.cfi_remember_state', '.cfi_restore_state', '.cfi_adjust_cfa_offset',
  '.cfi_rel_offset', '.cfi_signal_frame', '.cfi_register', '.cfi_def_cfa_register', '.cfi_escape', '.cfi_undefined', '.cfi_same_value',
  '.cfi_return_column', '.cfi_window_save', '.cfi_personality', '.cfi_lsda', '.cfi_val_offset', '.cfi_rel_offset', '.end', '.hidden',
  '.protected', '.internal', '.nops_placeholder',
]);

const DATA_WIDTH: Record<string, 1 | 2 | 4 | 8> = {
  '.byte': 1, '.half': 2, '.2byte': 2, '.short': 2, '.hword': 2, '.word': 4, '.4byte': 4, '.long': 4, '.int': 4,
  '.dword': 8, '.8byte': 8, '.quad': 8,
};

class ParseFail extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

/** Decode the string literals of .ascii/.asciz/.string operands. */
function parseStrings(ops: TextSpan[]): Uint8Array[] {
  const enc = new TextEncoder();
  return ops.map((op) => {
    const t = op.text;
    if (!/^".*"$/s.test(t) || t.length < 2) throw new ParseFail('ASM_SYNTAX', `expected a string literal, got '${t}'`, op.column);
    const bytes: number[] = [];
    const body = t.slice(1, -1);
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch !== '\\') {
        bytes.push(...enc.encode(ch));
        continue;
      }
      const c = body[++i] ?? '';
      const simple: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, '\\': 92, '"': 34, "'": 39 };
      if (c in simple) bytes.push(simple[c]!);
      else if (/[0-7]/.test(c)) {
        const m = /^[0-7]{1,3}/.exec(body.slice(i))![0];
        bytes.push(parseInt(m, 8) & 0xff);
        i += m.length - 1;
      } else if (c === 'x') {
        const m = /^[0-9a-fA-F]+/.exec(body.slice(i + 1));
        if (!m) throw new ParseFail('ASM_SYNTAX', 'bad \\x escape', op.column + i);
        bytes.push(parseInt(m[0].slice(-2), 16));
        i += m[0].length;
      } else bytes.push(c.charCodeAt(0));
    }
    return Uint8Array.from(bytes);
  });
}

/** Parse a whole source text. */
export function parseSource(src: string, file: string, startExts: ReadonlySet<Extension>): ParsedSource {
  const sections = new Map<string, SectionState>();
  const attrs = new Map<string, SymbolAttrs>();
  const diagnostics: AsmDiagnostic[] = [];
  const defined = new Set<string>();
  const localCount = new Map<string, number>();
  const localLabel: LocalLabelResolver = (num, dir) => {
    const n = (localCount.get(num) ?? 0) + (dir === 'f' ? 1 : 0);
    return n === 0 ? `${num}b (no earlier definition)` : `.L${num}\u0002${n}`;
  };
  const section = (name: string, flags?: string, type?: string): SectionState => {
    let s = sections.get(name);
    if (!s) sections.set(name, (s = newSection(name, flags, type)));
    return s;
  };
  section('.text');
  let cur = section('.text');
  let previous = cur;
  const sectionStack: SectionState[] = [];
  let exts: ReadonlySet<Extension> = startExts;
  const optionStack: Array<ReadonlySet<Extension>> = [];

  const attr = (name: string): SymbolAttrs => {
    let a = attrs.get(name);
    if (!a) attrs.set(name, (a = {}));
    return a;
  };

  const expr = (span: TextSpan | undefined, what: string, at: number): Expr => {
    if (!span || span.text === '') throw new ParseFail('ASM_SYNTAX', `expected ${what}`, span?.column ?? at);
    try {
      return parseExpr(span.text, localLabel);
    } catch (e) {
      if (e instanceof ExprSyntaxError) throw new ParseFail('ASM_SYNTAX', e.message, span.column + e.offset);
      throw e;
    }
  };
  const symName = (span: TextSpan | undefined, at: number): string => {
    if (!span || !/^[A-Za-z_.$][\w.$]*$/.test(span.text)) throw new ParseFail('ASM_SYNTAX', `expected a symbol name, got '${span?.text ?? ''}'`, span?.column ?? at);
    return span.text;
  };
  const push = (loc: SourceLoc, s: StmtInit): void => {
    cur.stmts.push({ ...s, loc, addr: 0, size: 0 } as Stmt);
  };
  const switchTo = (s: SectionState): void => {
    if (s !== cur) previous = cur;
    cur = s;
  };

  function directive(st: RawStatement, name: string): void {
    const ops = st.operands;
    const col = st.head.column;
    const loc = st.loc;
    const width = DATA_WIDTH[name];
    if (width) {
      if (ops.length === 0) throw new ParseFail('ASM_SYNTAX', `${name} expects at least one value`, col);
      push(loc, { k: 'data', width, items: ops.map((o) => ({ expr: expr(o, 'a value', col), span: o })) });
      return;
    }
    switch (name) {
      case '.text':
      case '.data':
      case '.bss':
      case '.rodata':
        switchTo(section(name));
        return;
      case '.section':
      case '.pushsection': {
        const nm = ops[0]?.text.replace(/^"|"$/g, '');
        if (!nm) throw new ParseFail('ASM_SYNTAX', `${name} expects a section name`, col);
        const flags = ops[1] ? /^"([^"]*)"$/.exec(ops[1].text)?.[1] : undefined;
        if (ops[1] && flags === undefined) throw new ParseFail('ASM_SYNTAX', `expected a flags string like "ax", got '${ops[1].text}'`, ops[1].column);
        const type = ops[2] ? /^[@%](\w+)$/.exec(ops[2].text)?.[1] : undefined;
        if (name === '.pushsection') sectionStack.push(cur);
        switchTo(section(nm, flags, type));
        return;
      }
      case '.popsection': {
        const s = sectionStack.pop();
        if (!s) throw new ParseFail('ASM_SYNTAX', '.popsection without .pushsection', col);
        switchTo(s);
        return;
      }
      case '.previous':
        switchTo(previous);
        return;
      case '.globl':
      case '.global':
      case '.local':
      case '.weak':
        if (ops.length === 0) throw new ParseFail('ASM_SYNTAX', `${name} expects a symbol name`, col);
        for (const o of ops) attr(symName(o, col)).binding = name === '.weak' ? 'weak' : name === '.local' ? 'local' : 'global';
        return;
      case '.type': {
        const sym = symName(ops[0], col);
        const t = ops[1]?.text.replace(/^[@%"]|"$/g, '').toLowerCase();
        const map: Record<string, SymbolAttrs['type']> = { function: 'func', object: 'object', notype: 'notype', stt_func: 'func', stt_object: 'object', stt_notype: 'notype' };
        if (!t || !map[t]) throw new ParseFail('ASM_SYNTAX', `expected @function, @object or @notype, got '${ops[1]?.text ?? ''}'`, ops[1]?.column ?? col);
        attr(sym).type = map[t];
        return;
      }
      case '.size':
        push(loc, { k: 'size', name: symName(ops[0], col), expr: expr(ops[1], 'a size expression', col) });
        return;
      case '.equ':
      case '.set':
      case '=':
        if (ops.length !== 2) throw new ParseFail('ASM_SYNTAX', `${name} expects a symbol and a value`, col);
        push(loc, { k: 'set', name: symName(ops[0], col), expr: expr(ops[1], 'a value', col) });
        return;
      case '.align':
      case '.p2align':
      case '.balign': {
        const amount = expr(ops[0], 'an alignment', col);
        const bytes: Expr = name === '.balign' ? amount : { t: 'bin', op: '<<', a: { t: 'num', v: 1n }, b: amount };
        const fill = ops[1] && ops[1].text !== '' ? expr(ops[1], 'a fill value', col) : undefined;
        const max = ops[2] ? expr(ops[2], 'a maximum', col) : undefined;
        push(loc, { k: 'align', bytes, ...(fill ? { fill } : {}), ...(max ? { max } : {}), rvc: exts.has('C') });
        return;
      }
      case '.ascii':
      case '.asciz':
      case '.string':
        for (const b of parseStrings(ops)) {
          push(loc, { k: 'bytes', bytes: name === '.ascii' ? b : Uint8Array.from([...b, 0]) });
        }
        return;
      case '.zero':
      case '.space':
      case '.skip':
        push(loc, { k: 'fill', repeat: expr(ops[0], 'a byte count', col), unit: { t: 'num', v: 1n }, value: ops[1] ? expr(ops[1], 'a fill value', col) : { t: 'num', v: 0n } });
        return;
      case '.fill':
        push(loc, {
          k: 'fill',
          repeat: expr(ops[0], 'a repeat count', col),
          unit: ops[1] ? expr(ops[1], 'a size', col) : { t: 'num', v: 1n },
          value: ops[2] ? expr(ops[2], 'a value', col) : { t: 'num', v: 0n },
        });
        return;
      case '.option': {
        const o = ops[0]?.text.toLowerCase();
        if (o === 'rvc') exts = new Set([...exts, 'C']);
        else if (o === 'norvc') exts = new Set([...exts].filter((e) => e !== 'C'));
        else if (o === 'push') optionStack.push(exts);
        else if (o === 'pop') {
          const prev = optionStack.pop();
          if (!prev) throw new ParseFail('ASM_SYNTAX', '.option pop without .option push', col);
          exts = prev;
        } else if (o === 'arch') {
          const edited = editArch(exts, ops.slice(1).map((x) => x.text));
          if (!edited) throw new ParseFail('ASM_SYNTAX', `bad .option arch argument '${ops.slice(1).map((x) => x.text).join(', ')}'`, ops[1]?.column ?? col);
          exts = edited;
        } else if (o === 'pic' || o === 'nopic' || o === 'relax' || o === 'norelax' || o === 'csr-check' || o === 'no-csr-check') {
          /* accepted, no effect */
        } else throw new ParseFail('ASM_SYNTAX', `unknown .option '${ops[0]?.text ?? ''}' (expected rvc, norvc, push, pop, arch, ...)`, ops[0]?.column ?? col);
        return;
      }
      default:
        if (IGNORED.has(name)) return;
        throw new ParseFail('ASM_SYNTAX', `unknown directive '${name}'`, col);
    }
  }

  function instruction(st: RawStatement, mnemonic: string): void {
    const candidates = FORMS.get(mnemonic);
    if (!candidates) throw new ParseFail('ASM_SYNTAX', `unknown instruction '${st.head.text}'`, st.head.column);
    const enabled = candidates.filter((f) => exts.has(f.ext) && (f.row?.length !== 2 || exts.has('C')));
    if (enabled.length === 0) {
      const need = candidates[0]!.row?.length === 2 ? 'C (enable with .option rvc or -march ...c)' : candidates[0]!.ext;
      throw new ParseFail('ASM_SYNTAX', `instruction '${mnemonic}' requires extension ${need}`, st.head.column);
    }
    let best: OperandError | undefined;
    for (const form of enabled) {
      try {
        const args = parseArgs(form, st.operands, localLabel, st.head);
        push(st.loc, { k: 'insn', form, args, exts, compressed: [], locked: [] });
        return;
      } catch (e) {
        if (!(e instanceof OperandError)) throw e;
        // prefer the error of a form with the right operand count
        if (!best || (/expects \d/.test(best.message) && !/expects \d/.test(e.message))) best = e;
      }
    }
    throw new ParseFail('ASM_SYNTAX', best!.message, best!.span.column);
  }

  for (const st of splitStatements(src, file)) {
    for (const l of st.labels) {
      let name = l.text;
      if (/^\d+$/.test(name)) {
        const n = (localCount.get(name) ?? 0) + 1;
        localCount.set(name, n);
        name = `.L${l.text}\u0002${n}`;
      } else if (defined.has(name)) {
        diagnostics.push({ code: 'ASM_DUPLICATE_SYMBOL', file, line: st.loc.line, column: l.column, message: `symbol '${name}' is already defined` });
        continue;
      }
      defined.add(name);
      push({ ...st.loc, column: l.column }, { k: 'label', name });
    }
    if (st.head.text === '') continue;
    const head = st.head.text.toLowerCase();
    try {
      if (head.startsWith('.') || head === '=') directive(st, head);
      else instruction(st, head);
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
      diagnostics.push({ code: e.code, file, line: st.loc.line, column: e.column, message: e.message });
    }
  }
  return { sections, attrs, diagnostics };
}
