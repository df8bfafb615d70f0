// Fast path for big kernels: lays out and encodes generated functions straight to machine code (same bytes the assembler would emit).
import { SITE_LAYOUTS, type SiteLayout, type SiteLayoutKind } from '../ftrace/site-layout.js';
import { WorkloadError } from './errors.js';
import { encodeInsn, type KernelInsn } from './kernel-insn.js';
import type { KernelSink } from './kernel-sink.js';

interface PendingFunction {
  readonly name: string;
  readonly body: readonly KernelInsn[];
  readonly patchable: boolean;
}

export interface MachineCodeSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
}

export interface EncodedKernel {
  readonly base: number;
  readonly bytes: Uint8Array;
  readonly symbols: readonly MachineCodeSymbol[];
  /** __patchable_function_entries values (first patchable NOP of each traceable function), in address order. */
  readonly pfeAddrs: readonly number[];
}

/** Collects functions, then `finish(base)` lays them out from `base` (8-aligned) and encodes them. */
export class MachineCodeKernel implements KernelSink {
  readonly layout: SiteLayout;
  private readonly fns: PendingFunction[] = [];
  private readonly names = new Set<string>();

  constructor(kind: SiteLayoutKind = 'rvc-8,4') {
    const layout = SITE_LAYOUTS[kind];
    if (!layout) throw new WorkloadError('WORKLOAD_BAD_OPTION', `unknown site layout '${String(kind)}'`);
    this.layout = layout;
  }

  private add(name: string, body: readonly KernelInsn[], patchable: boolean): void {
    if (this.names.has(name)) throw new WorkloadError('WORKLOAD_BAD_OPTION', `function '${name}' defined twice`);
    this.names.add(name);
    this.fns.push({ name, body, patchable });
  }

  addFunction(name: string, body: readonly KernelInsn[]): void {
    this.add(name, body, true);
  }

  addNotraceFunction(name: string, body: readonly KernelInsn[]): void {
    this.add(name, body, false);
  }

  /** Symbol names this kernel defines. */
  has(name: string): boolean {
    return this.names.has(name);
  }

  finish(base: number): EncodedKernel {
    if (!Number.isSafeInteger(base) || base % 8 !== 0) throw new WorkloadError('WORKLOAD_BAD_OPTION', `kernel base ${String(base)} must be 8-aligned`);
    const rvc = this.layout.nopBytes === 2;
    const noAddr = () => 0;
    const sizeOf = (i: KernelInsn) => (i.k === 'call' ? 8 : encodeInsn(i, 0, rvc, noAddr).reduce((s, e) => s + e.length, 0));
    // pass 1: addresses
    const at = new Map<string, number>();
    const starts: { pad: number; pfe: number; func: number; end: number }[] = [];
    let pc = base;
    for (const f of this.fns) {
      const align = f.patchable ? this.layout.functionAlign : 4;
      const pad = (align - (pc % align)) % align;
      const pfe = pc + pad;
      const func = f.patchable ? pfe + this.layout.preEntryBytes : pfe;
      const bodyStart = f.patchable ? func + this.layout.entryBytes : func;
      const end = f.body.reduce((p, i) => p + sizeOf(i), bodyStart);
      at.set(f.name, func);
      starts.push({ pad, pfe, func, end });
      pc = end;
    }
    // pass 2: bytes
    const bytes = new Uint8Array(pc - base);
    const dv = new DataView(bytes.buffer);
    const put = (addr: number, word: number, length: 2 | 4) => (length === 2 ? dv.setUint16(addr - base, word, true) : dv.setUint32(addr - base, word, true));
    const addrOf = (name: string) => {
      const a = at.get(name);
      if (a === undefined) throw new WorkloadError('WORKLOAD_BAD_OPTION', `call to undefined function '${name}'`);
      return a;
    };
    const nops = (from: number, count: number) => {
      for (let a = from; a < from + count; a += this.layout.nopBytes) put(a, rvc ? 0x0001 : 0x00000013, rvc ? 2 : 4);
    };
    const symbols: MachineCodeSymbol[] = [];
    const pfeAddrs: number[] = [];
    this.fns.forEach((f, idx) => {
      const s = starts[idx]!;
      // alignment padding as the assembler emits it in code: one c.nop if needed, then 4-byte nops
      let a = s.pfe - s.pad;
      if (s.pad % 4 === 2) {
        put(a, 0x0001, 2);
        a += 2;
      }
      for (; a < s.pfe; a += 4) put(a, 0x00000013, 4);
      let p = s.func;
      if (f.patchable) {
        nops(s.pfe, this.layout.preEntryBytes + this.layout.entryBytes);
        pfeAddrs.push(s.pfe);
        p = s.func + this.layout.entryBytes;
      }
      for (const i of f.body) {
        for (const e of encodeInsn(i, p, rvc, addrOf)) {
          put(p, e.word, e.length);
          p += e.length;
        }
      }
      symbols.push({ name: f.name, value: s.func, size: s.end - s.func });
    });
    return { base, bytes, symbols, pfeAddrs };
  }
}
