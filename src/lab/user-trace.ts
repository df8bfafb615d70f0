// Function tracing of a static Linux program: the guest runtime mapped into its process, sites patched before it runs, events drained.
import { FtraceCore } from '../ftrace/core.js';
import { GuestHeap } from '../ftrace/guest-alloc.js';
import { functionEntriesFromSymbols, planFtraceInit, type RejectedSite } from '../ftrace/init.js';
import { FtraceOps } from '../ftrace/ops.js';
import { applyPlanStopped, type PatchTarget } from '../ftrace/patch-plan.js';
import { RuntimeSymbols } from '../ftrace/runtime-symbols.js';
import { createScheme, schemeDescriptor, type SchemeName } from '../ftrace/schemes/index.js';
import { elfSiteLayout, measurePatchableArea } from './elf-site-layout.js';
import { resolveGuestOptions } from '../guest/options.js';
import { PERCPU_HART_ID, PERCPU_RING_BUFFER } from '../guest/percpu-layout.js';
import { drainRingBuffer, ringBufferLost } from '../guest/ring-buffer-reader.js';
import * as rb from '../guest/ring-buffer-layout.js';
import { buildGuestRuntime } from '../guest/runtime.js';
import { guestRuntimeSymbols } from '../guest/symbols.js';
import { assemble, type AssembledProgram } from '../isa/index.js';
import { pageDown, pageUp } from '../user/address-space.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../user/page-table.js';
import { UserProcess, type UserProcessOptions, type UserRunResult } from '../user/process.js';
import { parseUserElf } from '../user/program-image.js';
import { LabError } from './errors.js';
import { Symbolizer } from './symbolizer.js';
import { TraceClock } from './trace-clock.js';
import { labTraceEvent, type LabTraceEvent } from './trace-events.js';

/** Where the runtime lives in the process: within ±2 GiB of gcc's 0x10000 text; reserved as regions, so brk/mmap avoid it. */
export const USER_RUNTIME_BASE = 0x1000_0000;
/** Guest heap for the core's ops and hash mirrors. */
const USER_RUNTIME_HEAP = 256 * 1024;

export interface UserTraceOptions {
  /** set_ftrace_filter patterns (default: every function with a patch area). */
  readonly filter?: readonly string[];
  /** set_ftrace_notrace patterns. */
  readonly notrace?: readonly string[];
  /** Call-site scheme (default 'callops'). */
  readonly scheme?: SchemeName;
  /** Ring buffer size (default 1024 KiB). */
  readonly bufferSizeKb?: number;
  /** The process: argv, env, files, io, ram. */
  readonly process?: UserProcessOptions;
  /** Instruction budget (default: the user-mode default). */
  readonly maxInsns?: number;
  /** Told about every function left untraced, before the program runs. */
  readonly onRejected?: (site: RejectedSite) => void;
  /** Called with every drained batch of events (otherwise they are only collected in the result). */
  readonly onEvents?: (events: readonly LabTraceEvent[]) => void;
  /** Trace-clock frequency: event ns = instructions × 1e9 / clockHz (default 1 GHz). */
  readonly clockHz?: number;
}

export interface UserTraceResult {
  readonly run: UserRunResult;
  readonly events: LabTraceEvent[];
  /** Events dropped because the ring buffer was full. */
  readonly lost: number;
  /** Functions left untraced (missing or misaligned NOPs, ...). */
  readonly rejected: readonly RejectedSite[];
}

/** The process's virtual memory as the patch planner and the ring buffer reader see it (host writes ignore protections). */
function virtualMemory(p: UserProcess): PatchTarget {
  return {
    read: (addr, len) => p.space.read(addr, len),
    write: (addr, bytes) => p.space.write(addr, bytes, true),
  };
}

/** Maps the assembled runtime: text R+X, data/bss R+W (pages shared by both get both), reserved so brk/mmap stay away. */
function mapRuntime(p: UserProcess, prog: AssembledProgram): void {
  const pages = new Map<number, number>();
  for (const s of prog.sections) {
    if (!s.alloc || s.size === 0) continue;
    const prot = PROT_READ | (s.exec ? PROT_EXEC : 0) | (s.write ? PROT_WRITE : 0);
    for (let a = pageDown(s.addr); a < pageUp(s.addr + s.size); a += 4096) pages.set(a, (pages.get(a) ?? 0) | prot);
  }
  const sorted = [...pages.keys()].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    const prot = pages.get(sorted[i]!)!;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 4096 && pages.get(sorted[j + 1]!) === prot) j++;
    if (!p.space.isFree(sorted[i]!, sorted[j]! + 4096)) {
      throw new LabError('LAB_BAD_ELF', `the program overlaps the tracing runtime at 0x${sorted[i]!.toString(16)}`);
    }
    p.space.reserve(sorted[i]!, sorted[j]! + 4096, prot, 'image');
    i = j + 1;
  }
  for (const s of prog.sections) if (s.alloc && !s.nobits && s.data.length) p.space.write(s.addr, s.data, true);
}

/** What _start would do on bare metal: per-CPU block (hart 0) and its ring buffer header. */
function initPercpu(mem: PatchTarget, percpu: number, ring: number, events: number): void {
  const u64 = (addr: number, v: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    mem.write(addr, b);
  };
  u64(ring + rb.RB_SIZE, events);
  u64(ring + rb.RB_DATA, ring + rb.RB_HEADER_SIZE);
  u64(ring + rb.RB_HART, 0);
  u64(percpu + PERCPU_HART_ID, 0);
  u64(percpu + PERCPU_RING_BUFFER, ring);
}

/**
 * Runs a static Linux ELF (built with -fpatchable-function-entry) with the function tracer on the functions the
 * filter selects, from its first instruction to its end. Typed errors: LAB_BAD_ELF (no patch areas), FtraceError
 * (a filter that matches nothing), UserError (not a runnable program).
 */
export async function traceUserProgram(elfBytes: Uint8Array, opts: UserTraceOptions = {}): Promise<UserTraceResult> {
  const elf = parseUserElf(elfBytes);
  if (elf.type === 'dyn') throw new LabError('LAB_BAD_ELF', 'static-pie programs are not supported by trace --user (link with -static -no-pie)');
  if (elf.patchableEntries.length === 0) {
    throw new LabError('LAB_BAD_ELF', 'the ELF has no __patchable_function_entries (build with -fpatchable-function-entry=8,4)');
  }
  const scheme = opts.scheme ?? 'callops';
  const guest = resolveGuestOptions({ harts: 1, scheme, bufferSizeKb: opts.bufferSizeKb ?? 1024, heapSize: USER_RUNTIME_HEAP, percpu: 'symbol' });
  const source = buildGuestRuntime({ harts: 1, scheme, bufferSizeKb: guest.bufferSizeKb, heapSize: USER_RUNTIME_HEAP, percpu: 'symbol' });
  const runtime = assemble(source, { file: 'user-trace-runtime.s', base: USER_RUNTIME_BASE });
  const rtSyms = guestRuntimeSymbols(runtime, 'symbol');

  const proc = new UserProcess(elfBytes, opts.process ?? {});
  mapRuntime(proc, runtime);
  const mem = virtualMemory(proc);
  initPercpu(mem, rtSyms.ftrace_percpu, rtSyms.ftrace_ring_buffers, guest.ringEvents);

  const layout = elfSiteLayout(measurePatchableArea(elf, elf.functions, elf.patchableEntries), schemeDescriptor(scheme));
  const symbols = new RuntimeSymbols(rtSyms);
  const callSites = createScheme(scheme, symbols);
  const init = planFtraceInit(functionEntriesFromSymbols(elf.patchableEntries, elf.functions, layout), layout, mem, callSites);
  const heap = new GuestHeap(rtSyms.ftrace_heap_start, rtSyms.ftrace_heap_end);
  if (symbols.has('ftrace_tramp_window')) heap.addRegion(symbols.get('ftrace_tramp_window'), symbols.get('ftrace_tramp_window_end'));
  const core = new FtraceCore({ records: init.records, scheme: callSites, symbols, allocator: heap });
  const ops = new FtraceOps({ name: 'trace-user', func: 'function_tracer_func', flags: 0, private: 0 });
  if (opts.filter?.length) core.setFilter(ops, opts.filter);
  if (opts.notrace?.length) core.setNotrace(ops, opts.notrace);
  init.rejected.forEach((site) => opts.onRejected?.(site));
  applyPlanStopped(init.plan, mem);
  applyPlanStopped(core.register(ops), mem);
  proc.machine.flushIcache(0);

  const symbolizer = new Symbolizer([...elf.functions, ...runtime.symbols.filter((s) => s.type === 'func')]);
  const ring = rtSyms.ftrace_ring_buffers;
  const clock = new TraceClock(opts.clockHz);
  const events: LabTraceEvent[] = [];
  const drain = () => {
    const batch = drainRingBuffer(mem, ring).map((e): LabTraceEvent =>
      labTraceEvent(e, init.records.lookupIp(e.ip)?.symbol ?? symbolizer.nameOf(e.ip), symbolizer.callerOf(e.parentIp), clock));
    if (batch.length === 0) return;
    if (opts.onEvents) opts.onEvents(batch);
    else events.push(...batch);
  };
  // A slice short enough that the buffer cannot fill in it (every traced call costs well over 16 instructions).
  const slice = Math.max(10_000, guest.ringEvents * 16);
  const budget = opts.maxInsns ?? 1e11;
  let spent = 0;
  let run: UserRunResult;
  for (;;) {
    run = proc.run({ maxInsns: Math.min(slice, budget - spent) });
    spent += run.instructions;
    drain();
    if (run.status !== 'budget' || spent >= budget) break;
  }
  return { run: { ...run, instructions: spent }, events, lost: ringBufferLost(mem, ring), rejected: init.rejected };
}
