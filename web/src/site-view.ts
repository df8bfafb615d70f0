// The site inspector's data: one function's patch area before and after the last plan, disassembled, with the plan's writes marked.
import type { DynFtrace } from '../../src/ftrace/records.js';
import { planWriteOrder } from '../../src/ftrace/patch-plan.js';
import { hasOpsLiteral, literalAddr, patchAreaSize, patchAreaStart } from '../../src/ftrace/site-layout.js';
import { disassembleWord } from '../../src/isa/disasm.js';
import type { Lab } from '../../src/lab/lab.js';

/** One line of the listing: an instruction, or the CALL_OPS literal as data. */
export interface SiteRow {
  readonly addr: number;
  readonly length: number;
  /** Raw bytes as objdump prints them (instruction word or parcel, little-endian value). */
  readonly raw: string;
  readonly text: string;
  /** Where an `auipc t0` + `jalr t0` pair (or the literal) points, symbolized. */
  readonly note: string;
  /** Did the last plan write any byte of this row? */
  readonly written: boolean;
  /** Part of the patchable area (false: the first instructions of the body, for context). */
  readonly patchable: boolean;
}

/** One write of the last plan that lands in the area. */
export interface SiteWriteLine {
  readonly addr: number;
  readonly what: string;
  readonly old: string;
  readonly new: string;
}

export interface SiteView {
  readonly symbol: string;
  readonly ip: number;
  readonly areaStart: number;
  readonly areaSize: number;
  readonly scheme: string;
  readonly layout: string;
  /** Reference count of the record (how many ops trace the function). */
  readonly refcount: number;
  readonly before: readonly SiteRow[];
  readonly after: readonly SiteRow[];
  readonly writes: readonly SiteWriteLine[];
}

/** Body bytes shown after the patch area. */
const CONTEXT_BYTES = 12;

const hex = (v: number) => '0x' + v.toString(16);
const hexBytes = (b: Uint8Array | null) => (b === null ? '(new)' : [...b].map((x) => x.toString(16).padStart(2, '0')).join(' '));

/** Names the page can give an address: registered ops, runtime symbols, functions. */
function addressNamer(lab: Lab): (addr: number) => string {
  const ops = new Map<number, string>();
  for (const o of lab.core.registeredOps()) {
    const a = lab.core.opsAddr(o);
    if (a !== undefined) ops.set(a, o.name);
  }
  const runtime = new Map<number, string>();
  for (const [name, addr] of lab.guest.symbols) if (!runtime.has(addr)) runtime.set(addr, name);
  return (addr) => ops.get(addr) ?? runtime.get(addr) ?? lab.guest.symbolizer.nameOf(addr);
}

const signExtend = (v: number, bits: number) => (v << (32 - bits)) >> (32 - bits);

/** Disassemble `bytes` at `base`; the CALL_OPS literal slot (if any) becomes one data row. */
function listing(bytes: Uint8Array, base: number, written: Uint8Array, patchEnd: number, literal: number | null, name: (a: number) => string): SiteRow[] {
  const rows: SiteRow[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const anyWritten = (off: number, len: number) => written.subarray(off, off + len).some((b) => b !== 0);
  let prevAuipc: { pc: number; hi: number } | null = null;
  for (let off = 0; off < bytes.length; ) {
    const pc = base + off;
    if (literal !== null && pc === literal && off + 8 <= bytes.length) {
      const v = Number(dv.getBigUint64(off, true));
      rows.push({ addr: pc, length: 8, raw: v.toString(16).padStart(16, '0'), text: `.8byte\t${hex(v)}`, note: `ops literal -> ${name(v)}`, written: anyWritten(off, 8), patchable: true });
      off += 8;
      prevAuipc = null;
      continue;
    }
    if (off + 2 > bytes.length) break;
    const half = dv.getUint16(off, true);
    const wide = (half & 3) === 3;
    if (wide && off + 4 > bytes.length) break; // the context ends inside an instruction
    const word = wide ? dv.getUint32(off, true) : half;
    const insn = disassembleWord(word, pc, { symbolize: (a) => name(a) });
    const len = insn.length;
    let note = '';
    // auipc t0, hi ; jalr t0, lo(t0): the call target of a site.
    if (wide && (word & 0x7f) === 0x17 && ((word >>> 7) & 31) === 5) prevAuipc = { pc, hi: word & 0xfffff000 };
    else {
      if (wide && prevAuipc && (word & 0x7f) === 0x67 && ((word >>> 15) & 31) === 5) {
        const target = prevAuipc.pc + (prevAuipc.hi | 0) + signExtend(word >>> 20, 12);
        note = `calls ${name(target)}`;
      }
      prevAuipc = null;
    }
    rows.push({
      addr: pc,
      length: len,
      raw: wide ? word.toString(16).padStart(8, '0') : half.toString(16).padStart(4, '0'),
      text: insn.text,
      note,
      written: anyWritten(off, len),
      patchable: pc < patchEnd,
    });
    off += len;
  }
  return rows;
}

/** The record of a patchable function, by name. */
export function findRecord(lab: Lab, name: string): DynFtrace | undefined {
  return lab.core.records.lookupName(name.trim())[0];
}

/** Before/after listings of `name`'s patch area around the last plan. */
export function siteView(lab: Lab, name: string): SiteView {
  const rec = findRecord(lab, name);
  if (!rec) throw new Error(`'${name}' is not a patchable function of this guest`);
  const start = patchAreaStart(rec.layout, rec.ip);
  const size = patchAreaSize(rec.layout);
  const len = size + CONTEXT_BYTES;
  const after = lab.machine.memory.read(start, len).slice();
  const before = after.slice();
  const written = new Uint8Array(len);
  const writes: SiteWriteLine[] = [];
  const ordered = planWriteOrder(lab.ftrace.plan());
  // Undo the plan's writes to this area, newest first, to get the bytes before it.
  for (let i = ordered.length - 1; i >= 0; i--) {
    const w = ordered[i]!;
    if (w.addr + w.new.length <= start || w.addr >= start + size) continue;
    for (let k = 0; k < w.new.length; k++) {
      const off = w.addr + k - start;
      if (off < 0 || off >= len) continue;
      written[off] = 1;
      if (w.old) before[off] = w.old[k]!;
    }
    writes.unshift({ addr: w.addr, what: w.what, old: hexBytes(w.old), new: hexBytes(w.new) });
  }
  const name2 = addressNamer(lab);
  const literal = lab.core.scheme.callOps && hasOpsLiteral(rec.layout) ? literalAddr(rec.ip) : null;
  return {
    symbol: rec.symbol,
    ip: rec.ip,
    areaStart: start,
    areaSize: size,
    scheme: lab.core.scheme.name,
    layout: rec.layout.kind,
    refcount: rec.count,
    before: listing(before, start, written, start + size, literal, name2),
    after: listing(after, start, written, start + size, literal, name2),
    writes,
  };
}
