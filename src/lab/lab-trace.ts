// lab.trace: the trace events as an async iterator (and a synchronous drain), plus lost-event counts.
import type { LabTraceEvent, TraceEvents } from './trace-events.js';

export class LabTrace {
  constructor(
    /** The drainer (internal; the Lab collects between run chunks). */
    readonly drainer: TraceEvents,
    private readonly isRunning: () => boolean,
  ) {}

  /** Every event recorded so far and not yet consumed (ordered by timestamp, then hart). */
  drain(): LabTraceEvent[] {
    return this.drainer.take();
  }

  /**
   * Async iterator over trace events: yields what is pending; while a run is in progress it keeps polling
   * (every `pollMs`) until the run ends, then stops once everything is consumed.
   */
  async *events(pollMs = 5): AsyncGenerator<LabTraceEvent, void, undefined> {
    for (;;) {
      const wasRunning = this.isRunning();
      const batch = this.drainer.take();
      for (const e of batch) yield e;
      if (!wasRunning && batch.length === 0) return;
      if (batch.length === 0) await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** Events each hart's guest buffer dropped because it was full (plus host-side drops in `hostDropped`). */
  lost(): { perHart: number[]; hostDropped: number } {
    return { perHart: this.drainer.lost(), hostDropped: this.drainer.hostDropped };
  }

  /** Discard everything recorded so far. */
  clear(): void {
    this.drainer.clear();
  }
}
