// Helpers for live-patching tests: a lab running the loop workload, and the checks every live trace must pass.
import { Lab, type LabOptions, type LabTraceEvent } from '../../src/lab/index.js';
import { callsPerPass } from '../../src/lab/pass-calls.js';
import { WORKLOAD_SYMBOLS } from '../../src/workload/index.js';

export { callsPerPass };

export async function liveLab(opts: LabOptions = {}): Promise<Lab> {
  return Lab.create({
    harts: 2,
    bufferSizeKb: 2048,
    ram: 64 << 20,
    ...opts,
    kernel: { functions: 24, seed: 3, workload: 'loop', ...(opts.kernel ?? {}) },
  });
}

export interface LiveTraceCheck {
  readonly events: LabTraceEvent[];
  /** Events whose ops/function pair was not registered while their pass ran. */
  readonly misattributed: LabTraceEvent[];
  /** Passes that ran wholly inside one ftrace state but do not hold exactly its calls. */
  readonly inexact: string[];
  /** Passes checked for exactness (ran wholly inside one state). */
  readonly exactPasses: number;
  /** Events the guest ring buffers dropped. */
  readonly lost: number;
  /** Workload passes that computed a wrong result. */
  readonly wrongResults: number;
}

/** Drain the trace and hold it against the update log. `lastPass[h]`: passes 1..lastPass-1 of hart h completed. */
export function checkLiveTrace(lab: Lab, events: LabTraceEvent[] = lab.trace.drain()): LiveTraceCheck {
  const passes = lab.patchCounters().map((c) => c.qs);
  const ips = lab.ftrace.records().map((r) => r.ip);
  const calls = callsPerPass(lab);
  const inexact = lab.updates.inexactPasses(events, passes, ips, calls);
  let exactPasses = 0;
  passes.forEach((last, h) => {
    for (let q = 1; q < last; q++) {
      const w = lab.updates.window(h, q);
      if (w && w[0] === w[1]) exactPasses++;
    }
  });
  return {
    events,
    misattributed: lab.updates.misattributed(events),
    inexact,
    exactPasses,
    lost: lab.trace.lost().perHart.reduce((a, b) => a + b, 0),
    wrongResults: Number(lab.machine.memory.readU64(lab.symbol(WORKLOAD_SYMBOLS.errors))),
  };
}
