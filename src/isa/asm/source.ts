// Source text -> statements: strips comments (#, //, /* */), splits on newlines and ';', peels off
// labels, and remembers line/column of every piece for error messages.

export interface SourceLoc {
  file: string;
  line: number;
  column: number;
}

/** A piece of text and the column (1-based) where it starts in its line. */
export interface TextSpan {
  text: string;
  column: number;
}

export interface RawStatement {
  loc: SourceLoc;
  labels: TextSpan[];
  /** Mnemonic or directive (empty when the statement is only labels). */
  head: TextSpan;
  /** Operand text split at top-level commas. */
  operands: TextSpan[];
  /** Whole text after the head (for `=` assignments and string directives). */
  rest: TextSpan;
}

/** Replace comments by spaces (keeping newlines and columns); strings are left intact. */
export function stripComments(src: string): string {
  const out: string[] = [];
  let last = 0;
  let i = 0;
  const n = src.length;
  const blank = (from: number, to: number): void => {
    out.push(src.slice(last, from), src.slice(from, to).replace(/[^\n]/g, ' '));
    last = to;
  };
  while (i < n) {
    const ch = src.charCodeAt(i);
    if (ch === 34 /* " */) {
      i++;
      while (i < n) {
        const c = src.charCodeAt(i);
        if (c === 92 /* \ */) i += 2;
        else if (c === 34 || c === 10) {
          i++;
          break;
        } else i++;
      }
    } else if (ch === 39 /* ' */ && i + 1 < n) {
      // character constant 'c or 'c' (escape allowed)
      i += src.charCodeAt(i + 1) === 92 ? 3 : 2;
      if (src.charCodeAt(i) === 39) i++;
    } else if (ch === 35 /* # */ || (ch === 47 /* / */ && src.charCodeAt(i + 1) === 47)) {
      let e = src.indexOf('\n', i);
      if (e < 0) e = n;
      blank(i, e);
      i = e;
    } else if (ch === 47 && src.charCodeAt(i + 1) === 42 /* * */) {
      let e = src.indexOf('*/', i + 2);
      e = e < 0 ? n : e + 2;
      blank(i, e);
      i = e;
    } else i++;
  }
  out.push(src.slice(last));
  return out.join('');
}

/** Split at `sep` outside strings, character constants and parentheses. */
export function splitTopLevel(text: string, sep: string, startColumn: number): TextSpan[] {
  const parts: TextSpan[] = [];
  let depth = 0;
  let inStr = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inStr) {
      if (ch === '\\') i++;
      else if (ch === '"') inStr = false;
    } else if (ch === '"') inStr = true;
    else if (ch === "'") {
      i += text[i + 1] === '\\' ? 2 : 1;
      if (text[i + 1] === "'") i++; // closing quote of 'c'
    }
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === sep && depth <= 0) {
      parts.push({ text: text.slice(start, i), column: startColumn + start });
      start = i + 1;
    }
  }
  parts.push({ text: text.slice(start), column: startColumn + start });
  return parts;
}

/** Trim a span, moving its column past leading blanks. */
export function trimSpan(s: TextSpan): TextSpan {
  const lead = s.text.length - s.text.trimStart().length;
  return { text: s.text.trim(), column: s.column + lead };
}

const LABEL = /^\s*([A-Za-z_.$][\w.$]*|\d+)\s*:(?!=)/;

/** Parse a whole source file into raw statements. */
export function splitStatements(src: string, file: string): RawStatement[] {
  const lines = stripComments(src).split('\n');
  const stmts: RawStatement[] = [];
  lines.forEach((lineText, idx) => {
    for (const piece of splitTopLevel(lineText.replace(/\r$/, ''), ';', 1)) {
      let text = piece.text;
      let col = piece.column;
      const labels: TextSpan[] = [];
      for (let m = LABEL.exec(text); m; m = LABEL.exec(text)) {
        const lead = m[0].indexOf(m[1]!);
        labels.push({ text: m[1]!, column: col + lead });
        col += m[0].length;
        text = text.slice(m[0].length);
      }
      const t = trimSpan({ text, column: col });
      if (t.text === '' && labels.length === 0) continue;
      const hm = /^[^\s,=]+/.exec(t.text);
      let headText = hm ? hm[0] : '';
      let restStart = headText.length;
      if (/^\s*=/.test(t.text.slice(restStart)) && headText !== '') {
        // `sym = expr` is `.set sym, expr`
        const eq = t.text.indexOf('=', restStart);
        stmts.push({
          loc: { file, line: idx + 1, column: t.column },
          labels,
          head: { text: '=', column: t.column + eq },
          operands: [{ text: headText, column: t.column }, trimSpan({ text: t.text.slice(eq + 1), column: t.column + eq + 1 })],
          rest: { text: t.text.slice(eq + 1), column: t.column + eq + 1 },
        });
        continue;
      }
      if (!hm) {
        headText = '';
        restStart = 0;
      }
      const rest = { text: t.text.slice(restStart), column: t.column + restStart };
      const operands = rest.text.trim() === '' ? [] : splitTopLevel(rest.text, ',', rest.column).map(trimSpan);
      stmts.push({ loc: { file, line: idx + 1, column: t.column }, labels, head: { text: headText, column: t.column }, operands, rest });
    }
  });
  return stmts;
}
