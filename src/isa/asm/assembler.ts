// The assembler: lays out parsed sections at addresses (iterating to a fixpoint so branches to labels
// can be compressed), then emits bytes and builds the symbol table of an AssembledProgram.
import { type RowFields, compress } from '../compress.js';
import { encodeRow, nop as nop32 } from '../encode.js';
import { type AsmDiagnostic, AsmError, EncodeError } from '../errors.js';
import { type Extension, insnRow } from '../table.js';
import { type EvalContext, type Expr, type ExprValue, evalExpr } from './expr.js';
import { type Arg, type ExpandContext, type MachineInsn, expandRow } from './forms.js';
import { DEFAULT_MARCH, parseMarch } from './march.js';
import { type ParsedSource, parseSource } from './parser.js';
import type { AssembledProgram, AssembledSection, AssembledSymbol } from './program.js';
import type { SectionState, Stmt } from './statements.js';

export interface AssembleOptions {
  /** File name used in error messages (default '<input>'). */
  file?: string;
  /** -march string (default rv64imac). */
  march?: string;
  /** Address of the first section (.text); default 0x80000000. Later sections follow, aligned. */
  base?: number;
  /** Fixed addresses for some sections by name. */
  sectionAddrs?: Record<string, number>;
}

const MAX_PASSES = 40;

/** A problem found while laying out or emitting; becomes an AsmDiagnostic at the statement. */
class EmitFail extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly column?: number,
  ) {
    super(message);
  }
}

interface SymbolValue extends ExprValue {
  section?: string;
  isLabel: boolean;
  /** Layout pass that last defined the symbol. */
  pass: number;
}

const alignUp = (v: number, a: number): number => (a <= 1 ? v : Math.ceil(v / a) * a);

class Layout {
  readonly symbols = new Map<string, SymbolValue>();
  readonly sizes = new Map<string, number>();
  readonly pcrelHi = new Map<bigint, bigint>();
  readonly diagnostics: AsmDiagnostic[] = [];
  final = false;
  pass = 0;
  images = new Map<string, Uint8Array>();
  /** Section being laid out and how far its current statement moved since the previous pass. */
  curSection = '';
  slide = 0;

  constructor(
    readonly parsed: ParsedSource,
    readonly order: SectionState[],
    readonly file: string,
    readonly base: number,
    readonly fixedAddrs: Record<string, number>,
  ) {}

  private ctxDot = 0;
  private ctxArgs: Arg[] | undefined;
  private readonly ctx: EvalContext = {
    dot: 0,
    lookup: (name) => {
      const sym = this.symbols.get(name);
      // A label ahead in the same section still has last pass's address: move it by the distance the code
      // before it has moved so far (what shrank behind us shrinks ahead too), so relaxation converges fast.
      if (sym && sym.isLabel && sym.pass < this.pass && sym.section === this.curSection && this.slide !== 0) {
        return { ...sym, value: sym.value + BigInt(this.slide) };
      }
      return sym;
    },
    undefinedSymbol: (display) => {
      if (!this.final) return { value: 0n, relocatable: true, layout: true };
      const span = this.ctxArgs?.find((a) => a.span.text.includes(display))?.span;
      const what = display.includes('(no earlier') ? `local label ${display.split(' ')[0]} has no earlier definition` : `undefined symbol '${display}'`;
      throw new EmitFail('ASM_UNDEFINED_SYMBOL', what, span?.column);
    },
    pcrelHi: (target) => {
      this.pcrelHi.set(BigInt(this.ctxDot), target);
    },
    pcrelHiTarget: (addr) => this.pcrelHi.get(addr),
    fail: (message) => {
      throw new EmitFail('ASM_SYNTAX', message);
    },
  };

  /** The evaluation context with `.` = dot (one shared object: evaluation is not re-entrant). */
  evalCtx(dot: number, args?: Arg[]): EvalContext {
    this.ctx.dot = dot;
    this.ctxDot = dot;
    this.ctxArgs = args;
    return this.ctx;
  }

  value(e: Expr, dot: number): ExprValue {
    return evalExpr(e, this.evalCtx(dot));
  }

  absolute(e: Expr, dot: number, what: string): number {
    const v = this.value(e, dot);
    if (v.value < 0n || v.value > 0x7fffffffn) {
      if (!this.final) return 0;
      throw new EmitFail('ASM_RANGE', `${what} ${v.value} out of range`);
    }
    return Number(v.value);
  }

  /** One layout pass over every section; returns true when any address or size changed. */
  runPass(): boolean {
    let changed = false;
    let cursor = this.base;
    this.order.forEach((sec, idx) => {
      const fixed = this.fixedAddrs[sec.name];
      const addr = fixed ?? (sec.alloc ? alignUp(cursor, idx === 0 ? sec.align : Math.max(sec.align, 16)) : 0);
      if (addr !== sec.addr) changed = true;
      sec.addr = addr;
      const image = this.final ? new Uint8Array(sec.nobits ? 0 : sec.size) : undefined;
      let loc = addr;
      this.curSection = sec.name;
      for (const st of sec.stmts) {
        this.slide = loc - st.addr;
        if (st.addr !== loc) changed = true;
        st.addr = loc;
        let size = st.size;
        try {
          size = this.process(sec, st, image);
        } catch (e) {
          if (!(e instanceof EmitFail)) throw e;
          if (this.final) this.report(st, e);
        }
        if (size !== st.size) changed = true;
        st.size = size;
        loc += size;
      }
      sec.size = loc - addr;
      if (image) this.images.set(sec.name, image);
      if (sec.alloc) cursor = Math.max(cursor, addr + sec.size);
    });
    return changed;
  }

  report(st: Stmt, e: EmitFail): void {
    this.diagnostics.push({ code: e.code, file: this.file, line: st.loc.line, column: e.column ?? st.loc.column, message: e.message });
  }

  write(sec: SectionState, image: Uint8Array | undefined, st: Stmt, offset: number, bytes: ArrayLike<number>): void {
    if (!image) return;
    if (sec.nobits) {
      for (let k = 0; k < bytes.length; k++) if (bytes[k]) throw new EmitFail('ASM_SYNTAX', `cannot put nonzero data in NOBITS section ${sec.name}`);
      return;
    }
    image.set(bytes, st.addr - sec.addr + offset);
  }

  process(sec: SectionState, st: Stmt, image: Uint8Array | undefined): number {
    switch (st.k) {
      case 'label':
        this.symbols.set(st.name, { value: BigInt(st.addr), relocatable: true, layout: true, section: sec.name, isLabel: true, pass: this.pass });
        return 0;
      case 'set': {
        const v = this.value(st.expr, st.addr);
        this.symbols.set(st.name, { ...v, ...(v.relocatable ? { section: sec.name } : {}), isLabel: false, pass: this.pass });
        return 0;
      }
      case 'size':
        if (this.final) this.sizes.set(st.name, Number(this.value(st.expr, st.addr).value));
        return 0;
      case 'bytes':
        this.write(sec, image, st, 0, st.bytes);
        return st.bytes.length;
      case 'data': {
        if (image) {
          st.items.forEach((item, idx) => {
            const v = evalExpr(item.expr, this.evalCtx(st.addr, [{ cls: 'e', expr: item.expr, span: item.span }]));
            const bits = BigInt(st.width * 8);
            if (st.width < 8 && (v.value < -(1n << (bits - 1n)) || v.value >= 1n << bits)) {
              throw new EmitFail('ASM_RANGE', `value ${v.value} does not fit in ${st.width} byte(s)`, item.span.column);
            }
            const u = BigInt.asUintN(st.width * 8, v.value);
            const bytes = Array.from({ length: st.width }, (_, k) => Number((u >> BigInt(8 * k)) & 0xffn));
            this.write(sec, image, st, idx * st.width, bytes);
          });
        }
        return st.width * st.items.length;
      }
      case 'fill': {
        const repeat = this.absolute(st.repeat, st.addr, 'repeat count');
        const unit = this.absolute(st.unit, st.addr, 'fill size');
        if (unit > 8) throw new EmitFail('ASM_RANGE', `fill size ${unit} larger than 8`);
        if (repeat * unit > 0x10000000) throw new EmitFail('ASM_RANGE', `fill of ${repeat * unit} bytes is too large`);
        if (image) {
          const v = BigInt.asUintN(64, this.value(st.value, st.addr).value);
          const bytes = new Uint8Array(repeat * unit);
          for (let k = 0; k < bytes.length; k++) bytes[k] = unit === 1 ? Number(v & 0xffn) : Number((v >> BigInt(8 * (k % unit))) & 0xffn);
          this.write(sec, image, st, 0, bytes);
        }
        return repeat * unit;
      }
      case 'align': {
        const a = this.absolute(st.bytes, st.addr, 'alignment');
        if (a & (a - 1) || a === 0 || a > 0x10000) throw new EmitFail('ASM_RANGE', `alignment ${a} is not a power of two up to 65536`);
        sec.align = Math.max(sec.align, a);
        let pad = alignUp(st.addr, a) - st.addr;
        if (st.max !== undefined && pad > this.absolute(st.max, st.addr, 'maximum')) pad = 0;
        if (image && pad) this.write(sec, image, st, 0, this.padding(sec, st, pad));
        return pad;
      }
      case 'insn':
        return this.instruction(sec, st, image);
    }
  }

  padding(sec: SectionState, st: Extract<Stmt, { k: 'align' }>, pad: number): Uint8Array {
    const bytes = new Uint8Array(pad);
    if (st.fill !== undefined) {
      bytes.fill(Number(BigInt.asUintN(8, this.value(st.fill, st.addr).value)));
      return bytes;
    }
    if (!sec.exec) return bytes;
    let k = pad % 2; // an odd byte stays zero
    if ((pad - k) % 4 === 2 && st.rvc) {
      bytes[k] = 0x01; // c.nop
      k += 2;
    }
    for (; k + 4 <= pad; k += 4) new DataView(bytes.buffer).setUint32(k, nop32(), true);
    return bytes;
  }

  instruction(sec: SectionState, st: Extract<Stmt, { k: 'insn' }>, image: Uint8Array | undefined): number {
    const chosen = st.cache ?? this.chooseEncodings(st);
    let offset = 0;
    for (const c of chosen) {
      if (image) {
        try {
          const enc = encodeRow(c.row, c.fields);
          const bytes = Array.from({ length: enc.length }, (_, k) => (enc.word >>> (8 * k)) & 0xff);
          this.write(sec, image, st, offset, bytes);
        } catch (e) {
          if (!(e instanceof EncodeError)) throw e;
          throw new EmitFail(e.code === 'ISA_RANGE' ? 'ASM_RANGE' : 'ASM_SYNTAX', e.message.replace(/^[\w.]+: /, `${st.form.mnemonic}: `));
        }
      }
      offset += c.row.length;
    }
    return offset;
  }

  /** Expand the statement at its current address and pick compressed forms where allowed. */
  chooseEncodings(st: Extract<Stmt, { k: 'insn' }>): RowFields[] {
    let layoutDependent = false;
    const value = (e: Expr): ExprValue => {
      const v = evalExpr(e, this.evalCtx(st.addr, st.args));
      if (v.layout) layoutDependent = true;
      return v;
    };
    const ctx: ExpandContext = {
      // An expansion that reads pc (pc-relative sequences, even to an absolute symbol) depends on the layout.
      get pc() {
        layoutDependent = true;
        return st.addr;
      },
      exts: st.exts,
      value,
      csr: (a) => {
        if (a.cls !== 'csr') throw new EmitFail('ASM_SYNTAX', 'expected a CSR');
        if (a.csr !== undefined) return a.csr;
        const v = value(a.expr!).value;
        if (v < 0n || v > 4095n) throw new EmitFail('ASM_RANGE', `CSR number ${v} out of range [0, 4095]`, a.span.column);
        return Number(v);
      },
    };
    const insns: MachineInsn[] = st.form.row ? [expandRow(st.form.row, st.args, ctx)] : st.form.expand!(st.args, ctx);
    let offset = 0;
    const out: RowFields[] = insns.map((mi, idx) => {
      const row = insnRow(mi.mnemonic)!;
      const fields = { ...mi.fields };
      if (mi.mode === 'relax' && idx > 0) fields.imm = (fields.imm ?? 0) - offset;
      let chosen: RowFields = { row, fields };
      const mayCompress = mi.mode === 'auto' || (mi.mode === 'relax' && this.pass > 0 && !st.locked[idx]);
      if (row.length === 4 && mayCompress) {
        const c = compress(mi.mnemonic, fields, st.exts as ReadonlySet<Extension>);
        if (c) chosen = c;
      }
      const isCompressed = chosen.row !== row;
      if (mi.mode === 'relax' && st.compressed[idx] && !isCompressed) st.locked[idx] = true;
      st.compressed[idx] = isCompressed;
      offset += chosen.row.length;
      return chosen;
    });
    if (!layoutDependent) st.cache = out;
    return out;
  }
}

function sectionOrder(parsed: ParsedSource): SectionState[] {
  const all = [...parsed.sections.values()];
  const text = parsed.sections.get('.text')!;
  const used = all.filter((s) => s === text || s.stmts.length > 0);
  return [text, ...used.filter((s) => s !== text && s.alloc), ...used.filter((s) => !s.alloc)];
}

function buildSymbols(layout: Layout, parsed: ParsedSource): AssembledSymbol[] {
  const out: AssembledSymbol[] = [];
  for (const [name, sym] of layout.symbols) {
    if (name.startsWith('.L') || name.includes('\u0002')) continue;
    const attrs = parsed.attrs.get(name) ?? {};
    out.push({
      name,
      value: Number(BigInt.asUintN(64, sym.value)),
      size: layout.sizes.get(name) ?? 0,
      type: attrs.type ?? 'notype',
      binding: attrs.binding ?? 'local',
      ...(sym.section !== undefined ? { section: sym.section } : {}),
    });
  }
  return out;
}

/**
 * Assemble GNU-as style RISC-V source; throws AsmError listing every problem found.
 *
 * Conventions: with C enabled (-march ...c or `.option rvc`) eligible instructions are compressed like
 * GNU as / llvm-mc do; a branch or jump to a label is compressed when its offset fits after layout
 * relaxation (iterated to a fixpoint; once a branch had to grow back it stays 32-bit); address-dependent
 * sequences (la/lla/call/tail, %hi/%lo/%pcrel operands, symbol loads/stores) are never compressed. A plain
 * number as a branch/jump target is a byte offset (llvm-mc semantics); a symbol or `.`-expression is an address.
 */
export function assemble(source: string, opts: AssembleOptions = {}): AssembledProgram {
  const file = opts.file ?? '<input>';
  const march = opts.march ?? DEFAULT_MARCH;
  const exts = parseMarch(march);
  if (!exts) throw new AsmError([{ code: 'ASM_MARCH', file, line: 0, column: 0, message: `bad -march '${march}' (expected e.g. rv64imac, rv64gc)` }]);
  const base = opts.base ?? 0x80000000;
  const parsed = parseSource(source, file, exts);
  if (parsed.diagnostics.length) throw new AsmError(parsed.diagnostics);
  const order = sectionOrder(parsed);
  const layout = new Layout(parsed, order, file, base, opts.sectionAddrs ?? {});
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    layout.pass = pass;
    if (!layout.runPass() && pass > 0) break;
  }
  layout.final = true;
  layout.pass = MAX_PASSES;
  if (layout.runPass() && layout.diagnostics.length === 0) {
    layout.diagnostics.push({ code: 'ASM_LAYOUT', file, line: 0, column: 0, message: 'section layout did not converge' });
  }
  if (layout.diagnostics.length) throw new AsmError(layout.diagnostics);
  const sections: AssembledSection[] = order.map((s) => ({
    name: s.name,
    addr: s.addr,
    data: layout.images.get(s.name) ?? new Uint8Array(0),
    size: s.size,
    align: Math.max(s.align, s.exec ? (exts.has('C') ? 2 : 4) : 1),
    alloc: s.alloc,
    exec: s.exec,
    write: s.write,
    nobits: s.nobits,
  }));
  const symbols = buildSymbols(layout, parsed);
  const start = layout.symbols.get('_start');
  const text = sections[0]!;
  return {
    sections,
    symbols,
    entry: start?.isLabel ? Number(start.value) : text.addr,
    march,
    rvc: exts.has('C'),
  };
}
