// Bytes of the RISC-V v6.16 fixed-auipc patch site (auipc t0 frozen on ftrace_caller, only the jalr word at ip changes).
import { concatBytes, u32le, u64le } from '../bytes.js';
import { auipcHi20For, auipcT0For, jalrT0For, NOP4 } from '../insn.js';
import type { GlobalWrite, SiteWrite } from '../patch-plan.js';
import type { DynFtrace } from '../records.js';
import { literalAddr } from '../site-layout.js';

/** The auipc word every enabled or disabled site holds at its entry: `auipc t0, hi(ftrace_caller - func)`. */
export function frozenAuipc(rec: DynFtrace, ftraceCaller: number): number {
  return auipcT0For(rec.funcAddr, ftraceCaller);
}

const NOP4_BYTES = u32le(NOP4);

/** The word at ip for a state: `nop` or `jalr t0, lo(target - func)(t0)`. (Plan bytes are read-only, so `nop` is shared.) */
export function jalrWord(rec: DynFtrace, call: number | null): Uint8Array {
  return call === null ? NOP4_BYTES : u32le(jalrT0For(rec.funcAddr, call));
}

/**
 * Literal values are few (&ftrace_nop_ops, &ftrace_list_ops, one address per registered ops) and written to thousands
 * of sites per update: their bytes are shared, read-only, from a small cache.
 */
const literalBytes = new Map<number, Uint8Array>();
function u64leShared(v: number): Uint8Array {
  let b = literalBytes.get(v);
  if (!b) {
    if (literalBytes.size >= 1024) literalBytes.clear();
    b = u64le(v);
    literalBytes.set(v, b);
  }
  return b;
}

/** The jalr only varies the low 12 bits: `target` must share the frozen auipc's rounded hi20. */
export function reachesFromFrozenAuipc(rec: DynFtrace, ftraceCaller: number, target: number): boolean {
  try {
    return auipcHi20For(rec.funcAddr, target) === auipcHi20For(rec.funcAddr, ftraceCaller);
  } catch {
    return false;
  }
}

/** ftrace_init_nop's one 8-byte write at the entry: `auipc t0, hi(ftrace_caller)` + `nop`. */
export function initEntryWrite(rec: DynFtrace, ftraceCaller: number, compilerEntry: Uint8Array): SiteWrite {
  return {
    ip: rec.ip,
    symbol: rec.symbol,
    kind: 'insn',
    addr: rec.funcAddr,
    old: compilerEntry,
    new: concatBytes(u32le(frozenAuipc(rec, ftraceCaller)), u32le(NOP4)),
  };
}

/** A write of the jalr word, or nothing when it does not change. */
export function jalrWrite(rec: DynFtrace, from: number | null, to: number | null): SiteWrite[] {
  if (from === to) return [];
  const old = jalrWord(rec, from);
  const nu = jalrWord(rec, to);
  return [{ ip: rec.ip, symbol: rec.symbol, kind: 'insn', addr: rec.ip, old, new: nu }];
}

/** A write of the 8-byte CALL_OPS literal at ALIGN_DOWN(ip - 12, 8), or nothing when it does not change. */
export function literalWrite(rec: DynFtrace, from: Uint8Array | number | null, to: number): SiteWrite[] {
  if (from === to) return [];
  const old = from instanceof Uint8Array ? from : u64leShared(from ?? 0);
  return [{ ip: rec.ip, symbol: rec.symbol, kind: 'literal', addr: literalAddr(rec.ip), old, new: u64leShared(to) }];
}

/** A write of one u64 global of the guest runtime. */
export function globalWrite(name: string, addr: number, prev: number, next: number, phase: GlobalWrite['phase']): GlobalWrite[] {
  if (prev === next) return [];
  return [{ name, addr, phase, old: u64le(prev), new: u64le(next) }];
}
