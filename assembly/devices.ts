// QEMU-virt-like devices: the CLINT (msip, mtimecmp, mtime backed by control-block words) and a 16550 UART
// (transmit ring, receive ring, interrupt output to the PLIC); the other board devices are in board.ts.
import { BOARD_HALT, boardLoad, boardStore, isBoardDevice, uartRxReady } from './board';
import {
  CTRL_UART_RX_BUF, CTRL_UART_RX_TAIL, CTRL_UART_THRE_IP, UART_RX_SIZE,
} from '../src/machine/layout';
import {
  CLINT_BASE, CLINT_MSIP, CLINT_MTIME, CLINT_MTIMECMP, CLINT_SIZE, CTRL_BASE, CTRL_MSIP, CTRL_MTIME,
  CTRL_MTIMECMP, CTRL_UART_BUF, CTRL_UART_DLL, CTRL_UART_DLM, CTRL_UART_FCR, CTRL_UART_HEAD, CTRL_UART_IER,
  CTRL_UART_LCR, CTRL_UART_MCR, CTRL_UART_SCR, CTRL_UART_TAIL, MAX_HARTS, UART_BASE, UART_BUF_SIZE, UART_SIZE,
} from '../src/machine/layout';

/** Result of a device store. */
export const DEV_OK: i32 = 0;
export const DEV_NONE: i32 = -1; // no device at this address (access fault)
export const DEV_UART_FULL: i32 = 1; // the transmit ring is full: retry after the host drained it
export const DEV_HALT: i32 = 2; // the guest powered the board off (sifive,test finisher)

/** Is pa inside a device window? */
export function isDevice(pa: u64): bool {
  return (pa - <u64>CLINT_BASE) < <u64>CLINT_SIZE || (pa - <u64>UART_BASE) < <u64>UART_SIZE || isBoardDevice(pa);
}

/** Control-block address backing CLINT offset off for a size-byte access, or 0 if none (reads 0, writes ignored). */
function clintBacking(off: u32, size: u32): usize {
  const end = off + size;
  if (end <= <u32>(CLINT_MSIP + 4 * MAX_HARTS)) return <usize>(CTRL_BASE + CTRL_MSIP) + <usize>(off - CLINT_MSIP);
  if (off >= <u32>CLINT_MTIMECMP && end <= <u32>(CLINT_MTIMECMP + 8 * MAX_HARTS)) {
    return <usize>(CTRL_BASE + CTRL_MTIMECMP) + <usize>(off - CLINT_MTIMECMP);
  }
  if (off >= <u32>CLINT_MTIME && end <= <u32>(CLINT_MTIME + 8)) return <usize>(CTRL_BASE + CTRL_MTIME) + <usize>(off - CLINT_MTIME);
  return 0;
}

@inline function loadSized(at: usize, size: u32): u64 {
  if (size == 1) return <u64>load<u8>(at);
  if (size == 2) return <u64>load<u16>(at);
  if (size == 4) return <u64>load<u32>(at);
  return load<u64>(at);
}

@inline function storeSized(at: usize, size: u32, v: u64): void {
  if (size == 1) store<u8>(at, <u8>v);
  else if (size == 2) store<u16>(at, <u16>v);
  else if (size == 4) store<u32>(at, <u32>v);
  else store<u64>(at, v);
}

function uartRead(reg: u32): u32 {
  const lcr = load<u32>(CTRL_BASE + CTRL_UART_LCR);
  const dlab = (lcr & 0x80) != 0;
  switch (reg) {
    case 0: return dlab ? load<u32>(CTRL_BASE + CTRL_UART_DLL) : uartReceive(); // RBR
    case 1: return dlab ? load<u32>(CTRL_BASE + CTRL_UART_DLM) : load<u32>(CTRL_BASE + CTRL_UART_IER);
    case 2: return uartIir() | ((load<u32>(CTRL_BASE + CTRL_UART_FCR) & 1) != 0 ? 0xc0 : 0);
    case 3: return lcr;
    case 4: return load<u32>(CTRL_BASE + CTRL_UART_MCR);
    case 5: return 0x60 | (uartRxReady() ? 1 : 0); // LSR: THR empty + transmitter empty, data ready
    case 6: return 0xb0; // MSR: DCD, DSR, CTS
    case 7: return load<u32>(CTRL_BASE + CTRL_UART_SCR);
    default: return 0;
  }
}

/** RBR: the next received byte (0 when the ring is empty). */
function uartReceive(): u32 {
  const tail = atomic.load<u32>(CTRL_BASE + CTRL_UART_RX_TAIL);
  if (!uartRxReady()) return 0;
  const b = <u32>load<u8>(<usize>(CTRL_BASE + CTRL_UART_RX_BUF) + <usize>(tail & (UART_RX_SIZE - 1)));
  atomic.store<u32>(CTRL_BASE + CTRL_UART_RX_TAIL, tail + 1);
  return b;
}

/** IIR: received data (0x04) before THR empty (0x02, cleared by this read), else none (0x01). */
function uartIir(): u32 {
  const ier = load<u32>(CTRL_BASE + CTRL_UART_IER);
  if ((ier & 1) != 0 && uartRxReady()) return 0x04;
  if ((ier & 2) != 0 && atomic.load<u32>(CTRL_BASE + CTRL_UART_THRE_IP) != 0) {
    atomic.store<u32>(CTRL_BASE + CTRL_UART_THRE_IP, 0);
    return 0x02;
  }
  return 0x01;
}

function uartWrite(reg: u32, b: u32): i32 {
  const lcr = load<u32>(CTRL_BASE + CTRL_UART_LCR);
  const dlab = (lcr & 0x80) != 0;
  switch (reg) {
    case 0: {
      if (dlab) { store<u32>(CTRL_BASE + CTRL_UART_DLL, b); break; }
      const head = atomic.load<u32>(CTRL_BASE + CTRL_UART_HEAD);
      const tail = atomic.load<u32>(CTRL_BASE + CTRL_UART_TAIL);
      if (head - tail >= <u32>UART_BUF_SIZE) return DEV_UART_FULL;
      store<u8>(<usize>(CTRL_BASE + CTRL_UART_BUF) + <usize>(head & (UART_BUF_SIZE - 1)), <u8>b);
      atomic.store<u32>(CTRL_BASE + CTRL_UART_HEAD, head + 1);
      atomic.store<u32>(CTRL_BASE + CTRL_UART_THRE_IP, 1); // sent at once: the THR is empty again
      break;
    }
    case 1: {
      if (dlab) { store<u32>(CTRL_BASE + CTRL_UART_DLM, b); break; }
      const old = load<u32>(CTRL_BASE + CTRL_UART_IER);
      store<u32>(CTRL_BASE + CTRL_UART_IER, b & 0x0f);
      if ((b & 2) != 0 && (old & 2) == 0) atomic.store<u32>(CTRL_BASE + CTRL_UART_THRE_IP, 1); // THR is empty
      break;
    }
    case 2: store<u32>(CTRL_BASE + CTRL_UART_FCR, b); break;
    case 3: store<u32>(CTRL_BASE + CTRL_UART_LCR, b); break;
    case 4: store<u32>(CTRL_BASE + CTRL_UART_MCR, b & 0x1f); break;
    case 7: store<u32>(CTRL_BASE + CTRL_UART_SCR, b); break;
    default: break; // LSR/MSR writes are ignored
  }
  return DEV_OK;
}

/** Device load; caller checked isDevice(pa). */
export function deviceLoad(pa: u64, size: u32): u64 {
  const c = pa - <u64>CLINT_BASE;
  if (c < <u64>CLINT_SIZE) {
    const at = clintBacking(<u32>c, size);
    return at == 0 ? 0 : loadSized(at, size);
  }
  const u = pa - <u64>UART_BASE;
  if (u < <u64>UART_SIZE) return u < 8 ? <u64>uartRead(<u32>u) : 0;
  return boardLoad(pa, size);
}

/** Device store; caller checked isDevice(pa). */
export function deviceStore(pa: u64, size: u32, v: u64): i32 {
  const c = pa - <u64>CLINT_BASE;
  if (c < <u64>CLINT_SIZE) {
    const at = clintBacking(<u32>c, size);
    if (at == 0) return DEV_OK;
    storeSized(at, size, v);
    if (<u32>c < <u32>(CLINT_MSIP + 4 * MAX_HARTS)) { // msip: only bit 0 of each word exists
      const w = <usize>(CTRL_BASE + CTRL_MSIP) + ((<usize>c) & ~3);
      atomic.store<u32>(w, load<u32>(w) & 1);
      atomic.notify(w, 1); // wake the target hart if its worker sleeps in wfi on this word
    }
    return DEV_OK;
  }
  const u = pa - <u64>UART_BASE;
  if (u < <u64>UART_SIZE) return u < 8 ? uartWrite(<u32>u, <u32>v & 0xff) : DEV_OK;
  return boardStore(pa, size, v) == BOARD_HALT ? DEV_HALT : DEV_OK;
}
