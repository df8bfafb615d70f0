// The function tracer's `trace` file format: header block and one `TASK-PID [CPU] flags TIMESTAMP: func <-parent` line per event.
import type { LabTraceEvent } from '../lab/trace-events.js';
import { TIMEBASE_HZ } from '../lab/trace-events.js';

export interface TraceHeader {
  readonly tracer: string;
  readonly entries: number;
  readonly written: number;
  readonly cpus: number;
}

/** The header the kernel prints above function-tracer output. */
export function formatTraceHeader(h: TraceHeader): string {
  return [
    `# tracer: ${h.tracer}`,
    `#`,
    `# entries-in-buffer/entries-written: ${h.entries}/${h.written}   #P:${h.cpus}`,
    `#`,
    `#                                _-----=> irqs-off/BH-disabled`,
    `#                               / _----=> need-resched`,
    `#                              | / _---=> hardirq/softirq`,
    `#                              || / _--=> preempt-depth`,
    `#                              ||| / _-=> migrate-disable`,
    `#                              |||| /     delay`,
    `#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION`,
    `#              | |         |   |||||     |         |`,
    '',
  ].join('\n');
}

/** Seconds.microseconds of a guest timestamp (mtime ticks at TIMEBASE_HZ), as `%5lu.%06lu`. */
export function formatTimestamp(ticks: bigint): string {
  const us = (ticks * 1_000_000n) / BigInt(TIMEBASE_HZ);
  const secs = us / 1_000_000n;
  const frac = (us % 1_000_000n).toString().padStart(6, '0');
  return `${secs.toString().padStart(5)}.${frac}`;
}

/** One event line; the task is a fake `hart-N` with pid N, the CPU is the hart. */
export function formatTraceLine(e: LabTraceEvent): string {
  const task = `hart-${e.hart}`.padStart(16);
  const pid = String(e.hart).padEnd(7);
  const cpu = String(e.hart).padStart(3, '0');
  return `${task}-${pid} [${cpu}] ..... ${formatTimestamp(e.timestamp)}: ${e.symbol} <-${e.parentSymbol}`;
}

/** Header + lines, as reading tracefs `trace` shows it. */
export function formatTrace(events: readonly LabTraceEvent[], h: TraceHeader): string {
  let out = formatTraceHeader(h);
  for (const e of events) out += formatTraceLine(e) + '\n';
  return out;
}
