// Watch log: events the host asked to see (stores into a physical range, fence.i, SBI calls), appended to a ring in RAM.
import {
  CTRL_BASE, CTRL_WATCH_CAP, CTRL_WATCH_DHI, CTRL_WATCH_DLO, WEV_DECODE, CTRL_WATCH_FLAGS, CTRL_WATCH_HEAD, CTRL_WATCH_HI, CTRL_WATCH_LO, CTRL_WATCH_LOG,
  CTRL_WATCH_LOST, CTRL_WATCH_TAIL, H_PRIV, H_RETIRED, RAM_GUEST_BASE, RAM_WASM_BASE, WEV_SIZE, WEV_STORE,
} from '../src/machine/layout';
import { hartIndex } from './hart';

/** Is any of the WATCH_* bits in `flag` on? One load: cheap enough for the slow path. */
@inline export function watching(flag: u32): bool {
  return (load<u32>(CTRL_BASE + CTRL_WATCH_FLAGS) & flag) != 0;
}

/**
 * Appends one event. Several harts may append at once: each reserves a slot with a compare-and-swap on the head,
 * fills it, then publishes it by writing its first word last. A full log drops the event and counts it.
 */
export function watchEvent(hb: usize, kind: u32, size: u32, addr: u64, value: u64): void {
  const cap = load<u32>(CTRL_BASE + CTRL_WATCH_CAP);
  if (cap == 0) return;
  let head: u32 = 0;
  let reserved = false;
  while (!reserved) {
    head = atomic.load<u32>(CTRL_BASE + CTRL_WATCH_HEAD);
    if (head - atomic.load<u32>(CTRL_BASE + CTRL_WATCH_TAIL) >= cap) {
      atomic.add<u32>(CTRL_BASE + CTRL_WATCH_LOST, 1);
      return;
    }
    reserved = atomic.cmpxchg<u32>(CTRL_BASE + CTRL_WATCH_HEAD, head, head + 1) == head;
  }
  const at = <usize>(load<u64>(CTRL_BASE + CTRL_WATCH_LOG) - <u64>RAM_GUEST_BASE) + RAM_WASM_BASE +
    (<usize>(head & (cap - 1)) * WEV_SIZE);
  store<u64>(at, addr, 8);
  store<u64>(at, value, 16);
  store<u64>(at, load<u64>(hb + H_RETIRED), 24);
  atomic.store<u32>(at, kind | (<u32>hartIndex(hb) << 8) | (load<u32>(hb + H_PRIV) << 16) | (size << 24));
}

/** A store of size bytes at physical pa: logged if it overlaps the watched range. */
export function watchStore(hb: usize, pa: u64, size: u32, v: u64): void {
  if (pa + <u64>size <= load<u64>(CTRL_BASE + CTRL_WATCH_LO) || pa >= load<u64>(CTRL_BASE + CTRL_WATCH_HI)) return;
  watchEvent(hb, WEV_STORE, size, pa, v);
}

/** A decode of the instruction at physical pa (size 2 or 4 bytes, `bits` as read): logged if pa is in the decode range. */
export function watchDecode(hb: usize, pa: u64, size: u32, bits: u64): void {
  if (pa < load<u64>(CTRL_BASE + CTRL_WATCH_DLO) || pa >= load<u64>(CTRL_BASE + CTRL_WATCH_DHI)) return;
  watchEvent(hb, WEV_DECODE, size, pa, bits);
}
