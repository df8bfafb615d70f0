// A finished trace as the exporters see it: the run's metadata, every event, and the patch-protocol steps with when each hart saw them.
import type { LabTraceEvent } from '../lab/trace-events.js';

export interface RecordingMeta {
  /** What ran: the ELF's file name, or `synthetic kernel (N functions)`. */
  readonly program: string;
  readonly harts: number;
  readonly tracer: string;
  /** Trace-clock frequency: ns = instructions × 1e9 / clockHz. */
  readonly clockHz: number;
  readonly scheme: string;
  readonly protocol: string;
  readonly mode: string;
  readonly seed: number;
  /** Events each hart's ring buffer dropped because it was full. */
  readonly lost: readonly number[];
}

/** One step of a patch protocol as it ran. */
export interface PatchStepRecord {
  /** Position in the run (0-based, over every update). */
  readonly index: number;
  /** The step's op (write, fence, ipi, wait-ack, flush-icache, grace-period, free, pause-all, resume-all). */
  readonly op: string;
  /** One line, as `trace --dry-run` prints it. */
  readonly text: string;
  /** The update it belongs to (e.g. 'register function_graph'). */
  readonly update: string;
  /** Did harts run while it was applied (false: before the run or after the guest stopped). */
  readonly live: boolean;
  /** Host time of the step: the largest of the harts' clocks then (ns). */
  readonly ns: number;
  /** Harts the step addresses (ipi, wait-ack, flush-icache), with each one's own clock at the step (ns). */
  readonly targets: readonly { readonly hart: number; readonly ns: number }[];
}

export interface TraceRecording {
  readonly meta: RecordingMeta;
  readonly events: readonly LabTraceEvent[];
  readonly patchSteps: readonly PatchStepRecord[];
}
