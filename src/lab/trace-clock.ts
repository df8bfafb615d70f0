// The trace clock: each hart's own retired-instruction counter (minstret, read with rdinstret) converted to ns at a configurable frequency.
//
// Every event the guest tracers write carries the writing hart's minstret at that instruction. The engine retires one
// instruction per cycle (mcycle == minstret unless mcountinhibit says otherwise), so this is also the hart's cycle
// counter. Like the kernel's `local` trace clock (sched_clock per CPU) it is monotonic per hart and not comparable
// across harts; unlike it, it is exact and deterministic: two runs with the same seed give the same clock values.
//
// Relation to mtime (the `time` CSR the guest reads): in deterministic mode the machine advances mtime one 10 MHz tick
// per MTIME_DIVISOR (100) instructions retired per hart on average, i.e. 100 ns of mtime per 100 instructions. At the
// default 1 GHz a hart's clock in ns therefore tracks mtime × 100 ns, off by how far that hart ran ahead of or behind
// the others in the scheduler's slices. In parallel mode mtime follows the host's wall clock while the instruction
// clock still counts instructions, so the two drift apart freely.
import { LabError } from './errors.js';

/** Default trace-clock frequency: 1 GHz, one instruction = 1 ns (the rate at which deterministic mtime advances). */
export const DEFAULT_TRACE_CLOCK_HZ = 1_000_000_000;

/** How text output prints an event's time: 'local' = seconds.microseconds of the ns value; 'insns' = raw count. */
export type TraceClockName = 'local' | 'insns';
export const TRACE_CLOCKS: readonly TraceClockName[] = ['local', 'insns'];

/** Converts instruction counts to nanoseconds at `hz` (floor; exact at the default 1 GHz). */
export class TraceClock {
  readonly hz: number;
  private readonly big: bigint;

  constructor(hz: number = DEFAULT_TRACE_CLOCK_HZ) {
    if (!Number.isSafeInteger(hz) || hz < 1 || hz > 1e12) {
      throw new LabError('LAB_BAD_OPTION', `trace clock frequency must be an integer from 1 to 1e12 Hz, got ${String(hz)}`);
    }
    this.hz = hz;
    this.big = BigInt(hz);
  }

  /** ns since the hart's reset for an instruction count. */
  ns(insns: bigint): number {
    if (this.hz === DEFAULT_TRACE_CLOCK_HZ) return Number(insns);
    return Number((insns * 1_000_000_000n) / this.big);
  }
}
