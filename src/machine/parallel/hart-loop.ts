// One hart's run loop inside a worker (portable: no Node or browser API): slices, wfi sleep, pause parking, exit.
import type { EngineExports } from '../engine.js';
import {
  CTRL_BASE, CTRL_BUDGET, CTRL_DOORBELL, CTRL_EPOCH, CTRL_EXIT, CTRL_HART_PAUSE, CTRL_MSIP, CTRL_MTIME, CTRL_MTIMECMP, CTRL_PAUSE,
  CTRL_RETIRED, CTRL_SIZE, CTRL_START_US, CTRL_WSTATE, H_LAST_RUN, HART_BASE, HART_STATE_SIZE, STOP_BREAKPOINT,
  STOP_BUDGET, STOP_FAULT_LOOP, STOP_HALTED, STOP_PAUSE, STOP_UART_FULL, STOP_WFI, WS_DONE, WS_PAUSED, WS_RUNNING,
  WS_WFI,
} from '../layout.js';
import { nowMicros, PARALLEL_MTIME_HZ } from '../wall-clock.js';


export interface HartLoopConfig {
  hart: number;
  /** Instructions per engine call; bounds pause latency (a slice is never interrupted). */
  slice: number;
}

/** Why a worker's hart loop ended (sent to the main thread). */
export type HartLoopEnd =
  | 'halted' // this hart wrote tohost
  | 'exited' // another hart ended the machine
  | 'budget' // the machine-wide budget is used up
  | 'fault'
  | 'breakpoint'
  | 'error';

export interface HartLoopResult {
  hart: number;
  end: HartLoopEnd;
  instructions: number;
  stop: number;
}


/** Runs `cfg.hart` until the machine exits, the budget is used, or the hart stops; parks while paused. */
export function runHartLoop(engine: EngineExports, wasm: WebAssembly.Memory, cfg: HartLoopConfig): HartLoopResult {
  const i32 = new Int32Array(wasm.buffer, CTRL_BASE, CTRL_SIZE / 4);
  const i64 = new BigInt64Array(wasm.buffer, CTRL_BASE, CTRL_SIZE / 8);
  const hartView = new DataView(wasm.buffer, HART_BASE + cfg.hart * HART_STATE_SIZE, HART_STATE_SIZE);
  const stateIdx = CTRL_WSTATE / 4 + cfg.hart;
  const msipIdx = CTRL_MSIP / 4 + cfg.hart;
  const holdIdx = CTRL_HART_PAUSE / 4 + cfg.hart;
  const held = (): boolean => Atomics.load(i32, CTRL_PAUSE / 4) !== 0 || Atomics.load(i32, holdIdx) !== 0;
  const setState = (s: number): void => {
    Atomics.store(i32, stateIdx, s);
    Atomics.notify(i32, stateIdx);
  };
  let instructions = 0;
  const finish = (end: HartLoopEnd, stop: number): HartLoopResult => {
    setState(WS_DONE);
    return { hart: cfg.hart, end, instructions, stop };
  };

  setState(WS_RUNNING);
  for (;;) {
    if (Atomics.load(i32, CTRL_EXIT / 4) !== 0) return finish('exited', STOP_HALTED);
    const budget = Atomics.load(i64, CTRL_BUDGET / 8);
    const used = Atomics.load(i64, CTRL_RETIRED / 8);
    if (used >= budget) return finish('budget', STOP_BUDGET);
    if (held()) {
      park(i32, i64, held, setState);
      continue;
    }
    updateMtime(i64);
    const left = budget - used;
    const n = left < BigInt(cfg.slice) ? Number(left) : cfg.slice;
    const stop = engine.run(cfg.hart, n);
    const retired = Number(hartView.getBigUint64(H_LAST_RUN, true));
    instructions += retired;
    Atomics.add(i64, CTRL_RETIRED / 8, BigInt(retired));
    switch (stop) {
      case STOP_BUDGET:
        break;
      case STOP_UART_FULL:
        // The main thread drains the ring; give it a moment instead of spinning.
        Atomics.wait(i32, CTRL_DOORBELL / 4, Atomics.load(i32, CTRL_DOORBELL / 4), 1);
        break;
      case STOP_WFI:
        sleepInWfi(i32, i64, cfg.hart, msipIdx, held, setState);
        break;
      case STOP_PAUSE:
        park(i32, i64, held, setState);
        break;
      case STOP_HALTED:
        return finish('halted', stop);
      case STOP_FAULT_LOOP:
        return finish('fault', stop);
      case STOP_BREAKPOINT:
        return finish('breakpoint', stop);
      default:
        return finish('error', stop);
    }
  }
}

/**
 * Parks at an instruction boundary while `held()` (CTRL_PAUSE, or this hart's CTRL_HART_PAUSE word); the host bumps
 * CTRL_EPOCH and notifies when it releases harts. Also leaves when the machine exits or the host cuts the budget.
 */
function park(i32: Int32Array, i64: BigInt64Array, held: () => boolean, setState: (s: number) => void): void {
  setState(WS_PAUSED);
  for (;;) {
    const epoch = Atomics.load(i32, CTRL_EPOCH / 4);
    if (!held()) break;
    if (Atomics.load(i32, CTRL_EXIT / 4) !== 0 || Atomics.load(i64, CTRL_RETIRED / 8) >= Atomics.load(i64, CTRL_BUDGET / 8)) break;
    Atomics.wait(i32, CTRL_EPOCH / 4, epoch, 50);
  }
  setState(WS_RUNNING);
}

/** mtime follows the wall clock at PARALLEL_MTIME_HZ from CTRL_START_US; only ever moves forward. */
function updateMtime(i64: BigInt64Array): bigint {
  const start = Atomics.load(i64, CTRL_START_US / 8);
  const ticks = ((nowMicros() - start) * BigInt(PARALLEL_MTIME_HZ)) / 1_000_000n;
  for (;;) {
    const cur = Atomics.load(i64, CTRL_MTIME / 8);
    if (ticks <= cur) return cur;
    if (Atomics.compareExchange(i64, CTRL_MTIME / 8, cur, ticks) === cur) return ticks;
  }
}

/**
 * The hart executed wfi with nothing pending: sleep on its msip word (a CLINT msip store by a hart or by the host
 * notifies it) until an IPI, its timer deadline, a pause request (global or for this hart) or the machine's exit.
 */
function sleepInWfi(
  i32: Int32Array,
  i64: BigInt64Array,
  hart: number,
  msipIdx: number,
  held: () => boolean,
  setState: (s: number) => void,
): void {
  setState(WS_WFI);
  const now = updateMtime(i64);
  const cmp = BigInt.asUintN(64, Atomics.load(i64, CTRL_MTIMECMP / 8 + hart));
  let timeoutMs = Infinity;
  if (cmp !== 0xffffffffffffffffn) {
    const ticks = cmp > BigInt.asUintN(64, now) ? cmp - BigInt.asUintN(64, now) : 0n;
    timeoutMs = Number((ticks * 1000n) / BigInt(PARALLEL_MTIME_HZ));
  }
  // A pending msip means an interrupt the hart masks in mie: wait for a change with a short poll instead of spinning.
  const msip = Atomics.load(i32, msipIdx);
  if (msip !== 0) timeoutMs = Math.min(timeoutMs, 1);
  if (timeoutMs > 0 && !held() && Atomics.load(i32, CTRL_EXIT / 4) === 0) {
    Atomics.wait(i32, msipIdx, msip, timeoutMs);
  }
  updateMtime(i64);
  setState(WS_RUNNING);
}
