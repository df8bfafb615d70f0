// Host side of the emulated devices: drains the UART transmit ring into console output; CLINT time advance.
import { CTRL_BASE, CTRL_MSIP, CTRL_MTIME, CTRL_MTIMECMP, CTRL_UART_BUF, CTRL_UART_HEAD, CTRL_UART_TAIL, UART_BUF_SIZE } from './layout.js';

/** Takes the bytes the guest wrote to the UART since the last drain. */
export function drainUart(wasm: WebAssembly.Memory): Uint8Array {
  const words = new Uint32Array(wasm.buffer, CTRL_BASE, 0x2000 / 4);
  const head = Atomics.load(words, CTRL_UART_HEAD / 4);
  const tail = Atomics.load(words, CTRL_UART_TAIL / 4);
  const n = (head - tail) >>> 0;
  if (n === 0) return new Uint8Array(0);
  const ring = new Uint8Array(wasm.buffer, CTRL_BASE + CTRL_UART_BUF, UART_BUF_SIZE);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = ring[(tail + i) & (UART_BUF_SIZE - 1)]!;
  Atomics.store(words, CTRL_UART_TAIL / 4, head);
  return out;
}

/** The CLINT's mtime and per-hart mtimecmp words in the control block. */
export class Clint {
  constructor(private readonly wasm: WebAssembly.Memory) {}

  /** The machine's memory never grows (initial = maximum pages), so one view serves for its whole life. */
  private cachedView: DataView | undefined;
  private get view(): DataView {
    return (this.cachedView ??= new DataView(this.wasm.buffer));
  }

  get mtime(): bigint {
    return this.view.getBigUint64(CTRL_BASE + CTRL_MTIME, true);
  }

  set mtime(v: bigint) {
    this.view.setBigUint64(CTRL_BASE + CTRL_MTIME, BigInt.asUintN(64, v), true);
  }

  mtimecmp(hart: number): bigint {
    return this.view.getBigUint64(CTRL_BASE + CTRL_MTIMECMP + 8 * hart, true);
  }

  msip(hart: number): number {
    return Atomics.load(new Int32Array(this.wasm.buffer, CTRL_BASE + CTRL_MSIP, 32), hart);
  }

  /** Writes a hart's msip word and wakes the hart if it sleeps in wfi (parallel mode waits on this word). */
  setMsip(hart: number, v: number): void {
    const words = new Int32Array(this.wasm.buffer, CTRL_BASE + CTRL_MSIP, 32);
    Atomics.store(words, hart, v & 1);
    Atomics.notify(words, hart);
  }
}
