// What a call-site scheme brings to the lab: its name, what it models, its guest trampolines and its arch hooks.
import type { ResolvedGuestOptions } from '../../guest/options.js';
import type { RuntimeSymbols } from '../runtime-symbols.js';
import type { SiteLayoutKind } from '../site-layout.js';
import type { CallSiteScheme } from './scheme.js';

/** A protocol name (mirrors src/patch/protocols without importing the patch layer into the ftrace core). */
export type SchemeProtocol = 'atomic' | 'stop-machine' | 'breakpoint' | 'stop-all';

/** One registry entry: everything the runtime, the core, the CLI, the Lab and the sweep need to know of a scheme. */
export interface SchemeDescriptor {
  /** The name used by `--scheme`, LabOptions.scheme, sweep rows and the chart. */
  readonly name: string;
  /** What a traced call goes through, in one line (legends of the table and the chart). */
  readonly summary: string;
  /** The kernel code it follows (version or commit). */
  readonly models: string;
  /** The protocol its kernel used to land its site changes (a Lab's default for this scheme). */
  readonly protocol: SchemeProtocol;
  /** The runtime has ftrace_regs_caller, so SAVE_REGS ops can register. */
  readonly regsCaller: boolean;
  /** What `ftrace_get_regs(fregs)` gives the list func: the trampoline's frame is a pt_regs, or there are none. */
  readonly listFuncRegs: 'pt_regs' | 'none';
  /**
   * The one site layout the scheme's sites fit, with or without C (its own -fpatchable-function-entry=N,M): the
   * synthetic kernel is generated with it for this scheme, and ELF guests built otherwise are refused. Absent: any
   * layout with the 6.16 entry (two 4-byte words), checked by the scheme.
   */
  siteLayout?(rvc: boolean): SiteLayoutKind;
  /** The site needs the 8-byte CALL_OPS literal before each function. */
  readonly needsOpsLiteral: boolean;
  /** The -fpatchable-function-entry flag the scheme's kernel builds with (with or without the C extension). */
  patchableEntry(rvc: boolean): string;
  /** Instructions a disabled site executes per call (2 for a 6.16 site: auipc + nop; 1 for s390-hotpatch's branch). */
  readonly disabledInsns: number;
  /**
   * The sweep's first relevant ops is a direct ops calling this guest trampoline (an empty one, as the sample's
   * ops_func_nop is an empty callback) instead of an ops_func_nop ops.
   */
  readonly sampleDirect?: string;
  /** The trampolines and other code the scheme needs in the guest runtime (assembly text). */
  guestSource(o: ResolvedGuestOptions): string;
  /** The arch hooks over an assembled runtime's symbols. */
  create(symbols: RuntimeSymbols): CallSiteScheme;
}

/** What every Linux 6.16 RISC-V site shares: no regs caller, no pt_regs for the list func, auipc + nop when disabled. */
export const SITE_616 = { regsCaller: false, listFuncRegs: 'none', disabledInsns: 2 } as const satisfies Partial<SchemeDescriptor>;

/** -fpatchable-function-entry of a 6.16 site with the CALL_OPS literal before the function (4 NOP bytes before, 4 at it). */
export const pfeCallOps = (rvc: boolean): string => (rvc ? '-fpatchable-function-entry=8,4' : '-fpatchable-function-entry=4,2');

/** -fpatchable-function-entry of a 6.16 site without the literal (8 NOP bytes at the entry). */
export const pfePlain = (rvc: boolean): string => (rvc ? '-fpatchable-function-entry=4' : '-fpatchable-function-entry=2');
