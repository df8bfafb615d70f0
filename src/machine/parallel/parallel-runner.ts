// Parallel mode: every hart in its own worker on the one shared memory; start, pause/resume at instruction boundaries.
import { MachineError } from '../errors.js';
import {
  CTRL_BASE, CTRL_BUDGET, CTRL_DOORBELL, CTRL_EPOCH, CTRL_EXIT, CTRL_HART_PAUSE, CTRL_MSIP, CTRL_PAUSE, CTRL_RETIRED,
  CTRL_SIZE, CTRL_START_US, CTRL_WSTATE, WS_DONE, WS_IDLE, WS_PAUSED, WS_WFI,
} from '../layout.js';
import type { HartLoopResult } from './hart-loop.js';
import { nowMicros } from '../wall-clock.js';
import type { HartWorkerHandle, SpawnHartWorker } from './worker-handle.js';

export interface ParallelRunOptions {
  /** Machine-wide instruction budget (all harts together). */
  maxInsns: number;
  /** Instructions per engine call in each worker. */
  slice: number;
  /** How often the main thread drains the UART while harts run (ms). */
  pollMs?: number;
}

/** Drives N hart workers over one machine memory. */
export class ParallelRunner {
  private workers: HartWorkerHandle[] = [];
  private parked = false;
  private readonly i32: Int32Array;
  private readonly i64: BigInt64Array;

  constructor(
    private readonly wasm: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
    private readonly nharts: number,
    private readonly spawn: SpawnHartWorker,
    private readonly poll: () => void,
  ) {
    this.i32 = new Int32Array(wasm.buffer, CTRL_BASE, CTRL_SIZE / 4);
    this.i64 = new BigInt64Array(wasm.buffer, CTRL_BASE, CTRL_SIZE / 8);
  }

  get running(): boolean {
    return this.workers.length > 0;
  }

  /** Starts one worker per hart and resolves when every hart's loop has ended. */
  async run(opts: ParallelRunOptions): Promise<HartLoopResult[]> {
    if (this.running) throw new MachineError('MACHINE_BUSY', 'the machine is already running');
    const { i32, i64 } = this;
    Atomics.store(i64, CTRL_RETIRED / 8, 0n);
    Atomics.store(i64, CTRL_BUDGET / 8, BigInt(Math.floor(opts.maxInsns)));
    if (Atomics.load(i64, CTRL_START_US / 8) === 0n) Atomics.store(i64, CTRL_START_US / 8, nowMicros());
    Atomics.store(i32, CTRL_PAUSE / 4, 0);
    for (let h = 0; h < this.nharts; h++) Atomics.store(i32, CTRL_WSTATE / 4 + h, WS_IDLE);
    this.workers = Array.from({ length: this.nharts }, (_, hart) =>
      this.spawn({ module: this.module, memory: this.wasm, hart, slice: opts.slice }),
    );
    const timer = setInterval(this.poll, opts.pollMs ?? 5);
    try {
      const pending = this.workers.map((w) =>
        w.done.then((m) => {
          // The first hart to end the machine wakes the others so they notice promptly.
          if (m.type === 'done' && (m.result.end === 'halted' || m.result.end === 'fault' || m.result.end === 'error')) {
            this.stopOthers();
          }
          if (m.type === 'failed') this.stopOthers();
          return m;
        }),
      );
      const messages = await Promise.all(pending);
      const failed = messages.find((m) => m.type === 'failed');
      if (failed && failed.type === 'failed') {
        throw new MachineError('MACHINE_ENGINE_ERROR', `hart ${failed.hart} worker failed: ${failed.message}`);
      }
      return messages.map((m) => (m as { type: 'done'; result: HartLoopResult }).result);
    } finally {
      clearInterval(timer);
      this.poll();
      await Promise.all(this.workers.map((w) => w.terminate()));
      this.workers = [];
      this.parked = false;
    }
  }

  /** Ends the current run at every hart's next slice boundary (the run resolves with reason 'budget'). */
  stop(): void {
    if (this.running) this.stopOthers();
  }

  /** Holds one hart parked at its next slice boundary (`on`) or releases it; the other harts keep running. */
  hold(hart: number, on: boolean): void {
    Atomics.store(this.i32, CTRL_HART_PAUSE / 4 + hart, on ? 1 : 0);
    if (on) {
      Atomics.notify(this.i32, CTRL_MSIP / 4 + hart); // out of a wfi sleep, so it parks now
    } else {
      Atomics.add(this.i32, CTRL_EPOCH / 4, 1);
      Atomics.notify(this.i32, CTRL_EPOCH / 4);
    }
  }

  /** Resolves once `hart` is parked (or its loop ended); returns at once when nothing runs. */
  async waitParked(hart: number): Promise<void> {
    const idx = CTRL_WSTATE / 4 + hart;
    while (this.running) {
      const s = Atomics.load(this.i32, idx);
      if (s === WS_PAUSED || s === WS_DONE || s === WS_IDLE) return;
      if (s === WS_WFI) Atomics.notify(this.i32, CTRL_MSIP / 4 + hart);
      const r = Atomics.waitAsync(this.i32, idx, s, 20);
      if (r.async) await r.value;
    }
  }

  /** The worker state word (WS_*) of one hart. */
  workerState(hart: number): number {
    return Atomics.load(this.i32, CTRL_WSTATE / 4 + hart);
  }

  /** Ends every other hart's loop: used when one hart halts the machine or fails. */
  private stopOthers(): void {
    if (Atomics.load(this.i32, CTRL_EXIT / 4) === 0) {
      // No tohost exit: make the others see a used-up budget.
      Atomics.store(this.i64, CTRL_BUDGET / 8, 0n);
    }
    this.wakeAll();
  }

  private wakeAll(): void {
    for (let h = 0; h < this.nharts; h++) Atomics.notify(this.i32, CTRL_MSIP / 4 + h);
    Atomics.add(this.i32, CTRL_DOORBELL / 4, 1);
    Atomics.notify(this.i32, CTRL_DOORBELL / 4);
    Atomics.notify(this.i32, CTRL_EPOCH / 4);
  }

  /**
   * Asks every hart to stop at its next instruction boundary and resolves once all are parked (or done).
   * Returns the latency in milliseconds from the request to the last hart parked.
   */
  async pause(): Promise<number> {
    const t0 = performance.now();
    Atomics.store(this.i32, CTRL_PAUSE / 4, 1);
    this.wakeAll();
    for (let h = 0; h < this.nharts; h++) {
      const idx = CTRL_WSTATE / 4 + h;
      for (;;) {
        const s = Atomics.load(this.i32, idx);
        if (s === WS_PAUSED || s === WS_DONE || s === WS_IDLE) break;
        if (s === WS_WFI) {
          Atomics.notify(this.i32, CTRL_MSIP / 4 + h);
        }
        const r = Atomics.waitAsync(this.i32, idx, s, 20);
        if (r.async) await r.value;
      }
    }
    this.parked = true;
    return performance.now() - t0;
  }

  /** Lets parked harts continue. */
  resume(): void {
    this.parked = false;
    Atomics.store(this.i32, CTRL_PAUSE / 4, 0);
    Atomics.add(this.i32, CTRL_EPOCH / 4, 1);
    Atomics.notify(this.i32, CTRL_EPOCH / 4);
  }

  /** Has pause() completed (every worker parked or finished) without a resume() since? */
  get paused(): boolean {
    return this.parked;
  }
}
