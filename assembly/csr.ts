// Control and status registers: numbering, access rules (privilege, read-only, counteren, TVM) and WARL write masks.
import { CTRL_BASE, CTRL_FLAG_WALL_CLOCK, CTRL_FLAGS, CTRL_MTIME, H_CYCLE, H_INSTRET } from '../src/machine/layout';
import { hostTicks } from './host';
import {
  C_MCAUSE, C_MCOUNTEREN, C_MCOUNTINHIBIT, C_MEDELEG, C_MENVCFG, C_MEPC, C_MIDELEG, C_MIE, C_MIP, C_MSCRATCH,
  C_MSTATUS, C_MTVAL, C_MTVEC, C_PMPADDR, C_PMPCFG, C_SATP, C_SCAUSE, C_SCOUNTEREN, C_SENVCFG, C_SEPC,
  C_SSCRATCH, C_STVAL, C_STVEC, C_FCSR, MS_FS, MS_SD, MS_MPP, MS_TVM, MS_XL, PRIV_M, PRIV_S, PRIV_U, hartIndex,
} from './hart';
import { currentMip } from './trap';
import { tlbFlush } from './mmu';

const MSTATUS_WMASK: u64 = 0x7e79aa; // ... FS (14:13) ...
const SSTATUS_RMASK: u64 = 0x80000003000c6122; // includes FS and SD
const SSTATUS_WMASK: u64 = 0xc6122;
const MISA: u64 = 0x800000000014112d; // RV64 I M A F D C S U
const MEDELEG_MASK: u64 = 0xb3ff;
const MIDELEG_MASK: u64 = 0x222;
const MIE_MASK: u64 = 0xaaa;
const MIP_WMASK: u64 = 0x222;
const PMPADDR_MASK: u64 = 0x3fffffffffffff;

/** Value read by the last successful csrRead. */
export let csrValue: u64 = 0;
/** Set by csrWrite when the write touched minstret (the writing instruction must not bump it). */
export let csrWroteInstret: bool = false;
export let csrWroteCycle: bool = false;
/** Set when a write may change translation/privilege state the run loop caches. */
export let csrContextChanged: bool = false;

/** May priv access CSR num (write = will write)? Checks the privilege field, read-only bits, counteren and TVM. */
export function csrAccessible(hb: usize, num: u32, priv: u32, write: bool): bool {
  if (((num >> 8) & 3) > priv) return false;
  if (num >= 0x001 && num <= 0x003 && (load<u64>(hb + C_MSTATUS) & MS_FS) == 0) return false; // FPU off
  if (write && (num >> 10) == 3) return false;
  if (num == 0x180 && priv == PRIV_S && (load<u64>(hb + C_MSTATUS) & MS_TVM) != 0) return false;
  if (num >= 0xc00 && num <= 0xc1f && priv < PRIV_M) {
    const bit: u64 = 1 << <u64>(num - 0xc00);
    if ((load<u64>(hb + C_MCOUNTEREN) & bit) == 0) return false;
    if (priv == PRIV_U && (load<u64>(hb + C_SCOUNTEREN) & bit) == 0) return false;
  }
  return true;
}

/** Reads CSR num into csrValue; false if it does not exist. No privilege check (see csrAccessible). */
export function csrRead(hb: usize, num: u32): bool {
  let v: u64 = 0;
  switch (num) {
    case 0x001: v = load<u64>(hb + C_FCSR) & 0x1f; break;
    case 0x002: v = (load<u64>(hb + C_FCSR) >> 5) & 7; break;
    case 0x003: v = load<u64>(hb + C_FCSR) & 0xff; break;
    case 0x100: v = (mstatusWithSd(hb) | MS_XL) & SSTATUS_RMASK; break;
    case 0x104: v = load<u64>(hb + C_MIE) & load<u64>(hb + C_MIDELEG); break;
    case 0x105: v = load<u64>(hb + C_STVEC); break;
    case 0x106: v = load<u64>(hb + C_SCOUNTEREN); break;
    case 0x10a: v = load<u64>(hb + C_SENVCFG); break;
    case 0x140: v = load<u64>(hb + C_SSCRATCH); break;
    case 0x141: v = load<u64>(hb + C_SEPC); break;
    case 0x142: v = load<u64>(hb + C_SCAUSE); break;
    case 0x143: v = load<u64>(hb + C_STVAL); break;
    case 0x144: v = currentMip(hb) & load<u64>(hb + C_MIDELEG); break;
    case 0x180: v = load<u64>(hb + C_SATP); break;
    case 0x300: v = mstatusWithSd(hb) | MS_XL; break;
    case 0x301: v = MISA; break;
    case 0x302: v = load<u64>(hb + C_MEDELEG); break;
    case 0x303: v = load<u64>(hb + C_MIDELEG); break;
    case 0x304: v = load<u64>(hb + C_MIE); break;
    case 0x305: v = load<u64>(hb + C_MTVEC); break;
    case 0x306: v = load<u64>(hb + C_MCOUNTEREN); break;
    case 0x30a: v = load<u64>(hb + C_MENVCFG); break;
    case 0x320: v = load<u64>(hb + C_MCOUNTINHIBIT); break;
    case 0x340: v = load<u64>(hb + C_MSCRATCH); break;
    case 0x341: v = load<u64>(hb + C_MEPC); break;
    case 0x342: v = load<u64>(hb + C_MCAUSE); break;
    case 0x343: v = load<u64>(hb + C_MTVAL); break;
    case 0x344: v = currentMip(hb); break;
    case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3: v = 0; break; // trigger module: no triggers
    case 0xb00: case 0xc00: v = load<u64>(hb + H_CYCLE); break;
    case 0xb02: case 0xc02: v = load<u64>(hb + H_INSTRET); break;
    case 0xc01: v = readTime(); break;
    case 0xf11: case 0xf12: case 0xf13: case 0xf15: v = 0; break;
    case 0xf14: v = <u64>hartIndex(hb); break;
    default: {
      if ((num >= 0xb03 && num <= 0xb1f) || (num >= 0xc03 && num <= 0xc1f) || (num >= 0x323 && num <= 0x33f)) v = 0;
      else if (num >= 0x3a0 && num <= 0x3af) {
        if ((num & 1) != 0) return false;
        v = load<u64>(hb + C_PMPCFG + (<usize>(num - 0x3a0) << 2));
      } else if (num >= 0x3b0 && num <= 0x3ef) v = load<u64>(hb + C_PMPADDR + (<usize>(num - 0x3b0) << 3));
      else return false;
    }
  }
  csrValue = v;
  return true;
}

/**
 * The `time` CSR. Deterministic mode: mtime as the host advances it with retired instructions. Parallel mode
 * (CTRL_FLAG_WALL_CLOCK): the host wall clock, folded into mtime so that time never goes backwards on any hart.
 */
function readTime(): u64 {
  const at = <usize>(CTRL_BASE + CTRL_MTIME);
  if ((load<u32>(CTRL_BASE + CTRL_FLAGS) & CTRL_FLAG_WALL_CLOCK) == 0) return atomic.load<u64>(at);
  const now = hostTicks();
  let cur = atomic.load<u64>(at);
  while (now > cur) {
    const seen = atomic.cmpxchg<u64>(at, cur, now);
    if (seen == cur) return now;
    cur = seen;
  }
  return cur;
}

/** mstatus with the read-only SD summary bit (set when FS is Dirty). */
function mstatusWithSd(hb: usize): u64 {
  const ms = load<u64>(hb + C_MSTATUS);
  return (ms & MS_FS) == MS_FS ? ms | MS_SD : ms;
}

/** Writes fcsr bits selected by mask (fflags 0x1f, frm 0xe0) and marks the FP state Dirty. */
function writeFcsr(hb: usize, mask: u64, v: u64): void {
  store<u64>(hb + C_FCSR, (load<u64>(hb + C_FCSR) & ~mask) | (v & mask));
  store<u64>(hb + C_MSTATUS, load<u64>(hb + C_MSTATUS) | MS_FS);
}

/** Writes CSR num (WARL-masked); false if it does not exist. No privilege check. */
export function csrWrite(hb: usize, num: u32, v: u64): bool {
  switch (num) {
    case 0x001: writeFcsr(hb, 0x1f, v); break;
    case 0x002: writeFcsr(hb, 0xe0, v << 5); break;
    case 0x003: writeFcsr(hb, 0xff, v); break;
    case 0x100: {
      const ms = load<u64>(hb + C_MSTATUS);
      store<u64>(hb + C_MSTATUS, (ms & ~SSTATUS_WMASK) | (v & SSTATUS_WMASK));
      csrContextChanged = true;
      break;
    }
    case 0x104: {
      const d = load<u64>(hb + C_MIDELEG);
      store<u64>(hb + C_MIE, (load<u64>(hb + C_MIE) & ~d) | (v & d & MIE_MASK));
      break;
    }
    case 0x105: store<u64>(hb + C_STVEC, v & ~2); break;
    case 0x106: store<u64>(hb + C_SCOUNTEREN, v & 0xffffffff); break;
    case 0x10a: store<u64>(hb + C_SENVCFG, v & 1); break;
    case 0x140: store<u64>(hb + C_SSCRATCH, v); break;
    case 0x141: store<u64>(hb + C_SEPC, v & ~1); break;
    case 0x142: store<u64>(hb + C_SCAUSE, v); break;
    case 0x143: store<u64>(hb + C_STVAL, v); break;
    case 0x144: {
      const m: u64 = 2 & load<u64>(hb + C_MIDELEG);
      store<u64>(hb + C_MIP, (load<u64>(hb + C_MIP) & ~m) | (v & m));
      break;
    }
    case 0x180: {
      const mode = v >> 60;
      if (mode == 0 || mode == 8) { store<u64>(hb + C_SATP, v); tlbFlush(hb); csrContextChanged = true; }
      break;
    }
    case 0x300: {
      let nv = (load<u64>(hb + C_MSTATUS) & ~MSTATUS_WMASK) | (v & MSTATUS_WMASK);
      if ((nv & MS_MPP) == (<u64>2 << 11)) nv &= ~MS_MPP; // MPP=2 is reserved: WARL to U
      store<u64>(hb + C_MSTATUS, nv);
      csrContextChanged = true;
      break;
    }
    case 0x301: break; // misa: writes ignored
    case 0x302: store<u64>(hb + C_MEDELEG, v & MEDELEG_MASK); break;
    case 0x303: store<u64>(hb + C_MIDELEG, v & MIDELEG_MASK); break;
    case 0x304: store<u64>(hb + C_MIE, v & MIE_MASK); break;
    case 0x305: store<u64>(hb + C_MTVEC, v & ~2); break;
    case 0x306: store<u64>(hb + C_MCOUNTEREN, v & 0xffffffff); break;
    case 0x30a: store<u64>(hb + C_MENVCFG, v & 1); break;
    case 0x320: store<u64>(hb + C_MCOUNTINHIBIT, v & 5); break;
    case 0x340: store<u64>(hb + C_MSCRATCH, v); break;
    case 0x341: store<u64>(hb + C_MEPC, v & ~1); break;
    case 0x342: store<u64>(hb + C_MCAUSE, v); break;
    case 0x343: store<u64>(hb + C_MTVAL, v); break;
    case 0x344: store<u64>(hb + C_MIP, (load<u64>(hb + C_MIP) & ~MIP_WMASK) | (v & MIP_WMASK)); break;
    case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3: break;
    case 0xb00: store<u64>(hb + H_CYCLE, v); csrWroteCycle = true; break;
    case 0xb02: store<u64>(hb + H_INSTRET, v); csrWroteInstret = true; break;
    default: {
      if ((num >= 0xb03 && num <= 0xb1f) || (num >= 0x323 && num <= 0x33f)) break;
      if (num >= 0x3a0 && num <= 0x3af) {
        if ((num & 1) != 0) return false;
        store<u64>(hb + C_PMPCFG + (<usize>(num - 0x3a0) << 2), v & 0x9f9f9f9f9f9f9f9f);
        break;
      }
      if (num >= 0x3b0 && num <= 0x3ef) {
        store<u64>(hb + C_PMPADDR + (<usize>(num - 0x3b0) << 3), v & PMPADDR_MASK);
        break;
      }
      // read-only ones that exist (writes are rejected earlier by csrAccessible)
      return csrRead(hb, num);
    }
  }
  return true;
}

