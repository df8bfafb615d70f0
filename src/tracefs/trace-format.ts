// The function tracer's `trace` file format: header block and one `TASK-PID [CPU] flags TIMESTAMP: func <-parent` line per event.
import type { LabTraceEvent } from '../lab/trace-events.js';
import type { TraceClockName } from '../lab/trace-clock.js';

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

/**
 * An event time as trace_print_context prints it: a ns clock ('local') as seconds.microseconds, `%5lu.%06lu`
 * (truncated, like ns2usecs); a counter clock ('insns': the raw instruction count, like the kernel's non-ns arch
 * clocks) as ` %12llu` without the leading space.
 */
export function formatTimestamp(e: { readonly ns: number; readonly timestamp: bigint }, clock: TraceClockName = 'local'): string {
  if (clock === 'insns') return e.timestamp.toString().padStart(12);
  const us = Math.floor(e.ns / 1000);
  const secs = Math.floor(us / 1_000_000);
  const frac = String(us % 1_000_000).padStart(6, '0');
  return `${String(secs).padStart(5)}.${frac}`;
}

/** One event line; the task is a fake `hart-N` with pid N, the CPU is the hart. */
export function formatTraceLine(e: LabTraceEvent, clock: TraceClockName = 'local'): string {
  const task = `hart-${e.hart}`.padStart(16);
  const pid = String(e.hart).padEnd(7);
  const cpu = String(e.hart).padStart(3, '0');
  return `${task}-${pid} [${cpu}] ..... ${formatTimestamp(e, clock)}: ${e.symbol} <-${e.parentSymbol}`;
}

/** Header + lines, as reading tracefs `trace` shows it (function-tracer events only). */
export function formatTrace(events: readonly LabTraceEvent[], h: TraceHeader, clock: TraceClockName = 'local'): string {
  let out = formatTraceHeader(h);
  for (const e of events) if ((e.kind ?? 'function') === 'function') out += formatTraceLine(e, clock) + '\n';
  return out;
}
