// Sv39 address translation with hardware-set A/D bits and a small per-hart direct-mapped TLB (flushed by sfence.vma).
import {
  CTRL_BASE, CTRL_RAM_SIZE, CTRL_TOHOST, DTLB_BASE, DTLB_PER_HART, DTLB_SET_SIZE, H_TLB, HART_BASE, HART_STATE_SIZE, RAM_GUEST_BASE,
  RAM_WASM_BASE, TLB_ENTRIES,
} from '../src/machine/layout';
import { ACC_FETCH, ACC_LOAD, ACC_STORE, accessFault, pageFault } from './causes';
import { C_MSTATUS, C_SATP, MS_MPP, MS_MPP_SHIFT, MS_MPRV, MS_MXR, MS_SUM, PRIV_M, PRIV_S, PRIV_U, getPriv } from './hart';

const PTE_V: u64 = 1;
const PTE_R: u64 = 2;
const PTE_W: u64 = 4;
const PTE_X: u64 = 8;
const PTE_U: u64 = 16;
const PTE_A: u64 = 64;
const PTE_D: u64 = 128;

// TLB entry (32 bytes): +0 u64 tag = (vpn << 1) | 1, +8 u64 physical 4 KiB page base, +16 u64 PTE flag bits
const T_TAG = 0;
const T_PA = 8;
const T_FLAGS = 16;

/** Cause of the last failed translation (valid when translate returned TRANSLATE_FAIL). */
export let mmuCause: u64 = 0;
export const TRANSLATE_FAIL: u64 = 0xffffffffffffffff;

/** Is satp in Sv39 mode? */
@inline export function sv39(hb: usize): bool {
  return (load<u64>(hb + C_SATP) >> 60) == 8;
}

/** Privilege used for data accesses (MPRV makes M-mode loads/stores use MPP). */
export function dataPriv(hb: usize): u32 {
  const p = getPriv(hb);
  if (p == PRIV_M) {
    const ms = load<u64>(hb + C_MSTATUS);
    if ((ms & MS_MPRV) != 0) return <u32>((ms & MS_MPP) >> MS_MPP_SHIFT);
  }
  return p;
}

/** Does an access of this kind at this privilege go through the page tables? */
@inline export function translated(hb: usize, priv: u32): bool {
  return priv != PRIV_M && sv39(hb);
}

/** Empties the hart's TLB: the walk cache and the hot loop's data TLB (sfence.vma, satp writes, host flushTlb). */
export function tlbFlush(hb: usize): void {
  memory.fill(hb + H_TLB, 0, TLB_ENTRIES * 32);
  memory.fill(dtlbBase(hb), 0xff, DTLB_PER_HART);
}

// ---- fast data TLB (read by the hot loop, run.ts): one set per (translation context, access kind).
// A load-set entry for page va means: a load at the context's privilege (SUM as the set says, MXR as
// H_DTLB_MXR says) was translated to RAM page pa with A set; a store-set entry additionally means W
// and D. The hot loop checks tag == va & ~0xfff (with the access's alignment bits, so misaligned
// accesses miss) and adds the addend; every miss goes to step(), whose walk refills the entry.

/** Data TLB of hart block hb. */
@inline export function dtlbBase(hb: usize): usize {
  return <usize>DTLB_BASE + ((hb - <usize>HART_BASE) / <usize>HART_STATE_SIZE) * <usize>DTLB_PER_HART;
}

/** Load set of the translation context for data privilege priv (U, S, S with mstatus.SUM); its store set follows. */
export function dtlbSet(hb: usize, priv: u32): usize {
  const ctx: usize = priv == PRIV_U ? 0 : (load<u64>(hb + C_MSTATUS) & MS_SUM) != 0 ? 2 : 1;
  return dtlbBase(hb) + ctx * 2 * DTLB_SET_SIZE;
}

/** Records a successful translation of va to pa (an access of kind acc at priv) in the data TLB, if its page is RAM. */
export function dtlbFill(hb: usize, va: u64, pa: u64, acc: u32, priv: u32): void {
  if (acc == ACC_FETCH) return;
  const page = pa & ~(<u64>0xfff);
  const off = page - <u64>RAM_GUEST_BASE;
  if (off >= load<u64>(CTRL_BASE + CTRL_RAM_SIZE)) return; // devices (and RAM smaller than a page) stay slow
  if (acc == ACC_STORE && ((load<u64>(CTRL_BASE + CTRL_TOHOST) ^ page) >> 12) == 0) return; // tohost stores are watched
  const vpage = va & ~(<u64>0xfff);
  const e = dtlbSet(hb, priv) + (acc == ACC_STORE ? <usize>DTLB_SET_SIZE : 0) + <usize>((va >> 8) & 0xff0);
  store<u64>(e, off - vpage, 8);
  store<u64>(e, vpage);
}

/** Permission check of a leaf PTE's flags; true when allowed. */
function permitted(hb: usize, flags: u64, acc: u32, priv: u32): bool {
  if ((flags & PTE_U) != 0) {
    if (priv == PRIV_S && (acc == ACC_FETCH || (load<u64>(hb + C_MSTATUS) & MS_SUM) == 0)) return false;
  } else if (priv == PRIV_U) return false;
  if (acc == ACC_FETCH) return (flags & PTE_X) != 0;
  if (acc == ACC_LOAD) return (flags & PTE_R) != 0 || ((flags & PTE_X) != 0 && (load<u64>(hb + C_MSTATUS) & MS_MXR) != 0);
  return (flags & PTE_W) != 0;
}

@inline function ramPte(pa: u64): usize {
  const off = pa - <u64>RAM_GUEST_BASE;
  if (off + 8 > load<u64>(CTRL_BASE + CTRL_RAM_SIZE)) return 0;
  return <usize>off + RAM_WASM_BASE;
}

/** Page-table walk; returns the physical address or TRANSLATE_FAIL (mmuCause set). Sets A/D like QEMU. */
function walk(hb: usize, va: u64, acc: u32, priv: u32): u64 {
  let a = (load<u64>(hb + C_SATP) & 0xfffffffffff) << 12;
  for (let level = 2; level >= 0; level--) {
    const vpn = (va >> (12 + 9 * <u64>level)) & 0x1ff;
    const at = ramPte(a + vpn * 8);
    if (at == 0) { mmuCause = accessFault(acc); return TRANSLATE_FAIL; }
    let pte = atomic.load<u64>(at);
    if ((pte & PTE_V) == 0 || ((pte & PTE_R) == 0 && (pte & PTE_W) != 0) || (pte >> 54) != 0) break;
    const ppn = (pte >> 10) & 0xfffffffffff;
    if ((pte & (PTE_R | PTE_X)) == 0) { a = ppn << 12; continue; }
    if (!permitted(hb, pte, acc, priv)) break;
    const lowMask: u64 = (1 << (9 * <u64>level)) - 1;
    if ((ppn & lowMask) != 0) break; // misaligned superpage
    const want = PTE_A | (acc == ACC_STORE ? PTE_D : 0);
    while ((pte & want) != want) {
      const old = atomic.cmpxchg<u64>(at, pte, pte | want);
      if (old == pte) { pte |= want; break; }
      pte = old;
      if ((pte & PTE_V) == 0) { mmuCause = pageFault(acc); return TRANSLATE_FAIL; }
    }
    const page = ((ppn | ((va >> 12) & lowMask)) << 12);
    dtlbFill(hb, va, page, acc, priv);
    const e = hb + H_TLB + <usize>(((va >> 12) & (TLB_ENTRIES - 1)) * 32);
    store<u64>(e, page, T_PA);
    store<u64>(e, pte & 0xff, T_FLAGS);
    store<u64>(e, ((va >> 12) << 1) | 1, T_TAG);
    return page | (va & 0xfff);
  }
  mmuCause = pageFault(acc);
  return TRANSLATE_FAIL;
}

/** Translates va for an access of kind acc at privilege priv (caller knows translation is on). */
export function translate(hb: usize, va: u64, acc: u32, priv: u32): u64 {
  if (<u64>((<i64>va << 25) >> 25) != va) { mmuCause = pageFault(acc); return TRANSLATE_FAIL; }
  const e = hb + H_TLB + <usize>(((va >> 12) & (TLB_ENTRIES - 1)) * 32);
  if (load<u64>(e, T_TAG) == (((va >> 12) << 1) | 1)) {
    const flags = load<u64>(e, T_FLAGS);
    if (permitted(hb, flags, acc, priv) && (acc != ACC_STORE || (flags & PTE_D) != 0)) {
      const page = load<u64>(e, T_PA);
      dtlbFill(hb, va, page, acc, priv);
      return page | (va & 0xfff);
    }
  }
  return walk(hb, va, acc, priv);
}

