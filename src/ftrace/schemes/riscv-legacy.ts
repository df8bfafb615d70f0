// The pre-6.16 RISC-V site: `nop; nop` <-> `auipc t0; jalr t0` rewritten whole (under stop_machine), a patched `call` in ftrace_caller.
import { concatBytes, u32le } from '../bytes.js';
import { FtraceError } from '../errors.js';
import { auipcT0For, jalrT0For, NOP4 } from '../insn.js';
import { encodeAuipc, encodeJalr, splitHiLo } from '../../isa/index.js';
import type { GlobalWrite, SiteWrite } from '../patch-plan.js';
import type { DynFtrace, SiteState } from '../records.js';
import type { RuntimeSymbols } from '../runtime-symbols.js';
import type { SiteLayout } from '../site-layout.js';
import { globalWrite } from './riscv-site.js';
import type { CallSiteScheme } from './scheme.js';
import type { SchemeDescriptor } from './descriptor.js';
import { legacyTrampolinesSource } from '../../guest/asm/legacy-caller.js';

export const RISCV_LEGACY_SCHEME_SYMBOLS = [
  'ftrace_caller', 'ftrace_regs_caller', 'ftrace_call', 'ftrace_regs_call', 'function_trace_op',
] as const;

const NOP_PAIR = concatBytes(u32le(NOP4), u32le(NOP4));

/** `auipc ra, hi ; jalr ra, lo(ra)` at `pc` calling `target` (the `call` the old ftrace_update_ftrace_func rewrote). */
function callRaPair(pc: number, target: number): Uint8Array {
  const off = target - pc;
  if (!Number.isSafeInteger(off) || off < -0x80000800 || off > 0x7ffff7ff) {
    throw new FtraceError('FTRACE_OUT_OF_REACH', `call at 0x${pc.toString(16)} cannot reach 0x${target.toString(16)}`);
  }
  const { hi20, lo12 } = splitHiLo(off);
  return concatBytes(u32le(encodeAuipc('ra', hi20 & 0xfffff) >>> 0), u32le(encodeJalr('ra', 'ra', lo12) >>> 0));
}

/**
 * arch/riscv/kernel/ftrace.c before the 881dadf0792c series: ftrace_make_call/ftrace_make_nop write both words of the
 * site (8 bytes: two 4-byte stores, so only safe while no hart runs the function: stop_machine), ftrace_modify_call
 * too, and ftrace_update_ftrace_func rewrites the `call` at ftrace_call and ftrace_regs_call.
 */
export class RiscvLegacyScheme implements CallSiteScheme {
  readonly name = 'riscv-legacy';
  readonly callOps = false;
  readonly requiredSymbols = RISCV_LEGACY_SCHEME_SYMBOLS;

  constructor(private readonly symbols: RuntimeSymbols) {
    symbols.require(RISCV_LEGACY_SCHEME_SYMBOLS, 'the riscv-legacy scheme');
  }

  checkLayout(layout: SiteLayout): void {
    if (layout.entryBytes < 8) {
      throw new FtraceError('FTRACE_BAD_LAYOUT', `the riscv-legacy scheme needs two 4-byte words at the entry: build with ${layout.nopBytes === 2 ? '-fpatchable-function-entry=4' : '-fpatchable-function-entry=2'}`);
    }
  }

  disabledState(_rec: DynFtrace): SiteState {
    return { call: null, literal: null };
  }

  /** ftrace_init_nop = ftrace_make_nop on the compiler's NOPs: `nop; nop` (the pre-entry NOPs are left alone). */
  initSite(rec: DynFtrace, compilerBytes: Uint8Array): SiteWrite[] {
    const entry = compilerBytes.slice(rec.layout.preEntryBytes);
    return [this.pairWrite(rec, entry, NOP_PAIR)];
  }

  makeCall(rec: DynFtrace, to: SiteState): SiteWrite[] {
    return [this.pairWrite(rec, NOP_PAIR, this.pair(rec, to.call))];
  }

  makeNop(rec: DynFtrace): SiteWrite[] {
    return [this.pairWrite(rec, this.pair(rec, rec.state.call), NOP_PAIR)];
  }

  modifyCall(rec: DynFtrace, to: SiteState): SiteWrite[] {
    if (rec.state.call === to.call) return [];
    return [this.pairWrite(rec, this.pair(rec, rec.state.call), this.pair(rec, to.call))];
  }

  /** Both words change, so any target within auipc+jalr's ±2 GiB is reachable. */
  canReach(rec: DynFtrace, target: number): boolean {
    const off = target - rec.funcAddr;
    return off >= -0x80000800 && off <= 0x7ffff7ff;
  }

  /** ftrace_update_ftrace_func: rewrite `call ftrace_stub` at ftrace_call and at ftrace_regs_call. */
  updateFtraceFunc(prev: number, next: number, phase: GlobalWrite['phase']): GlobalWrite[] {
    if (prev === next) return [];
    return ['ftrace_call', 'ftrace_regs_call'].map((label) => {
      const at = this.symbols.get(label);
      return { name: label, addr: at, phase, old: callRaPair(at, prev), new: callRaPair(at, next) };
    });
  }

  setFunctionTraceOp(prev: number, next: number): GlobalWrite[] {
    return globalWrite('function_trace_op', this.symbols.get('function_trace_op'), prev, next, 'after-sites');
  }

  private pair(rec: DynFtrace, call: number | null): Uint8Array {
    if (call === null) return NOP_PAIR;
    return concatBytes(u32le(auipcT0For(rec.funcAddr, call)), u32le(jalrT0For(rec.funcAddr, call)));
  }

  private pairWrite(rec: DynFtrace, old: Uint8Array, nu: Uint8Array): SiteWrite {
    return { ip: rec.ip, symbol: rec.symbol, kind: 'insn', addr: rec.funcAddr, old, new: nu };
  }
}

export const RISCV_LEGACY_SCHEME: SchemeDescriptor = {
  name: 'riscv-legacy',
  summary:
    'RISC-V before 6.16: both words of the site (auipc t0 + jalr t0) are rewritten under stop_machine; ftrace_caller ' +
    'saves a pt_regs frame and calls through a patched `call` (function_trace_op; the list func with more than one ops)',
  models: 'arch/riscv/kernel/mcount-dyn.S and ftrace.c with DYNAMIC_FTRACE_WITH_REGS, before the 881dadf0792c series (torvalds/linux 00c1d298d486)',
  protocol: 'stop-machine',
  regsCaller: true,
  listFuncRegs: 'pt_regs',
  needsOpsLiteral: false,
  patchableEntry: (rvc) => (rvc ? '-fpatchable-function-entry=4' : '-fpatchable-function-entry=2'),
  disabledInsns: 2,
  guestSource: () => legacyTrampolinesSource(),
  create: (s) => new RiscvLegacyScheme(s),
};
