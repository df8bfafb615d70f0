// Guest memory access for the slow path: physical RAM/device access, tohost detection, and virtual access via the MMU.
import {
  CTRL_BASE, CTRL_EXIT, CTRL_EXIT_CODE, CTRL_FLAG_COHERENT, CTRL_FLAGS, CTRL_NHARTS, CTRL_RAM_SIZE, CTRL_TOHOST,
  DC_SLOTS, DC_TAGS, DCACHE_BASE, DCACHE_PER_HART, H_GEN, HART_BASE, HART_STATE_SIZE, RAM_GUEST_BASE, RAM_WASM_BASE,
} from '../src/machine/layout';
import { ACC_LOAD, ACC_STORE, accessFault } from './causes';
import { DEV_HALT, DEV_NONE, DEV_UART_FULL, deviceLoad, deviceStore, isDevice } from './devices';
import { TRANSLATE_FAIL, dataPriv, mmuCause, translate, translated } from './mmu';
import { watchStore, watching } from './watch';
import { WATCH_STORES } from '../src/machine/layout';

/** Outcome of a memory operation (MEM_FAULT: cause in memCause, tval in memTval). */
export const MEM_OK: i32 = 0;
export const MEM_FAULT: i32 = 1;
export const MEM_HALT: i32 = 2; // a store hit tohost with an exit value
export const MEM_UART_FULL: i32 = 3;

export let memCause: u64 = 0;
export let memTval: u64 = 0;
/** Value produced by the last successful load. */
export let memValue: u64 = 0;

/** Wasm address of guest physical [pa, pa+size) if it is entirely RAM, else 0. */
export function ramAddr(pa: u64, size: u32): usize {
  const off = pa - <u64>RAM_GUEST_BASE;
  const ram = load<u64>(CTRL_BASE + CTRL_RAM_SIZE);
  if (off >= ram || ram - off < <u64>size) return 0;
  return <usize>off + RAM_WASM_BASE;
}

@inline function loadSized(at: usize, size: u32): u64 {
  if (size == 1) return <u64>load<u8>(at);
  if (size == 2) return <u64>load<u16>(at);
  if (size == 4) return <u64>load<u32>(at);
  // naturally aligned 8-byte accesses are atomic (never torn), like the hot loop's ld/sd
  return (at & 7) == 0 ? atomic.load<u64>(at) : load<u64>(at);
}

/** Loads size bytes (zero-extended) from a physical address. */
export function physLoad(pa: u64, size: u32, va: u64): i32 {
  const at = ramAddr(pa, size);
  if (at != 0) { memValue = loadSized(at, size); return MEM_OK; }
  if (isDevice(pa)) { memValue = deviceLoad(pa, size); return MEM_OK; }
  memCause = accessFault(ACC_LOAD);
  memTval = va;
  return MEM_FAULT;
}

/**
 * Coherent mode (CTRL_FLAG_COHERENT): a store into a physical page that some hart holds decoded
 * (or into the first bytes of the page after one, where a 32-bit instruction may straddle)
 * empties that hart's whole decode cache by bumping its generation.
 */
function invalidateDecoded(pa: u64, size: u32): void {
  const n = load<u32>(CTRL_BASE + CTRL_NHARTS);
  const first = pa >> 12;
  const last = (pa + <u64>size - 1) >> 12;
  const lo = (pa & 0xfff) < 2 ? first - 1 : first; // a straddling instruction of the previous page
  for (let h: u32 = 0; h < n; h++) {
    const hb = <usize>HART_BASE + <usize>h * <usize>HART_STATE_SIZE;
    const dc = <usize>DCACHE_BASE + <usize>h * <usize>DCACHE_PER_HART;
    const gen = load<u32>(hb + H_GEN);
    for (let p = lo; p <= last; p++) {
      const tag = dc + DC_TAGS + <usize>(p % <u64>DC_SLOTS) * 16;
      if (load<u64>(tag) == p && load<u32>(tag, 8) == gen) {
        store<u32>(hb + H_GEN, gen + 1);
        break;
      }
    }
  }
}

/** Checks a RAM store against tohost; records the exit value when the guest wrote one. */
function checkTohost(pa: u64, size: u32): i32 {
  const th = load<u64>(CTRL_BASE + CTRL_TOHOST);
  if (th == 0 || pa >= th + 8 || pa + <u64>size <= th) return MEM_OK;
  const at = ramAddr(th, 8);
  if (at == 0) return MEM_OK;
  const v = load<u64>(at);
  if ((v & 1) == 0) return MEM_OK; // not an HTIF exit command
  store<u64>(CTRL_BASE + CTRL_EXIT_CODE, v);
  atomic.store<u32>(CTRL_BASE + CTRL_EXIT, <u32>v | 1);
  return MEM_HALT;
}

/** Stores the low size bytes of v to a physical address. */
export function physStore(pa: u64, size: u32, v: u64, va: u64): i32 {
  const at = ramAddr(pa, size);
  if (at != 0) {
    if (size == 1) store<u8>(at, <u8>v);
    else if (size == 2) store<u16>(at, <u16>v);
    else if (size == 4) store<u32>(at, <u32>v);
    else if ((at & 7) == 0) atomic.store<u64>(at, v);
    else store<u64>(at, v);
    if ((load<u32>(CTRL_BASE + CTRL_FLAGS) & CTRL_FLAG_COHERENT) != 0) invalidateDecoded(pa, size);
    return checkTohost(pa, size);
  }
  if (isDevice(pa)) {
    const r = deviceStore(pa, size, v);
    if (r == DEV_UART_FULL) return MEM_UART_FULL;
    if (r == DEV_HALT) return MEM_HALT;
    if (r != DEV_NONE) return MEM_OK;
  }
  memCause = accessFault(ACC_STORE);
  memTval = va;
  return MEM_FAULT;
}

/** Translates a data address (MPRV-aware); TRANSLATE_FAIL sets memCause/memTval. */
export function dataAddr(hb: usize, va: u64, acc: u32): u64 {
  const priv = dataPriv(hb);
  if (!translated(hb, priv)) return va;
  const pa = translate(hb, va, acc, priv);
  if (pa == TRANSLATE_FAIL) { memCause = mmuCause; memTval = va; }
  return pa;
}

/** Virtual load of size bytes (zero-extended into memValue); misaligned accesses complete, page-crossing ones bytewise. */
export function virtLoad(hb: usize, va: u64, size: u32): i32 {
  if (((va & 0xfff) + <u64>size) <= 0x1000) {
    const pa = dataAddr(hb, va, ACC_LOAD);
    if (pa == TRANSLATE_FAIL) return MEM_FAULT;
    return physLoad(pa, size, va);
  }
  let v: u64 = 0;
  for (let i: u32 = 0; i < size; i++) {
    const a = va + <u64>i;
    const pa = dataAddr(hb, a, ACC_LOAD);
    if (pa == TRANSLATE_FAIL) { memTval = va; return MEM_FAULT; }
    const r = physLoad(pa, 1, va);
    if (r != MEM_OK) return r;
    v |= memValue << (8 * <u64>i);
  }
  memValue = v;
  return MEM_OK;
}

/** Virtual store of the low size bytes of v; a page-crossing store checks both pages before writing. */
export function virtStore(hb: usize, va: u64, size: u32, v: u64): i32 {
  if (((va & 0xfff) + <u64>size) <= 0x1000) {
    const pa = dataAddr(hb, va, ACC_STORE);
    if (pa == TRANSLATE_FAIL) return MEM_FAULT;
    const r = physStore(pa, size, v, va);
    if (r != MEM_FAULT && watching(WATCH_STORES)) watchStore(hb, pa, size, v);
    return r;
  }
  const last = va + <u64>size - 1;
  if (dataAddr(hb, va, ACC_STORE) == TRANSLATE_FAIL) return MEM_FAULT;
  if (dataAddr(hb, last, ACC_STORE) == TRANSLATE_FAIL) { memTval = va; return MEM_FAULT; }
  let result = MEM_OK;
  for (let i: u32 = 0; i < size; i++) {
    const a = va + <u64>i;
    const pa = dataAddr(hb, a, ACC_STORE);
    const r = physStore(pa, 1, v >> (8 * <u64>i), va);
    if (r == MEM_FAULT) return r;
    if (watching(WATCH_STORES)) watchStore(hb, pa, 1, v >> (8 * <u64>i));
    if (r != MEM_OK) result = r;
  }
  return result;
}
