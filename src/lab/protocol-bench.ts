// The patch-protocol comparison (`ftrace-lab protocols`): harts run the traced workload while the host enables and disables tracing on N sites with each protocol; cost and disruption per update.
import { PROTOCOL_NAMES, type ProtocolName } from '../patch/protocols/index.js';
import type { HartPatchCounters } from '../patch/guest-port.js';
import { PARALLEL_MTIME_HZ } from '../machine/wall-clock.js';
import { Lab } from './lab.js';
import { LabError } from './errors.js';
import type { LabMode } from './options.js';
import type { LabTraceEvent } from './trace-events.js';

export interface ProtocolBenchOptions {
  /** Harts running the workload (default 4). */
  readonly harts?: number;
  /** Patchable functions of the synthetic kernel; every update patches all of them (default 1,000). */
  readonly sites?: number;
  /** Updates per protocol, alternately enable and disable (default 20). */
  readonly updates?: number;
  readonly mode?: LabMode;
  /** Protocols to compare (default: all). */
  readonly protocols?: readonly ProtocolName[];
  readonly seed?: number;
  /** Per-hart trace buffer in KiB (default 1024): events beyond it are dropped and counted, not checked. */
  readonly bufferSizeKb?: number;
  /** Called after each update (progress). */
  readonly onUpdate?: (protocol: ProtocolName, done: number, total: number) => void;
}

export interface ProtocolBenchRow {
  readonly protocol: ProtocolName;
  readonly harts: number;
  readonly sites: number;
  readonly updates: number;
  readonly mode: LabMode;
  /** Median host milliseconds from the request to the last step of an update (planning included). */
  readonly hostMsPerUpdate: number;
  readonly hostMsMax: number;
  /**
   * How long one hart was kept from its workload by one update (time in the IPI/breakpoint handlers, as the guest's
   * clock saw it), µs. With more harts than host cores this includes the host OS descheduling a hart thread
   * mid-handler: a rare outlier of a few ms that says nothing about the protocol.
   */
  readonly stallMaxUs: number;
  readonly stallMedianUs: number;
  /** IPIs the updates sent. */
  readonly ipis: number;
  /** Breakpoint traps the harts took during the updates. */
  readonly bpHits: number;
  /** Workload instructions (handler instructions excluded) the harts retired while updates were in flight. */
  readonly otherHartInsnsDuringUpdates: number;
  /** Trace events recorded (and checked) over the run, and events the buffers dropped. */
  readonly events: number;
  readonly lostEvents: number;
  /** Events whose ops/function pair was not registered while their workload pass ran: must be 0. */
  readonly misattributedEvents: number;
  /** Workload passes that computed a wrong result: must be 0. */
  readonly wrongResults: number;
}

const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const TICK_US = 1_000_000 / PARALLEL_MTIME_HZ;

interface UpdateSample {
  hostMs: number;
  stallTicks: number[];
  workloadInsns: number;
  ipis: number;
  bpHits: number;
}

function sample(lab: Lab, before: HartPatchCounters[], insnsBefore: bigint[], hostMs: number, ipis: number): UpdateSample {
  const after = lab.patchCounters();
  let workloadInsns = 0;
  after.forEach((c, h) => {
    workloadInsns += Number(lab.machine.hart(h).minstret - insnsBefore[h]!) - (c.handlerInsns - before[h]!.handlerInsns);
  });
  return {
    hostMs,
    stallTicks: after.map((c, h) => c.handlerTicks - before[h]!.handlerTicks),
    workloadInsns,
    ipis,
    bpHits: after.reduce((a, c, h) => a + c.bpHits - before[h]!.bpHits, 0),
  };
}

/** One protocol: boot the loop workload, wait until every hart runs it, then alternate enable/disable `updates` times. */
async function benchProtocol(protocol: ProtocolName, o: Required<Omit<ProtocolBenchOptions, 'protocols' | 'onUpdate'>> & Pick<ProtocolBenchOptions, 'onUpdate'>): Promise<ProtocolBenchRow> {
  const lab = await Lab.create({
    harts: o.harts,
    mode: o.mode,
    protocol,
    seed: o.seed,
    quantum: 100,
    bufferSizeKb: o.bufferSizeKb,
    ram: Math.max(64 << 20, 2 ** Math.ceil(Math.log2(o.sites * 512 + o.harts * o.bufferSizeKb * 1024 + (32 << 20)))),
    kernel: { functions: o.sites, seed: o.seed, workload: 'loop' },
  });
  const ops = lab.ftrace.create({ filter: '*', name: 'bench' });
  const samples: UpdateSample[] = [];
  const update = async (i: number) => {
    const before = lab.patchCounters();
    const insns = lab.machine.harts.map((h) => h.minstret);
    const t0 = performance.now();
    if (i % 2 === 0) await lab.ftrace.register(ops);
    else await lab.ftrace.unregister(ops);
    samples.push(sample(lab, before, insns, performance.now() - t0, lab.ftrace.lastReport!.counts.ipis));
    o.onUpdate?.(protocol, i + 1, o.updates);
  };
  const events: LabTraceEvent[] = [];
  lab.trace.drainer.onEvents((b) => {
    for (const e of b) events.push(e);
  });
  if (o.mode === 'parallel') {
    const run = lab.run({ maxInsns: 1e13, drainMs: 0 }); // the host thread is the patcher: no draining meanwhile
    // every hart is inside its workload loop before the first update (polling the guest's pass counters)
    while (lab.patchCounters().some((c) => c.qs < 2)) await new Promise((r) => setTimeout(r, 1));
    for (let i = 0; i < o.updates; i++) await update(i);
    lab.stopWorkload();
    const r = await run;
    if (r.reason !== 'halted') throw new LabError('LAB_BAD_OPTION', `${protocol}: the workload stopped with ${r.reason}`);
  } else {
    let chain: Promise<unknown> = Promise.resolve();
    const gap = 20_000;
    for (let i = 0; i < o.updates; i++) lab.at(50_000 + i * gap, () => (chain = chain.then(() => update(i))));
    lab.at(50_000 + o.updates * gap, () => (chain = chain.then(() => lab.stopWorkload())));
    const r = await lab.run({ maxInsns: 1e11 });
    await chain;
    if (r.reason !== 'halted') throw new LabError('LAB_BAD_OPTION', `${protocol}: the workload stopped with ${r.reason}`);
  }
  lab.trace.clear(); // the last batch reaches the listener
  const stalls = samples.flatMap((s) => s.stallTicks).map((t) => t * TICK_US);
  const hostMs = samples.map((s) => s.hostMs);
  return {
    protocol,
    harts: o.harts,
    sites: o.sites,
    updates: o.updates,
    mode: o.mode,
    hostMsPerUpdate: median(hostMs),
    hostMsMax: Math.max(0, ...hostMs),
    stallMaxUs: Math.max(0, ...stalls),
    stallMedianUs: median(stalls),
    ipis: samples.reduce((a, s) => a + s.ipis, 0),
    bpHits: samples.reduce((a, s) => a + s.bpHits, 0),
    otherHartInsnsDuringUpdates: samples.reduce((a, s) => a + s.workloadInsns, 0),
    events: events.length,
    lostEvents: lab.trace.lost().perHart.reduce((a, b) => a + b, 0),
    misattributedEvents: lab.updates.misattributed(events).length,
    wrongResults: Number(lab.machine.memory.readU64(lab.symbol('workload_errors'))),
  };
}

/** Every protocol in turn on identical labs. */
export async function runProtocolBench(opts: ProtocolBenchOptions = {}): Promise<ProtocolBenchRow[]> {
  const o = {
    harts: opts.harts ?? 4,
    sites: opts.sites ?? 1000,
    updates: opts.updates ?? 20,
    mode: opts.mode ?? 'parallel',
    seed: opts.seed ?? 1,
    bufferSizeKb: opts.bufferSizeKb ?? 1024,
    onUpdate: opts.onUpdate,
  };
  const protocols = opts.protocols ?? PROTOCOL_NAMES;
  const rows: ProtocolBenchRow[] = [];
  for (const p of protocols) rows.push(await benchProtocol(p, o));
  return rows;
}

/** The table `ftrace-lab protocols` prints. */
export function formatProtocolTable(rows: readonly ProtocolBenchRow[]): string {
  const head = ['protocol', 'host ms/update', 'max', 'stall max µs', 'stall median µs', 'IPIs', 'bp hits', 'workload insns during', 'events', 'lost', 'misattributed'];
  const body = rows.map((r) => [
    r.protocol, r.hostMsPerUpdate.toFixed(2), r.hostMsMax.toFixed(2), r.stallMaxUs.toFixed(1), r.stallMedianUs.toFixed(1), String(r.ipis),
    String(r.bpHits), String(r.otherHartInsnsDuringUpdates), String(r.events), String(r.lostEvents), String(r.misattributedEvents),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  const r0 = rows[0];
  const title = r0 ? `${r0.harts} harts, ${r0.sites} sites, ${r0.updates} updates, ${r0.mode} mode` : '';
  return [title, line(head), ...body.map(line)].join('\n');
}
