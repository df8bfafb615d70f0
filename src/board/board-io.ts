// Host side of the board devices: boot ROM contents, UART input, the finisher's last command, the watch log.
import {
  BOOTROM_SIZE, CTRL_BASE, CTRL_BOOTROM, CTRL_EXIT, CTRL_FINISHER, CTRL_MSIP, CTRL_NHARTS, CTRL_SIZE, CTRL_UART_RX_BUF,
  CTRL_UART_RX_HEAD, CTRL_UART_RX_TAIL, CTRL_WATCH_CAP, CTRL_WATCH_FLAGS, CTRL_WATCH_HEAD, CTRL_WATCH_HI, CTRL_WATCH_LO,
  CTRL_WATCH_DHI, CTRL_WATCH_DLO, CTRL_WATCH_LOG, CTRL_WATCH_LOST, CTRL_WATCH_TAIL, RAM_GUEST_BASE, RAM_WASM_BASE,
  UART_RX_SIZE, WATCH_DECODE, WATCH_ECALL, WATCH_FENCE_I, WATCH_STORES, WEV_DECODE, WEV_ECALL, WEV_FENCE_I, WEV_SIZE, WEV_STORE,
} from '../machine/layout.js';
import { BoardError } from './errors.js';

/** Copies bytes into the boot ROM (guest physical BOOTROM_BASE); the rest of the ROM reads 0. */
export function writeBootRom(wasm: WebAssembly.Memory, bytes: Uint8Array): void {
  if (bytes.length > BOOTROM_SIZE) {
    throw new BoardError('BOARD_TOO_BIG', `the device tree is ${bytes.length} bytes; the boot ROM holds ${BOOTROM_SIZE}`);
  }
  const rom = new Uint8Array(wasm.buffer, CTRL_BASE + CTRL_BOOTROM, BOOTROM_SIZE);
  rom.fill(0);
  rom.set(bytes);
}

function ctrl32(wasm: WebAssembly.Memory): Int32Array {
  return new Int32Array(wasm.buffer, CTRL_BASE, CTRL_SIZE / 4);
}

/**
 * Queues console input for the 16550 (its receive ring holds UART_RX_SIZE bytes); returns how many bytes fit.
 * Wakes every hart that sleeps in wfi so the one the PLIC routes the interrupt to sees it.
 */
export function pushUartInput(wasm: WebAssembly.Memory, bytes: Uint8Array): number {
  const c = ctrl32(wasm);
  const head = Atomics.load(c, CTRL_UART_RX_HEAD / 4) >>> 0;
  const tail = Atomics.load(c, CTRL_UART_RX_TAIL / 4) >>> 0;
  const room = UART_RX_SIZE - ((head - tail) >>> 0);
  const n = Math.min(room, bytes.length);
  const ring = new Uint8Array(wasm.buffer, CTRL_BASE + CTRL_UART_RX_BUF, UART_RX_SIZE);
  for (let i = 0; i < n; i++) ring[(head + i) & (UART_RX_SIZE - 1)] = bytes[i]!;
  Atomics.store(c, CTRL_UART_RX_HEAD / 4, (head + n) | 0);
  const harts = Atomics.load(c, CTRL_NHARTS / 4);
  for (let h = 0; h < harts; h++) Atomics.notify(c, CTRL_MSIP / 4 + h);
  return n;
}

/** The last command the guest wrote to the sifive,test finisher (0 = none). */
export function finisherValue(wasm: WebAssembly.Memory): number {
  return Atomics.load(ctrl32(wasm), CTRL_FINISHER / 4) >>> 0;
}

/** Ends a parallel run from the host (every hart stops at its next slice boundary or wfi wake-up). */
export function forceExit(wasm: WebAssembly.Memory): void {
  const c = ctrl32(wasm);
  Atomics.store(c, CTRL_EXIT / 4, 1);
  const harts = Atomics.load(c, CTRL_NHARTS / 4);
  for (let h = 0; h < harts; h++) Atomics.notify(c, CTRL_MSIP / 4 + h);
}

export type WatchEventKind = 'store' | 'fence.i' | 'ecall' | 'decode';

/** One watch-log event (see layout.ts WEV_*). */
export interface WatchEvent {
  kind: WatchEventKind;
  hart: number;
  /** Privilege the hart was in (0 U, 1 S, 3 M). */
  priv: number;
  /** Store size in bytes (0 for other kinds). */
  size: number;
  /** Physical address of a store; pc of a fence.i or ecall. */
  addr: bigint;
  /** Stored value; for an ecall a7 << 32 | a6 (SBI extension and function). */
  value: bigint;
  /** The hart's retired-instruction count when it happened. */
  retired: bigint;
}

export interface WatchConfig {
  /** Physical store range [lo, hi) to log. */
  stores?: { lo: number; hi: number };
  fenceI?: boolean;
  ecalls?: boolean;
  /** Physical range [lo, hi) whose instruction decodes to log (addr = pa, value = the bytes decoded, size 2 or 4). */
  decodes?: { lo: number; hi: number };
  /** Guest physical address of the log (RAM the guest does not use) and its capacity in events (power of two). */
  log: number;
  capacity: number;
}

const KINDS: Record<number, WatchEventKind> = { [WEV_STORE]: 'store', [WEV_FENCE_I]: 'fence.i', [WEV_ECALL]: 'ecall', [WEV_DECODE]: 'decode' };

/** Reads the engine's watch log (stores into kernel text, fence.i, SBI calls) as the harts append to it. */
export class WatchLog {
  private readonly c32: Int32Array;
  private readonly view: DataView;

  constructor(private readonly wasm: WebAssembly.Memory, private readonly cfg: WatchConfig) {
    if (cfg.capacity <= 0 || (cfg.capacity & (cfg.capacity - 1)) !== 0) {
      throw new BoardError('BOARD_BAD_OPTION', `watch log capacity must be a power of two, got ${cfg.capacity}`);
    }
    this.c32 = ctrl32(wasm);
    this.view = new DataView(wasm.buffer);
    const v = this.view;
    new Uint8Array(wasm.buffer, RAM_WASM_BASE + (cfg.log - RAM_GUEST_BASE), cfg.capacity * WEV_SIZE).fill(0);
    v.setBigUint64(CTRL_BASE + CTRL_WATCH_LOG, BigInt(cfg.log), true);
    v.setBigUint64(CTRL_BASE + CTRL_WATCH_LO, BigInt(cfg.stores?.lo ?? 0), true);
    v.setBigUint64(CTRL_BASE + CTRL_WATCH_HI, BigInt(cfg.stores?.hi ?? 0), true);
    v.setBigUint64(CTRL_BASE + CTRL_WATCH_DLO, BigInt(cfg.decodes?.lo ?? 0), true);
    v.setBigUint64(CTRL_BASE + CTRL_WATCH_DHI, BigInt(cfg.decodes?.hi ?? 0), true);
    Atomics.store(this.c32, CTRL_WATCH_HEAD / 4, 0);
    Atomics.store(this.c32, CTRL_WATCH_TAIL / 4, 0);
    Atomics.store(this.c32, CTRL_WATCH_LOST / 4, 0);
    Atomics.store(this.c32, CTRL_WATCH_CAP / 4, cfg.capacity);
    const flags = (cfg.stores ? WATCH_STORES : 0) | (cfg.fenceI ? WATCH_FENCE_I : 0) | (cfg.ecalls ? WATCH_ECALL : 0) | (cfg.decodes ? WATCH_DECODE : 0);
    Atomics.store(this.c32, CTRL_WATCH_FLAGS / 4, flags);
  }

  /** Events dropped because the log was full when a hart appended. */
  get lost(): number {
    return Atomics.load(this.c32, CTRL_WATCH_LOST / 4) >>> 0;
  }

  /** Takes the events published so far, in log order. */
  drain(): WatchEvent[] {
    const out: WatchEvent[] = [];
    const v = this.view;
    this.consume((w0, at) =>
      out.push({
        kind: KINDS[w0 & 0xff] ?? 'store',
        hart: (w0 >>> 8) & 0xff,
        priv: (w0 >>> 16) & 0xff,
        size: w0 >>> 24,
        addr: v.getBigUint64(at + 8, true),
        value: v.getBigUint64(at + 16, true),
        retired: v.getBigUint64(at + 24, true),
      }),
    );
    return out;
  }

  /**
   * Takes the published events like drain(), without allocating: `fn(kind, hart, size, addr, value)` with the
   * kind number (WEV_*), addr as a number (below 2^53) and the low 32 bits of the value (hot loops: the checker).
   */
  drainEach(fn: (kind: number, hart: number, size: number, addr: number, value: number) => void): void {
    const v = this.view;
    this.consume((w0, at) => fn(w0 & 0xff, (w0 >>> 8) & 0xff, w0 >>> 24, v.getUint32(at + 8, true) + v.getUint32(at + 12, true) * 2 ** 32, v.getUint32(at + 16, true)));
  }

  private words: Int32Array | undefined;

  /** Hands each published event (its first word and its Wasm offset) to `take`, frees its slot, advances the tail. */
  private consume(take: (w0: number, at: number) => void): void {
    let tail = Atomics.load(this.c32, CTRL_WATCH_TAIL / 4) >>> 0;
    const head = Atomics.load(this.c32, CTRL_WATCH_HEAD / 4) >>> 0;
    if (tail === head) return;
    const base = RAM_WASM_BASE + (this.cfg.log - RAM_GUEST_BASE);
    const words = (this.words ??= new Int32Array(this.wasm.buffer, base, (this.cfg.capacity * WEV_SIZE) / 4));
    while (tail !== head) {
      const slot = tail & (this.cfg.capacity - 1);
      const w0 = Atomics.load(words, (slot * WEV_SIZE) / 4) >>> 0;
      if (w0 === 0) break; // reserved but not yet published
      take(w0, base + slot * WEV_SIZE);
      Atomics.store(words, (slot * WEV_SIZE) / 4, 0);
      tail = (tail + 1) >>> 0;
      Atomics.store(this.c32, CTRL_WATCH_TAIL / 4, tail | 0);
    }
  }

  /** Stops logging. */
  stop(): void {
    Atomics.store(this.c32, CTRL_WATCH_FLAGS / 4, 0);
  }
}
