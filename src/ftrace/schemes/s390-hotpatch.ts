// s390-style three-stage hotpatching in RISC-V form (seed 004, s390 de5012b41e5c): a branch whose condition flips, a per-function second stage, a shared third stage.
import { concatBytes, u32le, u64le } from '../bytes.js';
import { FtraceError } from '../errors.js';
import { encode } from '../../isa/index.js';
import { auipcT0For, jalrT0For, NOP4 } from '../insn.js';
import type { GlobalWrite, SiteWrite } from '../patch-plan.js';
import type { DynFtrace, SiteState } from '../records.js';
import type { RuntimeSymbols } from '../runtime-symbols.js';
import { hotpatchLayoutKind, isHotpatchLayout, type SiteLayout } from '../site-layout.js';
import { HOTPATCH_STAGE2_BYTES, HOTPATCH_STAGE2_OPS, hotpatchSource } from '../../guest/asm/hotpatch.js';
import type { SchemeDescriptor } from './descriptor.js';
import type { CallSiteScheme } from './scheme.js';

export const S390_HOTPATCH_SCHEME_SYMBOLS = ['ftrace_caller', 'ftrace_hotpatch_stage3', 'ftrace_nop_ops'] as const;

/** The flag that builds the scheme's layout: 24 bytes of NOPs before each entry (the second stage), 4 at it (stage 1). */
export function hotpatchPatchableEntry(rvc: boolean): string {
  return rvc ? '-fpatchable-function-entry=14,12' : '-fpatchable-function-entry=7,6';
}

/** Address of a record's second stage: the 24 pre-entry NOP bytes of its patch area, right before the function. */
export function stage2Addr(rec: DynFtrace): number {
  return rec.funcAddr - HOTPATCH_STAGE2_BYTES;
}

/** Reach of the second stage's `jal` (±1 MiB); beyond it the stage calls stage 3 with `auipc` + `jalr` (±2 GiB). */
const JAL_REACH = 1 << 20;

/**
 * Where stage 1 branches into the second stage, as an offset from it: +4, the `jal t0, stage3`, when stage 3 is within
 * the jal's reach (the first word is padding), else +0, `auipc t0` + `jalr t0` (a function far from the runtime, e.g.
 * a Linux program). Either way t0 = stage 2 + 8 when stage 3 starts, as s390's brasl leaves %r0 after itself.
 */
export function stage2EntryOffset(stage2: number, stage3: number): 0 | 4 {
  const d = stage3 - (stage2 + 4);
  return d >= -JAL_REACH && d < JAL_REACH ? 4 : 0;
}

/** `bne x0, x0, off` (enable = false) or `beq x0, x0, off`: the same word but for funct3 bit 12. */
export function stage1Word(off: number, enabled: boolean): number {
  if (off < -4096 || off > 4094 || off % 2 !== 0) throw new FtraceError('FTRACE_OUT_OF_REACH', `a branch cannot reach ${off} bytes away`);
  return encode(enabled ? 'beq' : 'bne', { rs1: 0, rs2: 0, imm: off }).word >>> 0;
}

/**
 * The layout is s390's -mhotpatch=pre-halfwords,post-halfwords in RISC-V form (-fpatchable-function-entry=14,12 with
 * C, =7,6 without, functions 8-aligned): the compiler leaves the second stage's 24 bytes as NOPs right before the
 * entry and one 4-byte slot at it, so a disabled site is one not-taken branch.
 * arch/s390/kernel/ftrace.c (v5.15 hotpatch): ftrace_init_nop fills the second stage and points the first-stage branch
 * at it with the mask off; ftrace_make_call / ftrace_make_nop only flip the condition (one aligned 4-byte store, one
 * bit changed); ftrace_modify_call has nothing to do at the site (here: the stage-2 ops changes, as a CALL_OPS
 * literal would).
 */
export class S390HotpatchScheme implements CallSiteScheme {
  readonly name = 's390-hotpatch';
  readonly callOps = true;
  readonly requiredSymbols = S390_HOTPATCH_SCHEME_SYMBOLS;
  private readonly caller: number;
  private readonly stage3: number;
  private readonly nopOps: number;

  constructor(symbols: RuntimeSymbols) {
    symbols.require(S390_HOTPATCH_SCHEME_SYMBOLS, 'the s390-hotpatch scheme');
    this.caller = symbols.get('ftrace_caller');
    this.stage3 = symbols.get('ftrace_hotpatch_stage3');
    this.nopOps = symbols.get('ftrace_nop_ops');
  }

  /** Only the hotpatch layout: the second stage's 24 bytes before the (8-aligned) entry, one 4-byte slot at it. */
  checkLayout(layout: SiteLayout): void {
    if (!isHotpatchLayout(layout)) {
      const rvc = layout.nopBytes === 2;
      throw new FtraceError(
        'FTRACE_BAD_LAYOUT',
        `the s390-hotpatch scheme needs its 24-byte second stage in NOPs right before each 8-aligned entry and one 4-byte slot at it ` +
          `(layout ${hotpatchLayoutKind(rvc)}), but layout ${layout.kind} has ${layout.preEntryBytes} bytes before the entry and ${layout.entryBytes} at it: ` +
          `build with ${hotpatchPatchableEntry(rvc)} -falign-functions=8`,
      );
    }
  }

  disabledState(_rec: DynFtrace): SiteState {
    return { call: null, literal: this.nopOps };
  }

  /**
   * Stage 2 (padding + `jal t0, stage3`, or `auipc t0` + `jalr t0` when stage 3 is far; resume = func + 4;
   * &ftrace_nop_ops) over the pre-entry NOPs, then stage 1 `bne x0, x0, stage2 entry` over the entry slot: the only
   * instruction a disabled call executes.
   */
  initSite(rec: DynFtrace, compilerBytes: Uint8Array): SiteWrite[] {
    const s2 = stage2Addr(rec);
    const call =
      stage2EntryOffset(s2, this.stage3) === 4
        ? concatBytes(u32le(NOP4), u32le(encode('jal', { rd: 't0', imm: this.stage3 - (s2 + 4) }).word >>> 0))
        : concatBytes(u32le(auipcT0For(s2, this.stage3)), u32le(jalrT0For(s2, this.stage3))); // FTRACE_OUT_OF_REACH beyond ±2 GiB
    const stage2 = concatBytes(call, u64le(rec.funcAddr + rec.layout.entryBytes), u64le(this.nopOps));
    return [
      { ip: rec.ip, symbol: rec.symbol, kind: 'literal', addr: s2, old: compilerBytes.slice(0, HOTPATCH_STAGE2_BYTES), new: stage2 },
      { ip: rec.ip, symbol: rec.symbol, kind: 'insn', addr: rec.funcAddr, old: compilerBytes.slice(HOTPATCH_STAGE2_BYTES), new: u32le(this.stage1(rec, false)) },
    ];
  }

  /** The ops first (stage 2), then the mask flip: a hart that takes the branch always finds a valid ops. */
  makeCall(rec: DynFtrace, to: SiteState): SiteWrite[] {
    return [...this.opsWrite(rec, rec.state.literal, to.literal), this.flip(rec, true)];
  }

  makeNop(rec: DynFtrace): SiteWrite[] {
    return [this.flip(rec, false), ...this.opsWrite(rec, rec.state.literal, this.nopOps)];
  }

  modifyCall(rec: DynFtrace, to: SiteState): SiteWrite[] {
    return this.opsWrite(rec, rec.state.literal, to.literal);
  }

  /** Stage 3 enters only ftrace_caller. */
  canReach(_rec: DynFtrace, target: number): boolean {
    return target === this.caller;
  }

  updateFtraceFunc(): GlobalWrite[] {
    return [];
  }

  setFunctionTraceOp(): GlobalWrite[] {
    return [];
  }

  /** The stage-1 word of a record: a branch to its second stage's entry. */
  private stage1(rec: DynFtrace, on: boolean): number {
    const s2 = stage2Addr(rec);
    return stage1Word(s2 + stage2EntryOffset(s2, this.stage3) - rec.funcAddr, on);
  }

  private flip(rec: DynFtrace, on: boolean): SiteWrite {
    return { ip: rec.ip, symbol: rec.symbol, kind: 'insn', addr: rec.funcAddr, old: u32le(this.stage1(rec, !on)), new: u32le(this.stage1(rec, on)) };
  }

  private opsWrite(rec: DynFtrace, from: number | null, to: number | null): SiteWrite[] {
    if (to === null) throw new FtraceError('FTRACE_BAD_SITE', 's390-hotpatch: a calling site needs an ops in its second stage');
    if (from === to) return [];
    return [{ ip: rec.ip, symbol: rec.symbol, kind: 'literal', addr: stage2Addr(rec) + HOTPATCH_STAGE2_OPS, old: u64le(from ?? 0), new: u64le(to) }];
  }
}

export const S390_HOTPATCH_SCHEME: SchemeDescriptor = {
  name: 's390-hotpatch',
  summary:
    's390 hotpatching in RISC-V form: the entry branch flips bne x0,x0 (off) <-> beq x0,x0 (on) to a per-function ' +
    'second stage before the entry (jal to the shared third stage, resume address, ops) that enters ftrace_caller with the function\'s ops',
  models: 'arch/s390/kernel/ftrace.c hotpatch (de5012b41e5c, v5.15; 20210728212546.128248-1-iii@linux.ibm.com), RISC-V form',
  protocol: 'atomic',
  regsCaller: false,
  listFuncRegs: 'none',
  needsOpsLiteral: false,
  siteLayout: hotpatchLayoutKind,
  patchableEntry: hotpatchPatchableEntry,
  disabledInsns: 1,
  guestSource: () => hotpatchSource(),
  create: (s) => new S390HotpatchScheme(s),
};
