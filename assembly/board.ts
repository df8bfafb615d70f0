// QEMU-virt board devices beyond the CLINT and UART: the PLIC (UART on source 10), the sifive,test finisher, the boot ROM.
import {
  BOOTROM_BASE, BOOTROM_SIZE, CTRL_BASE, CTRL_BOOTROM, CTRL_EXIT, CTRL_EXIT_CODE, CTRL_FINISHER, CTRL_NHARTS,
  CTRL_PLIC_CLAIMED, CTRL_PLIC_ENABLE, CTRL_PLIC_PRIORITY, CTRL_PLIC_THRESHOLD, CTRL_UART_IER, CTRL_UART_RX_HEAD,
  CTRL_UART_RX_TAIL, CTRL_UART_THRE_IP, PLIC_BASE, PLIC_SIZE, PLIC_SOURCES, TEST_BASE, TEST_SIZE, UART_IRQ,
} from '../src/machine/layout';

/** Result of a board device store (same values as devices.ts's DEV_*). */
export const BOARD_OK: i32 = 0;
export const BOARD_HALT: i32 = 2; // the guest wrote a power-off/reset/fail command to the finisher

// ---- PLIC register map (SiFive PLIC 1.0.0, as QEMU virt lays it out)
const PLIC_PENDING: u32 = 0x1000;
const PLIC_ENABLE: u32 = 0x2000; // + 0x80 * context
const PLIC_CONTEXT: u32 = 0x200000; // + 0x1000 * context: threshold, then claim/complete at + 4

export function isBoardDevice(pa: u64): bool {
  return (pa - <u64>PLIC_BASE) < <u64>PLIC_SIZE || (pa - <u64>TEST_BASE) < <u64>TEST_SIZE ||
    (pa - <u64>BOOTROM_BASE) < <u64>BOOTROM_SIZE;
}

/** Does the UART hold data the guest has not read? */
export function uartRxReady(): bool {
  return atomic.load<u32>(CTRL_BASE + CTRL_UART_RX_HEAD) != atomic.load<u32>(CTRL_BASE + CTRL_UART_RX_TAIL);
}

/** The 16550's interrupt output: received data with IER.ERBFI, or THR empty with IER.ETBEI. */
export function uartIrqLine(): bool {
  const ier = load<u32>(CTRL_BASE + CTRL_UART_IER);
  if ((ier & 3) == 0) return false;
  if ((ier & 1) != 0 && uartRxReady()) return true;
  return (ier & 2) != 0 && atomic.load<u32>(CTRL_BASE + CTRL_UART_THRE_IP) != 0;
}

/** Pending bits: a level-triggered source is pending while its line is high and it is not claimed. */
function plicPending(): u32 {
  const lines: u32 = uartIrqLine() ? 1 << UART_IRQ : 0;
  return lines & ~atomic.load<u32>(CTRL_BASE + CTRL_PLIC_CLAIMED);
}

/** The pending, enabled source of highest priority above the context's threshold (0 = none). */
function plicBest(ctx: u32, pending: u32): u32 {
  const enabled = pending & load<u32>(CTRL_BASE + CTRL_PLIC_ENABLE + (ctx << 2));
  if (enabled == 0) return 0;
  const threshold = load<u32>(CTRL_BASE + CTRL_PLIC_THRESHOLD + (ctx << 2));
  let best: u32 = 0;
  let bestPrio: u32 = threshold;
  for (let s: u32 = 1; s < <u32>PLIC_SOURCES; s++) {
    if (((enabled >> s) & 1) == 0) continue;
    const prio = load<u32>(CTRL_BASE + CTRL_PLIC_PRIORITY + (s << 2));
    if (prio > bestPrio) { best = s; bestPrio = prio; }
  }
  return best;
}

/** mip bits the PLIC drives for a hart: MEIP (bit 11) from context 2h, SEIP (bit 9) from context 2h + 1. */
export function plicMip(hart: u32): u64 {
  const pending = plicPending();
  if (pending == 0) return 0;
  let mip: u64 = 0;
  if (plicBest(hart << 1, pending) != 0) mip |= 1 << 11;
  if (plicBest((hart << 1) | 1, pending) != 0) mip |= 1 << 9;
  return mip;
}

function plicClaim(ctx: u32): u32 {
  let s: u32 = 0;
  let won = false;
  while (!won) {
    const claimed = atomic.load<u32>(CTRL_BASE + CTRL_PLIC_CLAIMED);
    s = plicBest(ctx, plicPending());
    if (s == 0) break;
    // another hart may claim the same source concurrently: only one compare-and-swap wins it
    won = atomic.cmpxchg<u32>(CTRL_BASE + CTRL_PLIC_CLAIMED, claimed, claimed | (1 << s)) == claimed;
  }
  return s;
}

function plicComplete(s: u32): void {
  if (s == 0 || s >= <u32>PLIC_SOURCES) return;
  atomic.and<u32>(CTRL_BASE + CTRL_PLIC_CLAIMED, ~(<u32>1 << s));
}

function plicLoad(off: u32): u32 {
  const contexts = load<u32>(CTRL_BASE + CTRL_NHARTS) << 1;
  if (off < <u32>(PLIC_SOURCES << 2)) return off == 0 ? 0 : load<u32>(CTRL_BASE + CTRL_PLIC_PRIORITY + (off & ~3));
  if (off == PLIC_PENDING) return plicPending();
  if (off >= PLIC_ENABLE && off < PLIC_CONTEXT) {
    const ctx = (off - PLIC_ENABLE) >> 7;
    return ctx < contexts && ((off - PLIC_ENABLE) & 0x7f) == 0 ? load<u32>(CTRL_BASE + CTRL_PLIC_ENABLE + (ctx << 2)) : 0;
  }
  if (off >= PLIC_CONTEXT) {
    const ctx = (off - PLIC_CONTEXT) >> 12;
    if (ctx >= contexts) return 0;
    const reg = (off - PLIC_CONTEXT) & 0xfff;
    if (reg == 0) return load<u32>(CTRL_BASE + CTRL_PLIC_THRESHOLD + (ctx << 2));
    if (reg == 4) return plicClaim(ctx);
  }
  return 0;
}

function plicStore(off: u32, v: u32): void {
  const contexts = load<u32>(CTRL_BASE + CTRL_NHARTS) << 1;
  if (off < <u32>(PLIC_SOURCES << 2)) {
    if (off >= 4) store<u32>(CTRL_BASE + CTRL_PLIC_PRIORITY + (off & ~3), v & 7);
    return;
  }
  if (off >= PLIC_ENABLE && off < PLIC_CONTEXT) {
    const ctx = (off - PLIC_ENABLE) >> 7;
    if (ctx < contexts && ((off - PLIC_ENABLE) & 0x7f) == 0) store<u32>(CTRL_BASE + CTRL_PLIC_ENABLE + (ctx << 2), v & ~1);
    return;
  }
  if (off >= PLIC_CONTEXT) {
    const ctx = (off - PLIC_CONTEXT) >> 12;
    if (ctx >= contexts) return;
    const reg = (off - PLIC_CONTEXT) & 0xfff;
    if (reg == 0) store<u32>(CTRL_BASE + CTRL_PLIC_THRESHOLD + (ctx << 2), v & 7);
    else if (reg == 4) plicComplete(v);
  }
}

/** Board device load (pa inside a board window; see isBoardDevice). PLIC registers are 32-bit; other sizes read 0. */
export function boardLoad(pa: u64, size: u32): u64 {
  const p = pa - <u64>PLIC_BASE;
  if (p < <u64>PLIC_SIZE) return size == 4 ? <u64>plicLoad(<u32>p) : 0;
  const r = pa - <u64>BOOTROM_BASE;
  if (r < <u64>BOOTROM_SIZE) {
    if (r + <u64>size > <u64>BOOTROM_SIZE) return 0;
    const at = <usize>(CTRL_BASE + CTRL_BOOTROM) + <usize>r;
    let v: u64 = 0;
    for (let i: u32 = 0; i < size; i++) v |= <u64>load<u8>(at + <usize>i) << (<u64>i << 3);
    return v;
  }
  return 0; // the finisher reads as 0
}

/** Board device store. The boot ROM ignores writes; a finisher command ends the run (BOARD_HALT). */
export function boardStore(pa: u64, size: u32, v: u64): i32 {
  const p = pa - <u64>PLIC_BASE;
  if (p < <u64>PLIC_SIZE) {
    if (size == 4) plicStore(<u32>p, <u32>v);
    return BOARD_OK;
  }
  if (pa == <u64>TEST_BASE && size >= 2) {
    const cmd = <u32>v & 0xffff;
    if (cmd != 0x5555 && cmd != 0x7777 && cmd != 0x3333) return BOARD_OK;
    const code: u64 = cmd == 0x3333 ? (<u64>(<u32>v >> 16) == 0 ? 1 : <u64>(<u32>v >> 16)) : 0;
    store<u32>(CTRL_BASE + CTRL_FINISHER, <u32>v);
    store<u64>(CTRL_BASE + CTRL_EXIT_CODE, (code << 1) | 1);
    atomic.store<u32>(CTRL_BASE + CTRL_EXIT, <u32>((code << 1) | 1));
    return BOARD_HALT;
  }
  return BOARD_OK;
}
