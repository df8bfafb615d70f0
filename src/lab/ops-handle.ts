// A registered (or registrable) tracer as the Lab hands it out: the ftrace_ops plus its tracer kind and count table.
import type { FtraceOps } from '../ftrace/ops.js';

export type LabTracer = 'function' | 'count' | 'function_graph' | 'callback' | 'custom';

/** What `lab.ftrace.register` returns; pass it back to unregister / setFilter / counts. */
export class OpsHandle {
  constructor(
    readonly ops: FtraceOps,
    readonly tracer: LabTracer,
    /** Guest address of the count tracer's table (count tracer only). */
    readonly countTable: number | null,
  ) {}

  get name(): string {
    return this.ops.name;
  }
}
