// Host view of one hart: integer registers, pc, privilege, CSRs (by number or name), counters, breakpoint, fault report.
import { csrName, csrNumber, fRegNumber, xRegNumber } from '../isa/index.js';
import type { EngineExports } from './engine.js';
import { MachineError, hex } from './errors.js';
import {
  H_BREAKPOINT, H_BREAKPOINT_ON, H_F, H_FAULT_CAUSE, H_FAULT_INSN, H_FAULT_PC, H_FAULT_PRIV, H_FAULT_TVAL, H_INSTRET,
  H_LAST_RUN, H_PC, H_PRIV, H_RETIRED, H_X, HART_BASE, HART_STATE_SIZE,
} from './layout.js';

/** Where and why a hart stopped in a trap storm (filled by the engine). */
export interface FaultReport {
  hart: number;
  pc: bigint;
  insn: number;
  cause: bigint;
  tval: bigint;
  /** Privilege the last trap was taken from: 'U' | 'S' | 'M'. */
  mode: 'U' | 'S' | 'M';
}

export const PRIV_NAMES = ['U', 'S', '?', 'M'] as const;

export class Hart {
  private readonly base: number;

  constructor(
    readonly index: number,
    private readonly wasm: WebAssembly.Memory,
    private readonly engine: EngineExports,
  ) {
    this.base = HART_BASE + index * HART_STATE_SIZE;
  }

  /** The machine's memory never grows (initial = maximum pages), so one view serves for its whole life. */
  private cachedView: DataView | undefined;
  private get view(): DataView {
    return (this.cachedView ??= new DataView(this.wasm.buffer));
  }

  private u64(off: number): bigint {
    return this.view.getBigUint64(this.base + off, true);
  }

  private setU64(off: number, v: bigint | number): void {
    this.view.setBigUint64(this.base + off, BigInt.asUintN(64, BigInt(v)), true);
  }

  /** Register number from 0..31, 'x5' or an ABI name ('t0'). */
  private reg(r: number | string): number {
    const n = typeof r === 'number' ? r : xRegNumber(r);
    if (n === undefined || !Number.isInteger(n) || n < 0 || n > 31) {
      throw new MachineError('MACHINE_BAD_REGISTER', `no integer register ${String(r)}`);
    }
    return n;
  }

  /** x register value (unsigned 64-bit). */
  x(r: number | string): bigint {
    return this.u64(H_X + 8 * this.reg(r));
  }

  /** Sets an x register (writes to x0 are ignored, like the hardware). */
  setX(r: number | string, v: bigint | number): void {
    const n = this.reg(r);
    if (n !== 0) this.setU64(H_X + 8 * n, v);
  }

  /** Register number from 0..31, 'f5' or an ABI name ('ft5'). */
  private freg(r: number | string): number {
    const n = typeof r === 'number' ? r : fRegNumber(r);
    if (n === undefined || !Number.isInteger(n) || n < 0 || n > 31) {
      throw new MachineError('MACHINE_BAD_REGISTER', `no floating-point register ${String(r)}`);
    }
    return n;
  }

  /** Raw 64 bits of an f register (single-precision values are NaN-boxed: upper 32 bits all ones). */
  f(r: number | string): bigint {
    return this.u64(H_F + 8 * this.freg(r));
  }

  /** Sets the raw 64 bits of an f register (box a single yourself: 0xffffffff_xxxxxxxx). */
  setF(r: number | string, v: bigint | number): void {
    this.setU64(H_F + 8 * this.freg(r), v);
  }

  get pc(): bigint {
    return this.u64(H_PC);
  }

  set pc(v: bigint | number) {
    this.setU64(H_PC, v);
  }

  /** Current privilege: 0 U, 1 S, 3 M. */
  get priv(): number {
    return this.view.getUint32(this.base + H_PRIV, true);
  }

  private csrNum(c: number | string): number {
    const n = typeof c === 'number' ? c : csrNumber(c);
    if (n === undefined || !Number.isInteger(n) || n < 0 || n > 0xfff) {
      throw new MachineError('MACHINE_BAD_CSR', `no CSR ${String(c)}`);
    }
    return n;
  }

  /** Reads a CSR by number or name (no privilege check). */
  csr(c: number | string): bigint {
    const n = this.csrNum(c);
    if (!this.engine.csrGet(this.index, n)) {
      throw new MachineError('MACHINE_BAD_CSR', `CSR ${csrName(n) ?? hex(n)} is not implemented`);
    }
    return BigInt.asUintN(64, this.engine.csrResult());
  }

  /** Writes a CSR by number or name (the CSR's WARL rules apply). */
  setCsr(c: number | string, v: bigint | number): void {
    const n = this.csrNum(c);
    if (!this.engine.csrSet(this.index, n, BigInt.asIntN(64, BigInt(v)))) {
      throw new MachineError('MACHINE_BAD_CSR', `CSR ${csrName(n) ?? hex(n)} is not implemented`);
    }
  }

  /** minstret (guest-visible, guest-writable). */
  get minstret(): bigint {
    return this.u64(H_INSTRET);
  }

  /** Instructions retired since reset (not affected by guest writes to minstret). */
  get retired(): bigint {
    return this.u64(H_RETIRED);
  }

  /** Instructions retired by the last run slice. */
  get lastRun(): number {
    return Number(this.u64(H_LAST_RUN));
  }

  /** Stops the hart before it executes the instruction at addr (virtual). */
  setBreakpoint(addr: number | bigint): void {
    this.setU64(H_BREAKPOINT, addr);
    this.view.setUint32(this.base + H_BREAKPOINT_ON, 1, true);
  }

  clearBreakpoint(): void {
    this.view.setUint32(this.base + H_BREAKPOINT_ON, 0, true);
  }

  /** Empties this hart's TLB (as if it executed sfence.vma): call it after editing page tables it may have cached. */
  flushTlb(): void {
    this.engine.flushTlb(this.index);
  }

  /** Empties this hart's decoded-instruction cache (as if it executed fence.i). */
  flushIcache(): void {
    this.engine.flushIcache(this.index);
  }

  /** The engine's record of the last trap (meaningful after a fault-loop stop). */
  faultReport(): FaultReport {
    const v = this.view;
    return {
      hart: this.index,
      pc: this.u64(H_FAULT_PC),
      insn: v.getUint32(this.base + H_FAULT_INSN, true),
      cause: this.u64(H_FAULT_CAUSE),
      tval: this.u64(H_FAULT_TVAL),
      mode: PRIV_NAMES[v.getUint32(this.base + H_FAULT_PRIV, true) & 3] as FaultReport['mode'],
    };
  }
}
