// Test fixture: a synthetic guest image (runtime symbols + N patchable functions) and a guest-side walker of the ftrace structures.
import {
  GuestHeap,
  compilerNops,
  createScheme,
  FtraceCore,
  MemoryPatchTarget,
  planFtraceInit,
  RuntimeSymbols,
  SITE_LAYOUTS,
  applyPlanStopped,
  type FunctionEntry,
  type SiteLayoutKind,
  FTRACE_OPS_FUNC,
  FTRACE_OPS_NEXT,
  FTRACE_OPS_FLAGS,
  FTRACE_OPS_FILTER_HASH,
  FTRACE_OPS_NOTRACE_HASH,
  FTRACE_HASH_SIZE_BITS,
  FTRACE_HASH_BUCKETS,
  FTRACE_HASH_COUNT,
  FTRACE_ENTRY_NEXT,
  FTRACE_ENTRY_PPREV,
  FTRACE_ENTRY_IP,
  FTRACE_OPS_FL_STUB,
  hashLong,
  literalAddr,
} from '../../src/ftrace/index.js';

export const BASE = 0x80000000;
export const SYMS = {
  ftrace_caller: BASE + 0x100,
  ftrace_regs_caller: BASE + 0x180,
  ftrace_stub: BASE + 0x300,
  ftrace_ops_list_func: BASE + 0x400,
  ftrace_ops_assist_func: BASE + 0x500,
  ftrace_list_end: BASE + 0x600,
  ftrace_nop_ops: BASE + 0x640,
  ftrace_list_ops: BASE + 0x680,
  ftrace_ops_list: BASE + 0x700,
  function_trace_op: BASE + 0x708,
  ftrace_call_dest: BASE + 0x710,
  function_tracer: BASE + 0x800,
} as const;
export const FUNCS_AT = BASE + 0x1000;
export const FUNC_STRIDE = 0x40;
export const HEAP = BASE + 0x8000;
export const MEM_SIZE = 0x40000;

export const NAMES = ['func1', 'func2', 'tracee_relevant', 'tracee_irrelevant', 'schedule', 'sched_tick', 'do_sys_open', 'vfs_read'];

const dv = (m: MemoryPatchTarget) => new DataView(m.bytes.buffer);
export function rd64(m: MemoryPatchTarget, addr: number): number {
  return Number(dv(m).getBigUint64(addr - m.base, true));
}
export function wr64(m: MemoryPatchTarget, addr: number, v: number): void {
  dv(m).setBigUint64(addr - m.base, BigInt(v), true);
}
export function rd32(m: MemoryPatchTarget, addr: number): number {
  return dv(m).getUint32(addr - m.base, true);
}

/** A memory image with the runtime's boot values and compiler NOP patch areas for NAMES. */
export function makeImage(kind: SiteLayoutKind, names: readonly string[] = NAMES) {
  const layout = SITE_LAYOUTS[kind];
  const mem = new MemoryPatchTarget(BASE, new Uint8Array(MEM_SIZE));
  // static stub ops: func = ftrace_stub / list func, flags = STUB, next = 0
  for (const [ops, func] of [
    [SYMS.ftrace_list_end, SYMS.ftrace_stub],
    [SYMS.ftrace_nop_ops, SYMS.ftrace_stub],
    [SYMS.ftrace_list_ops, SYMS.ftrace_ops_list_func],
  ] as const) {
    wr64(mem, ops + FTRACE_OPS_FUNC, func);
    wr64(mem, ops + FTRACE_OPS_FLAGS, FTRACE_OPS_FL_STUB);
  }
  wr64(mem, SYMS.ftrace_ops_list, SYMS.ftrace_list_end);
  wr64(mem, SYMS.function_trace_op, SYMS.ftrace_list_end);
  wr64(mem, SYMS.ftrace_call_dest, SYMS.ftrace_stub);
  const area = compilerNops(layout, layout.preEntryBytes + 8);
  const entries: FunctionEntry[] = names.map((symbol, i) => {
    const pfe = FUNCS_AT + i * FUNC_STRIDE;
    mem.write(pfe, area);
    mem.write(pfe + area.length, Uint8Array.of(0x67, 0x80, 0x00, 0x00)); // ret
    return { symbol, pfe };
  });
  return { layout, mem, entries };
}

/** Boot: init plan applied, core built. */
export function boot(kind: SiteLayoutKind, scheme: 'list' | 'callops', names: readonly string[] = NAMES) {
  const img = makeImage(kind, names);
  const symbols = new RuntimeSymbols(SYMS);
  const sch = createScheme(scheme, symbols);
  const init = planFtraceInit(img.entries, img.layout, img.mem, sch);
  applyPlanStopped(init.plan, img.mem);
  const core = new FtraceCore({ records: init.records, scheme: sch, symbols, allocator: new GuestHeap(HEAP, BASE + MEM_SIZE) });
  const apply = (plan: ReturnType<FtraceCore['register']>) => applyPlanStopped(plan, img.mem);
  const text = () => img.mem.bytes.slice(FUNCS_AT - BASE, FUNCS_AT - BASE + names.length * FUNC_STRIDE);
  const rec = (name: string) => core.records.lookupName(name)[0]!;
  return { ...img, init, core, apply, text, rec };
}

/** Guest-side hash lookup, walking the bytes as the list func will. */
export function guestHashHas(m: MemoryPatchTarget, hash: number, ip: number): boolean {
  const bits = rd64(m, hash + FTRACE_HASH_SIZE_BITS);
  const buckets = rd64(m, hash + FTRACE_HASH_BUCKETS);
  let e = rd64(m, buckets + 8 * hashLong(ip, bits));
  let prevLink = buckets + 8 * hashLong(ip, bits);
  while (e) {
    if (rd64(m, e + FTRACE_ENTRY_PPREV) !== prevLink) throw new Error('bad pprev');
    if (rd64(m, e + FTRACE_ENTRY_IP) === ip) return true;
    prevLink = e + FTRACE_ENTRY_NEXT;
    e = rd64(m, e + FTRACE_ENTRY_NEXT);
  }
  return false;
}

export function guestHashCount(m: MemoryPatchTarget, hash: number): number {
  return hash ? rd64(m, hash + FTRACE_HASH_COUNT) : 0;
}

/** ftrace_ops_test on guest bytes. */
export function guestOpsTest(m: MemoryPatchTarget, ops: number, ip: number): boolean {
  const f = rd64(m, ops + FTRACE_OPS_FILTER_HASH);
  const n = rd64(m, ops + FTRACE_OPS_NOTRACE_HASH);
  return (guestHashCount(m, f) === 0 || guestHashHas(m, f, ip)) && (guestHashCount(m, n) === 0 || !guestHashHas(m, n, ip));
}

/** __ftrace_ops_list_func on guest bytes: the ops structs whose func gets called. */
export function guestListFunc(m: MemoryPatchTarget, ip: number): number[] {
  const called: number[] = [];
  let guard = 0;
  for (let op = rd64(m, SYMS.ftrace_ops_list); op && op !== SYMS.ftrace_list_end; op = rd64(m, op + FTRACE_OPS_NEXT)) {
    if (++guard > 10000) throw new Error('ops list loops');
    if (rd64(m, op + FTRACE_OPS_FLAGS) & FTRACE_OPS_FL_STUB) continue;
    if (guestOpsTest(m, op, ip)) called.push(op);
  }
  return called;
}

/**
 * What a call of the function with record ip `ip` does, reading only guest memory the way the site, ftrace_caller and
 * the list func would: the ops structs whose callback runs (empty = disabled or stub), and the jalr target.
 */
export function guestCall(m: MemoryPatchTarget, scheme: 'list' | 'callops', ip: number): { target: number | null; ops: number[] } {
  const func = ip - 4;
  const auipc = rd32(m, func);
  const jalr = rd32(m, ip);
  if (jalr === 0x13) return { target: null, ops: [] };
  if ((auipc & 0xfff) !== 0x297 || (jalr & 0xfffff) !== 0x282e7) throw new Error('site holds neither nop nor auipc/jalr t0');
  const hi = (auipc & 0xfffff000) | 0;
  const lo = (jalr | 0) >> 20;
  const target = func + hi + lo;
  if (scheme === 'callops') {
    const op = rd64(m, literalAddr(ip)); // ld t1, -16(t0) with t0 = func + 8
    if (op !== rd64(m, func + 8 - 16)) throw new Error('literal not at -16(t0)');
    const fn = rd64(m, op + FTRACE_OPS_FUNC);
    if (fn === SYMS.ftrace_ops_list_func) return { target, ops: guestListFunc(m, ip) };
    if (rd64(m, op + FTRACE_OPS_FLAGS) & FTRACE_OPS_FL_STUB) return { target, ops: [] };
    return { target, ops: [op] };
  }
  const dest = rd64(m, SYMS.ftrace_call_dest);
  if (dest === SYMS.ftrace_stub) return { target, ops: [] };
  if (dest === SYMS.ftrace_ops_list_func) return { target, ops: guestListFunc(m, ip) };
  return { target, ops: [rd64(m, SYMS.function_trace_op)] };
}
