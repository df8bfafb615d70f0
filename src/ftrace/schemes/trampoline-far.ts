// The per-ops trampoline variant that rewrites the site's auipc too: any trampoline is reachable, at the price of a two-word change (stop_machine).
import { concatBytes, u32le } from '../bytes.js';
import { auipcT0For, jalrT0For } from '../insn.js';
import type { GuestAllocator } from '../guest-alloc.js';
import type { FtraceOps } from '../ops.js';
import type { SiteWrite } from '../patch-plan.js';
import type { DynFtrace, SiteState } from '../records.js';
import type { RuntimeSymbols } from '../runtime-symbols.js';
import { ftrace616Source } from '../../guest/asm/ftrace-caller.js';
import { pfePlain, SITE_616, type SchemeDescriptor } from './descriptor.js';
import { frozenAuipc, jalrWord, reachesFromFrozenAuipc } from './riscv-site.js';
import type { OpsTrampoline } from './scheme.js';
import { TRAMP_WINDOW_BYTES, TrampolineScheme } from './trampoline.js';

/**
 * As `trampoline`, but a site whose trampoline is out of the frozen auipc's reach gets `auipc t0, hi(tramp)` +
 * `jalr t0, lo(tramp)`: both words change, so its updates need stop_machine (or breakpoint patching); when the site is
 * disabled again the auipc goes back to hi(ftrace_caller). Trampolines that do not fit the window come from the heap.
 */
export class TrampolineFarScheme extends TrampolineScheme {
  override readonly name: string = 'trampoline-far';
  private readonly frozenCaller: number;

  constructor(symbols: RuntimeSymbols) {
    super(symbols);
    this.frozenCaller = symbols.get('ftrace_caller');
  }

  override canReach(rec: DynFtrace, target: number): boolean {
    const off = target - rec.funcAddr;
    return off >= -0x80000800 && off <= 0x7ffff7ff;
  }

  override createTrampoline(ops: FtraceOps, opsAddr: number, func: number, alloc: GuestAllocator): OpsTrampoline | null {
    const near = super.createTrampoline(ops, opsAddr, func, alloc);
    if (near) return near;
    const size = this.window.sizeOf(opsAddr, func);
    const addr = alloc.alloc(size, 8, `trampoline of ${ops.name}`);
    return { addr, size, data: { what: `trampoline of ${ops.name}`, addr, bytes: this.window.bytesAt(addr, opsAddr, func) } };
  }

  override makeCall(rec: DynFtrace, to: SiteState): SiteWrite[] {
    return this.pairWrites(rec, rec.state.call, to.call);
  }

  override makeNop(rec: DynFtrace): SiteWrite[] {
    return this.pairWrites(rec, rec.state.call, null);
  }

  override modifyCall(rec: DynFtrace, to: SiteState): SiteWrite[] {
    return this.pairWrites(rec, rec.state.call, to.call);
  }

  /** The auipc word for a state: frozen on ftrace_caller unless the target needs another hi20. */
  private auipcWord(rec: DynFtrace, call: number | null): number {
    return call === null || reachesFromFrozenAuipc(rec, this.frozenCaller, call) ? frozenAuipc(rec, this.frozenCaller) : auipcT0For(rec.funcAddr, call);
  }

  private pairWrites(rec: DynFtrace, from: number | null, to: number | null): SiteWrite[] {
    if (from === to) return [];
    const a0 = this.auipcWord(rec, from);
    const a1 = this.auipcWord(rec, to);
    const j0 = from === null ? jalrWord(rec, null) : u32le(jalrT0For(rec.funcAddr, from));
    const j1 = to === null ? jalrWord(rec, null) : u32le(jalrT0For(rec.funcAddr, to));
    if (a0 === a1) return [{ ip: rec.ip, symbol: rec.symbol, kind: 'insn', addr: rec.ip, old: j0, new: j1 }];
    return [{ ip: rec.ip, symbol: rec.symbol, kind: 'insn', addr: rec.funcAddr, old: concatBytes(u32le(a0), j0), new: concatBytes(u32le(a1), j1) }];
  }
}

export const TRAMPOLINE_FAR_SCHEME: SchemeDescriptor = {
  name: 'trampoline-far',
  summary:
    'per-ops trampolines anywhere: like trampoline, but a site out of the frozen auipc\'s reach gets its auipc rewritten ' +
    'too (two words: stop_machine), so every site traced by one ops calls its own trampoline',
  models: 'x86 per-ops trampolines on the RISC-V 6.16 site with the two-word site change of the pre-6.16 kernels',
  protocol: 'stop-machine',
  ...SITE_616,
  needsOpsLiteral: false,
  patchableEntry: pfePlain,
  guestSource: (o) => ftrace616Source(o, false, TRAMP_WINDOW_BYTES),
  create: (s) => new TrampolineFarScheme(s),
};
