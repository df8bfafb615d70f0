// Assembler expressions (GNU as syntax and precedence): numbers, symbols, `.`, local label references
// (1b/1f), unary - ~ !, binary operators, parentheses and the %hi/%lo/%pcrel_hi/%pcrel_lo operators.

export type RelocOp = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';

export type Expr =
  | { t: 'num'; v: bigint }
  | { t: 'sym'; name: string; display: string }
  | { t: 'dot' }
  | { t: 'un'; op: string; e: Expr }
  | { t: 'bin'; op: string; a: Expr; b: Expr }
  | { t: 'reloc'; op: RelocOp; e: Expr };

/** A parse failure at a character offset of the expression text. */
export class ExprSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Maps a local label reference like `1b` / `1f` to the unique symbol name it denotes. */
export type LocalLabelResolver = (num: string, dir: 'b' | 'f') => string;

interface Token {
  k: 'num' | 'sym' | 'op' | 'reloc' | 'end';
  s: string;
  v?: bigint;
  at: number;
}

const SYM = /^[A-Za-z_.$][\w.$]*/;

function unescapeChar(s: string): { v: number; len: number } {
  if (s[0] !== '\\') return { v: s.charCodeAt(0), len: 1 };
  const map: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, b: 8, f: 12, v: 11, a: 7 };
  const c = s[1] ?? '';
  if (c in map) return { v: map[c]!, len: 2 };
  return { v: c.charCodeAt(0), len: 2 };
}

function tokenize(text: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^%(hi|lo|pcrel_hi|pcrel_lo)\b/.exec(rest))) {
      toks.push({ k: 'reloc', s: m[1]!, at: i });
      i += m[0].length;
    } else if ((m = /^(\d+)([bf])(?![\w.$])/.exec(rest))) {
      toks.push({ k: 'sym', s: m[0], at: i });
      i += m[0].length;
    } else if ((m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9]\d*)(?![\w.$])/.exec(rest))) {
      const lit = m[1]!;
      const v = /^0[0-7]+$/.test(lit) ? BigInt('0o' + lit.slice(1)) : BigInt(lit);
      toks.push({ k: 'num', s: lit, v, at: i });
      i += m[0].length;
    } else if (/^\d/.test(rest)) {
      throw new ExprSyntaxError(`bad number '${/^\w+/.exec(rest)![0]}'`, i);
    } else if (ch === "'") {
      if (i + 1 >= text.length) throw new ExprSyntaxError('character constant without a character', i);
      const { v, len } = unescapeChar(text.slice(i + 1));
      if (Number.isNaN(v)) throw new ExprSyntaxError('bad character constant', i);
      let end = i + 1 + len;
      if (text[end] === "'") end++;
      toks.push({ k: 'num', s: text.slice(i, end), v: BigInt(v), at: i });
      i = end;
    } else if ((m = SYM.exec(rest))) {
      toks.push({ k: 'sym', s: m[0], at: i });
      i += m[0].length;
    } else if ((m = /^(<<|>>|==|!=|<=|>=|<>|&&|\|\||[-+*/%&|^~!()<>])/.exec(rest))) {
      toks.push({ k: 'op', s: m[1]!, at: i });
      i += m[0].length;
    } else {
      throw new ExprSyntaxError(`unexpected character '${ch}' in expression`, i);
    }
  }
  toks.push({ k: 'end', s: '', at: text.length });
  return toks;
}

const MAX_DEPTH = 256;

// GNU as precedence, loosest first.
const LEVELS: string[][] = [['||'], ['&&'], ['+', '-', '==', '!=', '<>', '<', '>', '<=', '>='], ['|', '&', '^', '!'], ['*', '/', '%', '<<', '>>']];

/** Parse an expression; `localLabel` resolves `1b`/`1f` at parse time (they depend on textual position). */
export function parseExpr(text: string, localLabel: LocalLabelResolver): Expr {
  const toks = tokenize(text);
  let p = 0;
  const peek = (): Token => toks[p]!;
  const fail = (msg: string, t: Token = peek()): never => {
    throw new ExprSyntaxError(msg, t.at);
  };

  let depth = 0;
  function primary(): Expr {
    if (++depth > MAX_DEPTH) fail(`expression nested more than ${MAX_DEPTH} levels deep`);
    try {
      return primaryInner();
    } finally {
      depth--;
    }
  }

  function primaryInner(): Expr {
    const t = toks[p++]!;
    switch (t.k) {
      case 'num':
        return { t: 'num', v: t.v! };
      case 'sym': {
        const lm = /^(\d+)([bf])$/.exec(t.s);
        if (lm) return { t: 'sym', name: localLabel(lm[1]!, lm[2] as 'b' | 'f'), display: t.s };
        if (t.s === '.') return { t: 'dot' };
        return { t: 'sym', name: t.s, display: t.s };
      }
      case 'reloc': {
        if (peek().s !== '(') fail(`expected '(' after %${t.s}`);
        p++;
        const e = binary(0);
        if (peek().s !== ')') fail(`expected ')' to close %${t.s}(`);
        p++;
        return { t: 'reloc', op: t.s as RelocOp, e };
      }
      case 'op':
        if (t.s === '(') {
          const e = binary(0);
          if (peek().s !== ')') fail("expected ')'");
          p++;
          return e;
        }
        if (t.s === '-' || t.s === '~' || t.s === '!' || t.s === '+') return { t: 'un', op: t.s, e: primary() };
        return fail(`unexpected '${t.s}'`, t);
      default:
        return fail('expected an expression', t);
    }
  }

  function binary(level: number): Expr {
    if (level >= LEVELS.length) return primary();
    let a = binary(level + 1);
    while (peek().k === 'op' && LEVELS[level]!.includes(peek().s)) {
      const op = toks[p++]!.s;
      a = { t: 'bin', op, a, b: binary(level + 1) };
    }
    return a;
  }

  if (peek().k === 'end') fail('expected an expression');
  const e = binary(0);
  if (peek().k !== 'end') fail(`unexpected '${peek().s}' after expression`);
  return e;
}

/** Result of evaluating an expression: a 64-bit value and whether it depends on an address. */
export interface ExprValue {
  value: bigint;
  /** True when a label or `.` contributed (the value moves when code moves). */
  relocatable: boolean;
  /** True when the value may change with the layout (it involves `.` or a label, even as a difference). */
  layout?: boolean;
}

export interface EvalContext {
  /** Value of `.`. */
  dot: number;
  /** Symbol value, or undefined if not (yet) defined. */
  lookup(name: string): ExprValue | undefined;
  /** Called for an undefined symbol; returns the value to use (0 during layout) or throws. */
  undefinedSymbol(display: string): ExprValue;
  /** %pcrel_hi(target) at the current instruction: remembers the target for its %pcrel_lo. */
  pcrelHi(target: bigint): void;
  /** Target recorded by the %pcrel_hi at `address`, or undefined. */
  pcrelHiTarget(address: bigint): bigint | undefined;
  /** Report a semantic problem (division by zero, bad %pcrel_lo). */
  fail(message: string): never;
}

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);
export const hi20 = (v: bigint): bigint => ((v + 0x800n) >> 12n) & 0xfffffn;
export const lo12 = (v: bigint): bigint => BigInt.asIntN(12, v);

export function evalExpr(e: Expr, ctx: EvalContext): ExprValue {
  switch (e.t) {
    case 'num':
      return { value: wrap(e.v), relocatable: false };
    case 'dot':
      return { value: BigInt(ctx.dot), relocatable: true, layout: true };
    case 'sym':
      return ctx.lookup(e.name) ?? ctx.undefinedSymbol(e.display);
    case 'un': {
      const x = evalExpr(e.e, ctx);
      const v = e.op === '-' ? -x.value : e.op === '~' ? ~x.value : e.op === '!' ? BigInt(x.value === 0n) : x.value;
      return { value: wrap(v), relocatable: x.relocatable, layout: !!x.layout };
    }
    case 'reloc': {
      const x = evalExpr(e.e, ctx);
      switch (e.op) {
        case 'hi':
          return { value: hi20(x.value), relocatable: x.relocatable, layout: !!x.layout };
        case 'lo':
          return { value: lo12(x.value), relocatable: x.relocatable, layout: !!x.layout };
        case 'pcrel_hi':
          ctx.pcrelHi(x.value);
          return { value: hi20(x.value - BigInt(ctx.dot)), relocatable: true, layout: true };
        case 'pcrel_lo': {
          const target = ctx.pcrelHiTarget(x.value);
          if (target === undefined) ctx.fail('%pcrel_lo must name the label of an instruction using %pcrel_hi');
          return { value: lo12(target! - x.value), relocatable: true, layout: true };
        }
      }
    }
    // falls through (unreachable)
    case 'bin': {
      const { a: ea, b: eb, op } = e as Extract<Expr, { t: 'bin' }>;
      const a = evalExpr(ea, ctx);
      const b = evalExpr(eb, ctx);
      const x = a.value;
      const y = b.value;
      const rel = a.relocatable || b.relocatable;
      // a difference of two addresses is a plain number
      const relocatable = op === '-' && a.relocatable && b.relocatable ? false : rel;
      let v: bigint;
      switch (op) {
        case '+': v = x + y; break;
        case '-': v = x - y; break;
        case '*': v = x * y; break;
        case '/':
        case '%':
          if (y === 0n) ctx.fail('division by zero');
          v = op === '/' ? x / y : x % y;
          break;
        case '<<': v = y >= 64n || y < 0n ? 0n : x << y; break;
        case '>>': v = y >= 64n || y < 0n ? (x < 0n ? -1n : 0n) : x >> y; break;
        case '&': v = x & y; break;
        case '|': v = x | y; break;
        case '^': v = x ^ y; break;
        case '!': v = x | ~y; break;
        case '==': v = x === y ? -1n : 0n; break;
        case '!=': case '<>': v = x !== y ? -1n : 0n; break;
        case '<': v = x < y ? -1n : 0n; break;
        case '>': v = x > y ? -1n : 0n; break;
        case '<=': v = x <= y ? -1n : 0n; break;
        case '>=': v = x >= y ? -1n : 0n; break;
        case '&&': v = x !== 0n && y !== 0n ? 1n : 0n; break;
        case '||': v = x !== 0n || y !== 0n ? 1n : 0n; break;
        default: ctx.fail(`unknown operator ${op}`);
      }
      return { value: wrap(v!), relocatable, layout: !!(a.layout || b.layout) };
    }
  }
}
