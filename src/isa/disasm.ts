// Disassembler: objdump-style text for instruction words and ranges (aliases, c.* shown expanded,
// symbolic branch targets), driven by the instruction table through decode().
import { findAlias, type AliasOperand } from './aliases.js';
import { expandCompressed } from './compress.js';
import { csrName } from './csrs.js';
import { decode } from './decode.js';
import { type Fields, type OperandKind, ROUNDING_MODES } from './operands.js';
import { fRegName, xRegName } from './registers.js';
import type { Extension, InsnRow } from './table.js';

export interface DisasmSymbol {
  name: string;
  value: number;
  size?: number;
  type?: string;
}

export interface DisasmOptions {
  /** Print the table mnemonics (c.addi a0,1; addi a0,zero,5) instead of aliases. */
  noAliases?: boolean;
  /** Enabled extensions (default: all). */
  exts?: ReadonlySet<Extension>;
  /** Name an address for branch targets: returns e.g. 'foo+0x10'. */
  symbolize?: (addr: number) => string | undefined;
}

export interface DisasmInsn {
  length: 2 | 4;
  /** False for words that are no valid instruction (shown as .2byte/.4byte). */
  valid: boolean;
  mnemonic: string;
  operands: string;
  /** `mnemonic\toperands`. */
  text: string;
  /** Branch/jump target address, when the instruction has one. */
  target?: number;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;
const HEX_IMM = new Set(['u20', 'cluiimm', 'shamt6', 'shamt5', 'cshamt']);

function fenceText(v: number): string {
  const s = (v & 8 ? 'i' : '') + (v & 4 ? 'o' : '') + (v & 2 ? 'r' : '') + (v & 1 ? 'w' : '');
  return s || '0';
}

function targetText(pc: number, off: number, opts: DisasmOptions): { text: string; target: number } {
  const target = pc + off;
  const sym = opts.symbolize?.(target);
  return { text: `${target.toString(16)}${sym ? ` <${sym}>` : ''}`, target };
}

function kindText(kind: OperandKind, fields: Fields, pc: number, opts: DisasmOptions, out: { target?: number }): string {
  const v = fields[kind.field] ?? 0;
  switch (kind.cls) {
    case 'xreg':
      return xRegName(v);
    case 'freg':
      return fRegName(v);
    case 'csr':
      return csrName(v) ?? hex(v);
    case 'fence':
      return fenceText(v);
    case 'rm':
      return ROUNDING_MODES[v] ?? `${v}`;
    case 'pcrel': {
      const t = targetText(pc, v, opts);
      out.target = t.target;
      return t.text;
    }
    default:
      return HEX_IMM.has(kind.id) ? hex(v) : `${v}`;
  }
}

function rowOperands(row: InsnRow, fields: Fields, pc: number, opts: DisasmOptions, out: { target?: number }): string {
  const parts: string[] = [];
  for (const g of row.syntax) {
    if (g.optional && g.kinds[0]!.cls === 'rm' && (fields.rm ?? 7) === 7) continue;
    if (g.form === 'plain') parts.push(kindText(g.kinds[0]!, fields, pc, opts, out));
    else if (g.form === 'paren') parts.push(`(${kindText(g.kinds[0]!, fields, pc, opts, out)})`);
    else parts.push(`${kindText(g.kinds[0]!, fields, pc, opts, out)}(${kindText(g.kinds[1]!, fields, pc, opts, out)})`);
  }
  return parts.join(',');
}

function aliasOperand(op: AliasOperand, row: InsnRow, fields: Fields, pc: number, opts: DisasmOptions, out: { target?: number }): string {
  switch (op.k) {
    case 'x':
      return xRegName(fields[op.field] ?? 0);
    case 'f':
      return fRegName(fields[op.field] ?? 0);
    case 'csr': {
      const v = fields.csr ?? 0;
      return csrName(v) ?? hex(v);
    }
    case 'mem':
      return `${fields.imm ?? 0}(${xRegName(fields.rs1 ?? 0)})`;
    case 'target': {
      const t = targetText(pc, fields.imm ?? 0, opts);
      out.target = t.target;
      return t.text;
    }
    default: {
      const kind = row.operands.find((k) => k.field === 'imm');
      return kind && HEX_IMM.has(kind.id) ? hex(fields.imm ?? 0) : `${fields.imm ?? 0}`;
    }
  }
}

function finish(length: 2 | 4, mnemonic: string, operands: string, target: number | undefined): DisasmInsn {
  return { length, valid: true, mnemonic, operands, text: operands ? `${mnemonic}\t${operands}` : mnemonic, ...(target !== undefined ? { target } : {}) };
}

/** Disassemble one instruction at `pc` (`word` holds its bits; for 16-bit ones the upper half is ignored). */
export function disassembleWord(word: number, pc: number, opts: DisasmOptions = {}): DisasmInsn {
  const d = decode(word, opts.exts);
  if (!d) {
    const length = (word & 3) === 3 ? 4 : 2;
    const w = length === 2 ? word & 0xffff : word >>> 0;
    const mnemonic = length === 2 ? '.2byte' : '.4byte';
    return { length, valid: false, mnemonic, operands: hex(w), text: `${mnemonic}\t${hex(w)}` };
  }
  const out: { target?: number } = {};
  if (opts.noAliases) return finish(d.length, d.row.mnemonic, rowOperands(d.row, d.fields, pc, opts, out), out.target);
  const full = expandCompressed(d);
  const alias = findAlias(full.row.mnemonic, full.fields, d.length === 2);
  if (alias) {
    const ops = alias.operands.map((op) => aliasOperand(op, full.row, full.fields, pc, opts, out)).join(',');
    return finish(d.length, alias.mnemonic, ops, out.target);
  }
  return finish(d.length, full.row.mnemonic, rowOperands(full.row, full.fields, pc, opts, out), out.target);
}

/** Symbolizer over a symbol list: nearest symbol at or below an address, `name` or `name+0xN`. */
export function symbolizer(symbols: readonly DisasmSymbol[]): (addr: number) => string | undefined {
  const sorted = symbols.filter((s) => s.name && !s.name.startsWith('$') && s.type !== 'section' && s.type !== 'file').slice().sort((x, y) => x.value - y.value);
  return (addr) => {
    let lo = 0;
    let hi = sorted.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.value <= addr) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    // among symbols at the same address prefer a function, then the first defined
    let s = sorted[best]!;
    for (let k = best; k >= 0 && sorted[k]!.value === s.value; k--) if (sorted[k]!.type === 'func') s = sorted[k]!;
    const off = addr - s.value;
    return off === 0 ? s.name : `${s.name}+0x${off.toString(16)}`;
  };
}

/**
 * objdump-style listing of code bytes loaded at `addr`: a `<sym>:` header wherever a symbol starts, then
 * one line per instruction: `    80000004:\t00a50533          \tadd\ta0,a0,a0`.
 */
export function disassembleRange(bytes: Uint8Array, addr: number, symbols: readonly DisasmSymbol[] = [], opts: DisasmOptions = {}): string {
  const sym = opts.symbolize ?? symbolizer(symbols);
  const o = { ...opts, symbolize: sym };
  const starts = new Map<number, string>();
  for (const s of [...symbols].sort((x, y) => (x.type === 'func' ? -1 : 0) - (y.type === 'func' ? -1 : 0))) {
    if (s.name && s.type !== 'section' && s.type !== 'file' && !starts.has(s.value)) starts.set(s.value, s.name);
  }
  const lines: string[] = [];
  let off = 0;
  while (off < bytes.length) {
    const pc = addr + off;
    const label = starts.get(pc);
    if (label !== undefined) lines.push('', `${pc.toString(16).padStart(16, '0')} <${label}>:`);
    const left = bytes.length - off;
    const half = left >= 2 ? bytes[off]! | (bytes[off + 1]! << 8) : bytes[off]!;
    if (left < 2 || ((half & 3) === 3 && left < 4)) {
      lines.push(`    ${pc.toString(16).padStart(8)}:\t${bytes[off]!.toString(16).padStart(2, '0').padEnd(18)}\t.byte\t${hex(bytes[off]!)}`);
      off += 1;
      continue;
    }
    const word = (half & 3) === 3 ? (half | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24)) >>> 0 : half;
    const insn = disassembleWord(word, pc, o);
    const raw = insn.length === 4 ? word.toString(16).padStart(8, '0') : half.toString(16).padStart(4, '0');
    lines.push(`    ${pc.toString(16).padStart(8)}:\t${raw.padEnd(18)}\t${insn.text}`);
    off += insn.length;
  }
  return lines.join('\n').replace(/^\n/, '') + '\n';
}
