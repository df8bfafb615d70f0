// The host wall clock as the guest sees it in parallel mode: CLINT ticks at 10 MHz since the run's origin (CTRL_START_US).
import { CTRL_BASE, CTRL_SIZE, CTRL_START_US } from './layout.js';

/** mtime frequency in parallel mode: wall-clock 10 MHz (like QEMU virt's CLINT). */
export const PARALLEL_MTIME_HZ = 10_000_000;

/** Microseconds since an arbitrary common origin, identical in every worker of the process. */
export function nowMicros(): bigint {
  return BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
}

/** A `hostTicks` import for the engine: wall-clock ticks since the origin the parallel runner stored in memory. */
export function wallClockTicks(memory: WebAssembly.Memory): () => bigint {
  const i64 = new BigInt64Array(memory.buffer, CTRL_BASE, CTRL_SIZE / 8);
  const ticksPerUs = BigInt(PARALLEL_MTIME_HZ / 1_000_000);
  return () => {
    const start = Atomics.load(i64, CTRL_START_US / 8);
    const us = nowMicros() - start;
    return us > 0n ? us * ticksPerUs : 0n;
  };
}
