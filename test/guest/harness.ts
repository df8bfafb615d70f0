// Test harness: build a guest image (runtime + synthetic kernel + sample), load it on a Machine, boot the ftrace core on it.
import {
  applyPlanStopped, GuestHeap, createScheme, FtraceCore, FtraceOps, planFtraceInit, RuntimeSymbols,
  type FtraceOpsInit, type PatchPlan, type SiteLayoutKind,
} from '../../src/ftrace/index.js';
import { countTableBytes, drainRingBuffer, encodeCountTable, decodeCountTable, ringBufferAddr, type TraceEvent } from '../../src/guest/index.js';
import { Machine } from '../../src/machine/index.js';
import { buildGuestImage, type GuestImage } from '../../src/workload/index.js';

export interface GuestSetup {
  harts?: number;
  scheme: string;
  layout?: SiteLayoutKind;
  functions?: number;
  nrCalls?: number;
  runSample?: boolean;
  bufferSizeKb?: number;
  extraSource?: string;
  seed?: number;
}

export function bootGuest(s: GuestSetup) {
  const harts = s.harts ?? 1;
  const img: GuestImage = buildGuestImage({
    runtime: { harts, scheme: s.scheme, bufferSizeKb: s.bufferSizeKb ?? 64, heapSize: 256 * 1024 },
    kernel: { functions: s.functions ?? 40, layout: s.layout ?? 'rvc-8,4', seed: s.seed ?? 7 },
    sample: { nrCalls: s.nrCalls ?? 10 },
    runSample: s.runSample ?? false,
    ...(s.extraSource ? { extraSource: s.extraSource } : {}),
  });
  const m = Machine.create({ harts, ram: 16 << 20 });
  m.loadProgram(img.program);
  const sym = (name: string): number => {
    const v = img.symbols.get(name);
    if (v === undefined) throw new Error(`no symbol ${name}`);
    return v;
  };
  const run = () => m.run({ maxInsns: 2e7 });
  const u64 = (name: string, index = 0) => m.memory.readU64(sym(name) + 8 * index);
  const events = (hart: number): TraceEvent[] => drainRingBuffer(m.memory, ringBufferAddr(m.memory, sym('ftrace_percpu'), hart));
  return { img, m, sym, run, u64, events, harts, scheme: s.scheme };
}

export type Guest = ReturnType<typeof bootGuest>;

/** ftrace_init on the loaded image (plan applied with the machine stopped) and a core over it. */
export function initFtrace(g: Guest) {
  const symbols = new RuntimeSymbols(g.img.runtimeSymbols);
  const scheme = createScheme(g.scheme, symbols);
  const init = planFtraceInit(g.img.functionEntries, g.img.layout, g.m.memory, scheme);
  applyPlanStopped(init.plan, g.m.memory);
  const allocator = new GuestHeap(g.sym('ftrace_heap_start'), g.sym('ftrace_heap_end'));
  if (symbols.has('ftrace_tramp_window')) allocator.addRegion(symbols.get('ftrace_tramp_window'), symbols.get('ftrace_tramp_window_end'));
  const core = new FtraceCore({ records: init.records, scheme, symbols, allocator });
  const apply = (plan: PatchPlan) => applyPlanStopped(plan, g.m.memory);
  const rec = (name: string) => {
    const r = core.records.lookupName(name)[0];
    if (!r) throw new Error(`no record ${name}`);
    return r;
  };
  /** A count-tracer ops whose table covers every record. */
  const countOps = (init: Omit<FtraceOpsInit, 'func' | 'private'> = {}) => {
    const ips = [...core.records].map((r) => r.ip);
    const addr = allocator.alloc(countTableBytes(ips.length), 8, 'count table');
    g.m.memory.write(addr, encodeCountTable(ips, addr));
    const ops = new FtraceOps({ ...init, func: 'count_tracer_func', private: addr });
    const counts = () => decodeCountTable((a, l) => g.m.memory.read(a, l), addr);
    return { ops, counts };
  };
  return { core, init, apply, rec, countOps, allocator };
}
