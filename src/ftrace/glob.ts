// tracefs filter patterns (filter_parse_regex / ftrace_match): exact, foo*, *foo, *foo*, general globs, and '!' negation.
import { FtraceError } from './errors.js';

/** The kernel's match types (MATCH_FULL, MATCH_FRONT_ONLY, MATCH_MIDDLE_ONLY, MATCH_END_ONLY, MATCH_GLOB). */
export type MatchType = 'full' | 'front' | 'middle' | 'end' | 'glob';

export interface FilterPattern {
  /** The text as written. */
  readonly source: string;
  /** A leading '!': remove the matches from the hash instead of adding them. */
  readonly negate: boolean;
  readonly type: MatchType;
  /** The literal part for full/front/middle/end, the whole glob for 'glob'. */
  readonly search: string;
}

/** Parse one pattern. Empty, unbalanced '[' and module/command syntax are typed errors. */
export function parseFilterPattern(source: string): FilterPattern {
  let text = source;
  let negate = false;
  if (text.startsWith('!')) {
    negate = true;
    text = text.slice(1);
  }
  if (text.length === 0) throw new FtraceError('FTRACE_BAD_GLOB', `empty filter pattern '${source}'`);
  if (/\s/.test(text)) throw new FtraceError('FTRACE_BAD_GLOB', `filter pattern '${source}' contains whitespace`);
  if (text.includes(':')) {
    throw new FtraceError(
      'FTRACE_UNSUPPORTED',
      `filter pattern '${source}': module (:mod:) and command (func:cmd) filters are not supported`,
    );
  }
  checkBrackets(source, text);
  let type: MatchType = 'full';
  let search = text;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '*') {
      if (i === 0) {
        type = 'end';
        search = text.slice(1);
      } else if (i === text.length - 1) {
        type = type === 'end' ? 'middle' : 'front';
        search = type === 'middle' ? text.slice(1, -1) : text.slice(0, -1);
      } else {
        return { source, negate, type: 'glob', search: text };
      }
    } else if (ch === '?' || ch === '[' || ch === '\\') {
      return { source, negate, type: 'glob', search: text };
    }
  }
  return { source, negate, type, search };
}

function checkBrackets(source: string, text: string): void {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === '[') {
      const close = text.indexOf(']', i + 2);
      if (close < 0) throw new FtraceError('FTRACE_BAD_GLOB', `filter pattern '${source}' has an unclosed '['`);
      i = close;
    }
  }
}

/** ftrace_match: does `name` match the pattern (negation not applied). */
export function matchFilterPattern(p: FilterPattern, name: string): boolean {
  switch (p.type) {
    case 'full':
      return name === p.search;
    case 'front':
      return name.startsWith(p.search);
    case 'middle':
      return name.includes(p.search);
    case 'end':
      return name.endsWith(p.search);
    case 'glob':
      return globMatch(p.search, 0, name, 0);
  }
}

/** Shell-style glob: '*' any run, '?' one char, '[...]' a class ('!' or '^' negates, a-z ranges), '\' escapes. */
function globMatch(g: string, gi: number, s: string, si: number): boolean {
  while (gi < g.length) {
    const c = g[gi]!;
    if (c === '*') {
      while (g[gi] === '*') gi++;
      if (gi === g.length) return true;
      for (let k = si; k <= s.length; k++) if (globMatch(g, gi, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === '?') {
      gi++;
      si++;
      continue;
    }
    if (c === '[') {
      const close = g.indexOf(']', gi + 2);
      let body = g.slice(gi + 1, close);
      const neg = body.startsWith('!') || body.startsWith('^');
      if (neg) body = body.slice(1);
      let hit = false;
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === '-' && k + 2 < body.length) {
          if (s[si]! >= body[k]! && s[si]! <= body[k + 2]!) hit = true;
          k += 2;
        } else if (body[k] === s[si]) hit = true;
      }
      if (hit === neg) return false;
      gi = close + 1;
      si++;
      continue;
    }
    const lit = c === '\\' && gi + 1 < g.length ? g[++gi]! : c;
    if (lit !== s[si]) return false;
    gi++;
    si++;
  }
  return si === s.length;
}
