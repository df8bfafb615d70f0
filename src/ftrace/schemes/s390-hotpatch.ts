// s390-style three-stage hotpatching in RISC-V form (seed 004, s390 de5012b41e5c): a branch whose condition flips, a per-function second stage, a shared third stage.
import { concatBytes, u32le, u64le } from '../bytes.js';
import { FtraceError } from '../errors.js';
import { encode } from '../../isa/index.js';
import { NOP4 } from '../insn.js';
import type { GlobalWrite, SiteWrite } from '../patch-plan.js';
import type { DynFtrace, SiteState } from '../records.js';
import type { RuntimeSymbols } from '../runtime-symbols.js';
import type { SiteLayout } from '../site-layout.js';
import { HOTPATCH_STAGE2_OPS, HOTPATCH_STAGE2_RESUME, hotpatchSource } from '../../guest/asm/hotpatch.js';
import { HOTPATCH_STAGE2_BYTES } from '../../workload/synthetic-kernel.js';
import type { SchemeDescriptor } from './descriptor.js';
import type { CallSiteScheme } from './scheme.js';

export const S390_HOTPATCH_SCHEME_SYMBOLS = ['ftrace_caller', 'ftrace_hotpatch_stage3', 'ftrace_nop_ops'] as const;

/** Address of a record's second stage: the 24 reserved bytes right before its patch area. */
export function stage2Addr(rec: DynFtrace): number {
  return rec.funcAddr - rec.layout.preEntryBytes - HOTPATCH_STAGE2_BYTES;
}

/** `bne x0, x0, off` (enable = false) or `beq x0, x0, off`: the same word but for funct3 bit 12. */
export function stage1Word(off: number, enabled: boolean): number {
  if (off < -4096 || off > 4094 || off % 2 !== 0) throw new FtraceError('FTRACE_OUT_OF_REACH', `a branch cannot reach ${off} bytes away`);
  return encode(enabled ? 'beq' : 'bne', { rs1: 0, rs2: 0, imm: off }).word >>> 0;
}

/**
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

  checkLayout(_layout: SiteLayout): void {
    // every layout has the 8 entry bytes (the branch + a nop); the second stages are checked per site (reserved zeros)
  }

  disabledState(_rec: DynFtrace): SiteState {
    return { call: null, literal: this.nopOps };
  }

  /** Stage 2 (jal to stage 3, resume, &ftrace_nop_ops) into the reserved zeros, then stage 1 `bne` + `nop` at the entry. */
  initSite(rec: DynFtrace, compilerBytes: Uint8Array): SiteWrite[] {
    const s2 = stage2Addr(rec);
    const jal = encode('jal', { rd: 't0', imm: this.stage3 - s2 }).word >>> 0;
    const stage2 = concatBytes(u32le(jal), u32le(NOP4), u64le(rec.funcAddr + 8), u64le(this.nopOps));
    const entry = compilerBytes.slice(rec.layout.preEntryBytes);
    return [
      { ip: rec.ip, symbol: rec.symbol, kind: 'literal', addr: s2, old: new Uint8Array(HOTPATCH_STAGE2_BYTES), new: stage2 },
      { ip: rec.ip, symbol: rec.symbol, kind: 'insn', addr: rec.funcAddr, old: entry, new: concatBytes(u32le(stage1Word(s2 - rec.funcAddr, false)), u32le(NOP4)) },
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

  private flip(rec: DynFtrace, on: boolean): SiteWrite {
    const off = stage2Addr(rec) - rec.funcAddr;
    return { ip: rec.ip, symbol: rec.symbol, kind: 'insn', addr: rec.funcAddr, old: u32le(stage1Word(off, !on)), new: u32le(stage1Word(off, on)) };
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
    'second stage (jal to the shared third stage, resume address, ops) that enters ftrace_caller with the function\'s ops',
  models: 'arch/s390/kernel/ftrace.c hotpatch (de5012b41e5c, v5.15; 20210728212546.128248-1-iii@linux.ibm.com), RISC-V form',
  protocol: 'atomic',
  regsCaller: false,
  listFuncRegs: 'none',
  needsOpsLiteral: false,
  hotpatchStage2: true,
  patchableEntry: (rvc) => (rvc ? '-fpatchable-function-entry=4' : '-fpatchable-function-entry=2'),
  disabledInsns: 2,
  guestSource: () => hotpatchSource(),
  create: (s) => new S390HotpatchScheme(s),
};
