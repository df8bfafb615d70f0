// Per-ops dynamic trampolines (x86's create_trampoline, seed 002) on the RISC-V 6.16 site: one ops alone on a site calls its own trampoline.
import { assemble } from '../../isa/index.js';
import { ftrace616Source } from '../../guest/asm/ftrace-caller.js';
import { FREGS_A0, FREGS_EPC, FREGS_RA, FREGS_SIZE, FREGS_SP, FREGS_T1 } from '../../guest/frame-layout.js';
import type { GuestAllocator } from '../guest-alloc.js';
import type { FtraceOps } from '../ops.js';
import type { RuntimeSymbols } from '../runtime-symbols.js';
import { pfePlain, SITE_616, type SchemeDescriptor } from './descriptor.js';
import { ListScheme } from './list.js';
import type { OpsTrampoline } from './scheme.js';

/** Bytes reserved after ftrace_caller for per-ops trampolines. */
export const TRAMP_WINDOW_BYTES = 2048;

export const TRAMPOLINE_SCHEME_SYMBOLS = ['ftrace_caller', 'ftrace_call_dest', 'function_trace_op', 'ftrace_tramp_window', 'ftrace_tramp_window_end'] as const;

const ARGS = [0, 1, 2, 3, 4, 5, 6, 7];

/**
 * The body of a per-ops trampoline: ftrace_caller's SAVE_ABI_REGS / RESTORE_ABI_REGS (6.16 order), with the op as a
 * pc-relative constant (x86 rewrites `movq function_trace_op(%rip)` to the ops pointer stored in the trampoline; here
 * `auipc + addi` of the ops address, no load) and the call to ftrace_ops_get_func(ops) direct (no ftrace_call_dest).
 */
export function opsTrampolineSource(opsAddr: number, func: number): string {
  return [
    `\t.text`,
    `\t.equ\tTRAMP_OPS, ${opsAddr}`,
    `\t.equ\tTRAMP_FUNC, ${func}`,
    `\taddi\tsp, sp, -${FREGS_SIZE}`,
    `\tsd\tt0, ${FREGS_EPC}(sp)`,
    `\tsd\tra, ${FREGS_RA}(sp)`,
    `\tsd\tt1, ${FREGS_T1}(sp)`,
    ...ARGS.map((n) => `\tsd\ta${n}, ${FREGS_A0 + 8 * n}(sp)`),
    `\tmv\ta0, sp`,
    `\taddi\ta0, a0, ${FREGS_SIZE}`,
    `\tsd\ta0, ${FREGS_SP}(sp)`,
    `\taddi\ta0, t0, -4`,
    `\tla\ta2, TRAMP_OPS`,
    `\tmv\ta1, ra`,
    `\tmv\ta3, sp`,
    `\tcall\tTRAMP_FUNC`,
    `\tld\tt0, ${FREGS_EPC}(sp)`,
    `\tld\tra, ${FREGS_RA}(sp)`,
    `\tld\tt1, ${FREGS_T1}(sp)`,
    ...ARGS.map((n) => `\tld\ta${n}, ${FREGS_A0 + 8 * n}(sp)`),
    `\taddi\tsp, sp, ${FREGS_SIZE}`,
    `\tjr\tt0`,
    '',
  ].join('\n');
}

/** The machine code of an ops trampoline placed at `addr`. */
export function opsTrampolineBytes(addr: number, opsAddr: number, func: number): Uint8Array {
  const p = assemble(opsTrampolineSource(opsAddr, func), { file: 'ops-trampoline.s', base: addr });
  const text = p.sections.find((s) => s.name === '.text')!;
  return text.data.slice();
}

/** Per-ops trampolines in a window of the text: the allocation and the bytes (shared by the schemes that make them). */
export class TrampolineWindow {
  private size = 0;

  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {}

  /** A trampoline in the window, or null when the allocator has no room there. */
  create(ops: FtraceOps, opsAddr: number, func: number, alloc: GuestAllocator): OpsTrampoline | null {
    if (!alloc.allocIn) return null;
    const size = this.sizeOf(opsAddr, func);
    const addr = alloc.allocIn(this.lo, this.hi, size, 8, `trampoline of ${ops.name}`);
    if (addr === null) return null;
    return { addr, size, data: { what: `trampoline of ${ops.name}`, addr, bytes: this.bytesAt(addr, opsAddr, func) } };
  }

  /** Bytes of a trampoline (its size does not depend on where it goes: auipc pairs are fixed-size). */
  sizeOf(opsAddr: number, func: number): number {
    if (this.size === 0) this.size = opsTrampolineBytes(this.lo, opsAddr, func).length;
    return this.size;
  }

  bytesAt(addr: number, opsAddr: number, func: number): Uint8Array {
    const bytes = opsTrampolineBytes(addr, opsAddr, func);
    if (bytes.length !== this.sizeOf(opsAddr, func)) throw new Error(`trampoline at 0x${addr.toString(16)} assembled to ${bytes.length} bytes`);
    return bytes;
  }
}

/**
 * Sites as the 6.16 list scheme (frozen auipc on ftrace_caller, one patchable jalr). An ops gets a trampoline in the
 * window after ftrace_caller when it registers; a site whose only ops has one calls it if the jalr reaches it (same
 * rounded hi20 as ftrace_caller), else ftrace_caller. Trampolines are freed after the RCU-tasks grace period.
 */
export class TrampolineScheme extends ListScheme {
  override readonly name: string = 'trampoline';
  override readonly requiredSymbols = TRAMPOLINE_SCHEME_SYMBOLS;
  protected readonly window: TrampolineWindow;

  constructor(symbols: RuntimeSymbols) {
    super(symbols);
    symbols.require(TRAMPOLINE_SCHEME_SYMBOLS, 'the trampoline scheme');
    this.window = new TrampolineWindow(symbols.get('ftrace_tramp_window'), symbols.get('ftrace_tramp_window_end'));
  }

  createTrampoline(ops: FtraceOps, opsAddr: number, func: number, alloc: GuestAllocator): OpsTrampoline | null {
    return this.window.create(ops, opsAddr, func, alloc);
  }
}

export const TRAMPOLINE_SCHEME: SchemeDescriptor = {
  name: 'trampoline',
  summary:
    'per-ops dynamic trampolines (x86 design) on the RISC-V 6.16 site: a function traced by one ops calls that ops\'s ' +
    'own trampoline (op and func built in, no list walk, no literal load); shared sites and out-of-reach sites use ftrace_caller',
  models: 'x86 create_trampoline / arch_ftrace_update_trampoline (f3bea49115b2, 0598e4f08e3d) over the Linux 6.16 riscv site',
  protocol: 'atomic',
  ...SITE_616,
  needsOpsLiteral: false,
  patchableEntry: pfePlain,
  guestSource: (o) => ftrace616Source(o, false, TRAMP_WINDOW_BYTES),
  create: (s) => new TrampolineScheme(s),
};
