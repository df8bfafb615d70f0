// Trap entry (exceptions and interrupts, with medeleg/mideleg delegation to S), xRET, and pending-interrupt selection.
import {
  CTRL_BASE, CTRL_FLAG_HOST_ECALL, CTRL_FLAGS, CTRL_MSIP, CTRL_MTIME, CTRL_MTIMECMP, H_FAULT_CAUSE, H_FAULT_INSN, H_FAULT_PC, H_FAULT_PRIV,
  H_FAULT_TVAL, H_HOST_TRAP, H_RESV, H_RETIRED, H_STORM, H_STORM_RET,
} from '../src/machine/layout';
import { plicMip } from './board';
import { INTERRUPT } from './causes';
import {
  C_MCAUSE, C_MEDELEG, C_MEPC, C_MIDELEG, C_MIE, C_MIP, C_MSTATUS, C_MTVAL, C_MTVEC, C_SCAUSE, C_SEPC,
  C_STVAL, C_STVEC, MS_MIE, MS_MPIE, MS_MPP, MS_MPP_SHIFT, MS_MPRV, MS_SIE, MS_SPIE, MS_SPP, PRIV_M, PRIV_S,
  PRIV_U, getPriv, hartIndex, setPc, setPriv,
} from './hart';

/** Traps in a row without a retired instruction before run() reports STOP_FAULT_LOOP. */
export const STORM_LIMIT: u32 = 64;

/** Current mip: software-writable bits plus MTIP/MSIP from the CLINT words and MEIP/SEIP from the PLIC. */
export function currentMip(hb: usize): u64 {
  const h = <usize>hartIndex(hb);
  let mip = load<u64>(hb + C_MIP) | plicMip(<u32>h);
  if ((atomic.load<u32>(<usize>(CTRL_BASE + CTRL_MSIP) + (h << 2)) & 1) != 0) mip |= 1 << 3;
  if (atomic.load<u64>(CTRL_BASE + CTRL_MTIME) >= atomic.load<u64>(<usize>(CTRL_BASE + CTRL_MTIMECMP) + (h << 3))) mip |= 1 << 7;
  return mip;
}

/** Interrupt that should be taken now (cause code + 1), or 0. Priority MEI, MSI, MTI, SEI, SSI, STI. */
export function pendingInterrupt(hb: usize): u32 {
  const mie = load<u64>(hb + C_MIE);
  if (mie == 0) return 0; // nothing enabled: skip reading mip (the CLINT and PLIC words) at every run() call
  const pending = currentMip(hb) & mie;
  if (pending == 0) return 0;
  const priv = getPriv(hb);
  const ms = load<u64>(hb + C_MSTATUS);
  const deleg = load<u64>(hb + C_MIDELEG);
  let enabled: u64 = 0;
  if (priv < PRIV_M || (ms & MS_MIE) != 0) enabled |= pending & ~deleg;
  if (priv < PRIV_S || (priv == PRIV_S && (ms & MS_SIE) != 0)) enabled |= pending & deleg;
  if (enabled == 0) return 0;
  if ((enabled & (1 << 11)) != 0) return 12;
  if ((enabled & (1 << 3)) != 0) return 4;
  if ((enabled & (1 << 7)) != 0) return 8;
  if ((enabled & (1 << 9)) != 0) return 10;
  if ((enabled & (1 << 1)) != 0) return 2;
  if ((enabled & (1 << 5)) != 0) return 6;
  return 0;
}

/**
 * Takes a trap at pc: writes xepc/xcause/xtval/xstatus of the target mode and jumps to its trap vector.
 * Returns true if this trap continues a storm (too many traps in a row without a retired instruction).
 */
export function takeTrap(hb: usize, cause: u64, tval: u64, pc: u64, insn: u32): bool {
  const priv = getPriv(hb);
  const isInt = (cause & INTERRUPT) != 0;
  const code = cause & 63;
  store<u64>(hb + H_RESV, 0xffffffffffffffff);
  // fault report + storm detection
  store<u64>(hb + H_FAULT_PC, pc);
  store<u32>(hb + H_FAULT_INSN, insn);
  store<u32>(hb + H_FAULT_PRIV, priv);
  store<u64>(hb + H_FAULT_CAUSE, cause);
  store<u64>(hb + H_FAULT_TVAL, tval);
  if (!isInt && priv == PRIV_U && (load<u32>(CTRL_BASE + CTRL_FLAGS) & CTRL_FLAG_HOST_ECALL) != 0) {
    // Linux-user mode: the host serves it; stop run() (index.ts maps this to STOP_ECALL / STOP_USER_TRAP)
    store<u32>(hb + H_HOST_TRAP, 1);
    setPc(hb, pc);
    return true;
  }
  const retired = load<u64>(hb + H_RETIRED);
  let storm = load<u32>(hb + H_STORM);
  storm = retired == load<u64>(hb + H_STORM_RET) ? storm + 1 : 1;
  store<u32>(hb + H_STORM, storm);
  store<u64>(hb + H_STORM_RET, retired);

  const deleg = load<u64>(hb + (isInt ? C_MIDELEG : C_MEDELEG));
  let ms = load<u64>(hb + C_MSTATUS);
  if (priv <= PRIV_S && ((deleg >> code) & 1) != 0) {
    store<u64>(hb + C_SEPC, pc);
    store<u64>(hb + C_SCAUSE, cause);
    store<u64>(hb + C_STVAL, tval);
    ms = (ms & ~(MS_SPP | MS_SPIE | MS_SIE)) | (priv == PRIV_S ? MS_SPP : 0) | ((ms & MS_SIE) != 0 ? MS_SPIE : 0);
    store<u64>(hb + C_MSTATUS, ms);
    setPriv(hb, PRIV_S);
    const tvec = load<u64>(hb + C_STVEC);
    setPc(hb, (tvec & ~3) + (isInt && (tvec & 1) != 0 ? code << 2 : 0));
  } else {
    store<u64>(hb + C_MEPC, pc);
    store<u64>(hb + C_MCAUSE, cause);
    store<u64>(hb + C_MTVAL, tval);
    ms = (ms & ~(MS_MPP | MS_MPIE | MS_MIE)) | (<u64>priv << MS_MPP_SHIFT) | ((ms & MS_MIE) != 0 ? MS_MPIE : 0);
    store<u64>(hb + C_MSTATUS, ms);
    setPriv(hb, PRIV_M);
    const tvec = load<u64>(hb + C_MTVEC);
    setPc(hb, (tvec & ~3) + (isInt && (tvec & 1) != 0 ? code << 2 : 0));
  }
  return storm >= STORM_LIMIT;
}

/** mret: back to MPP with MIE = MPIE. */
export function mret(hb: usize): void {
  let ms = load<u64>(hb + C_MSTATUS);
  const mpp = <u32>((ms & MS_MPP) >> MS_MPP_SHIFT);
  ms = (ms & ~(MS_MPP | MS_MIE)) | ((ms & MS_MPIE) != 0 ? MS_MIE : 0) | MS_MPIE;
  if (mpp != PRIV_M) ms &= ~MS_MPRV;
  store<u64>(hb + C_MSTATUS, ms);
  setPriv(hb, mpp);
  setPc(hb, load<u64>(hb + C_MEPC));
}

/** sret: back to SPP with SIE = SPIE. */
export function sret(hb: usize): void {
  let ms = load<u64>(hb + C_MSTATUS);
  const spp = (ms & MS_SPP) != 0 ? PRIV_S : PRIV_U;
  ms = (ms & ~(MS_SPP | MS_SIE | MS_MPRV)) | ((ms & MS_SPIE) != 0 ? MS_SIE : 0) | MS_SPIE;
  store<u64>(hb + C_MSTATUS, ms);
  setPriv(hb, spp);
  setPc(hb, load<u64>(hb + C_SEPC));
}
