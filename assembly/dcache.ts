// Per-hart predecoded instruction cache: physically tagged direct-mapped page slots, lazy per-halfword decode, O(1) flush by generation.
//
// Model (deterministic, documented in assembly/README.md):
//  * slot = physical page number % DC_SLOTS; a slot's tag is (ppn, generation of the hart).
//  * An entry is decoded from the bytes in memory the first time this hart executes that halfword
//    address since the slot was (re)filled; later stores by anyone do NOT change it.
//  * A slot is emptied only when the hart's generation changes (fence.i, host flushIcache) or when
//    another physical page that maps to the same slot is fetched (direct-mapped eviction).
//  * sfence.vma / satp writes do not touch decoded code (it is physically tagged); they flush the TLB.
import {
  CTRL_BASE, CTRL_FLAG_FETCH_PARCELS, CTRL_FLAGS, WATCH_DECODE, DC_ENTRIES, DC_SLOT_SIZE, DC_SLOTS, DC_TAGS, DCACHE_BASE, DCACHE_PER_HART, H_GEN,
} from '../src/machine/layout';
import { ACC_FETCH, CAUSE_FETCH_ACCESS } from './causes';
import { decode16, decode32, decodeFor, isWide } from './decode';
import { E_HANDLER, H_PAGE_END, stampHandler } from './dispatch';
import { getPriv } from './hart';
import { ramAddr } from './mem';
import { TRANSLATE_FAIL, mmuCause, translate, translated } from './mmu';
import { E_SHIFT, OP_PAGE_END } from './ops';
import { takeTrap } from './trap';
import { watchDecode, watching } from './watch';

/** Set when the last fetchPage/decodeAt took a trap that hit the trap-storm limit. */
export let fetchStorm: bool = false;
/** Physical page base of the page returned by the last successful fetchPage. */
export let fetchPagePa: u64 = 0;

@inline export function dcacheBase(hart: i32): usize {
  return <usize>DCACHE_BASE + (<usize>hart) * <usize>DCACHE_PER_HART;
}

/** Entry base of the slot holding physical page ppn, emptied and retagged if it holds something else. */
export function slotFor(hb: usize, dc: usize, ppn: u64): usize {
  const slot = <usize>(ppn % <u64>DC_SLOTS);
  const tag = dc + DC_TAGS + slot * 16;
  const gen = load<u32>(hb + H_GEN);
  const base = dc + DC_ENTRIES + slot * DC_SLOT_SIZE;
  if (load<u64>(tag) != ppn || load<u32>(tag, 8) != gen) {
    memory.fill(base, 0, 0x1000 << E_SHIFT);
    store<u8>(base + (0x1000 << E_SHIFT), <u8>OP_PAGE_END);
    store<u8>(base + (0x1002 << E_SHIFT), <u8>OP_PAGE_END);
    store<u8>(base + (0x1000 << E_SHIFT), <u8>H_PAGE_END, E_HANDLER);
    store<u8>(base + (0x1002 << E_SHIFT), <u8>H_PAGE_END, E_HANDLER);
    store<u64>(tag, ppn);
    store<u32>(tag, gen, 8);
  }
  return base;
}

/** Physical address of an instruction fetch at va, or TRANSLATE_FAIL after taking the fetch trap. */
function fetchAddr(hb: usize, va: u64, trapPc: u64): u64 {
  const priv = getPriv(hb);
  let pa = va;
  let cause = CAUSE_FETCH_ACCESS;
  if (translated(hb, priv)) {
    pa = translate(hb, va, ACC_FETCH, priv);
    if (pa == TRANSLATE_FAIL) cause = mmuCause;
  }
  if (pa != TRANSLATE_FAIL && ramAddr(pa, 2) != 0) return pa;
  fetchStorm = takeTrap(hb, cause, va, trapPc, 0);
  return TRANSLATE_FAIL;
}

/** Decode-cache page for a fetch at pc, or 0 if the fetch trapped (H_PC holds the handler). */
export function fetchPage(hb: usize, dc: usize, pc: u64): usize {
  fetchStorm = false;
  const pa = fetchAddr(hb, pc, pc);
  if (pa == TRANSLATE_FAIL) return 0;
  fetchPagePa = pa & ~0xfff;
  return slotFor(hb, dc, pa >> 12);
}

/**
 * Decodes the instruction at pc (page physical base pagePa) into ep; false if fetching its second half trapped.
 *
 * Fetch granularity (assembly/README.md, "Instruction fetch atomicity"): by default (Ziccif) an instruction at a
 * 4-byte-aligned pc is read with ONE 32-bit load, so a concurrent aligned rewrite is seen wholly old or wholly new.
 * At pc = 2 mod 4, or with CTRL_FLAG_FETCH_PARCELS, a 32-bit instruction is two 16-bit parcels read one after the
 * other: a concurrent writer can make this hart decode half of each version, as the ISA allows.
 */
export function decodeAt(hb: usize, ep: usize, pc: u64, pagePa: u64): bool {
  fetchStorm = false;
  decodeFor(hb);
  const off = pc & 0xfff;
  if ((pc & 3) == 0 && (load<u32>(CTRL_BASE + CTRL_FLAGS) & CTRL_FLAG_FETCH_PARCELS) == 0) {
    // one single-copy-atomic load (an aligned word never straddles the page)
    const w = atomic.load<u32>(ramAddr(pagePa | off, 4));
    if (!isWide(w & 0xffff)) {
      decode16(ep, w & 0xffff);
      stampHandler(ep, hb, pc, 2);
      if (watching(WATCH_DECODE)) watchDecode(hb, pagePa | off, 2, <u64>(w & 0xffff));
    } else {
      decode32(ep, w);
      stampHandler(ep, hb, pc, 4);
      if (watching(WATCH_DECODE)) watchDecode(hb, pagePa | off, 4, <u64>w);
    }
    return true;
  }
  const lo = <u32>load<u16>(ramAddr(pagePa | off, 2));
  if (!isWide(lo)) {
    decode16(ep, lo);
    stampHandler(ep, hb, pc, 2);
    if (watching(WATCH_DECODE)) watchDecode(hb, pagePa | off, 2, <u64>lo);
    return true;
  }
  let hiPa = pagePa | ((pc + 2) & 0xfff);
  if (off == 0xffe) {
    hiPa = fetchAddr(hb, pc + 2, pc);
    if (hiPa == TRANSLATE_FAIL) return false;
  }
  const hi = <u32>load<u16>(ramAddr(hiPa, 2));
  decode32(ep, lo | (hi << 16));
  stampHandler(ep, hb, pc, 4);
  if (watching(WATCH_DECODE)) watchDecode(hb, pagePa | off, 4, <u64>(lo | (hi << 16)));
  return true;
}
