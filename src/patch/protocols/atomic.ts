// Linux 6.16 RISC-V (881dadf0792c): no stop_machine; literals first, one aligned 4-byte store per site, then flush_icache_all as an IPI to every hart.
import type { PatchPlan } from '../../ftrace/patch-plan.js';
import { PatchError } from '../errors.js';
import { atomicPieces, insnSteps, ipiRoundTrip, literalSteps, publishSteps, teardownSteps, type PatchContext } from '../plan-steps.js';
import type { PatchStep } from '../steps.js';
import type { PatchProtocol } from './protocol.js';

export interface AtomicProtocolOptions {
  /** 'ipi' (default): flush_icache_all = an IPI that runs fence.i on every hart; 'host': the host drops their decoded text. */
  readonly flush?: 'ipi' | 'host';
}

/**
 * arch_ftrace_update_code = ftrace_modify_all_code(cmd) under text_mutex, then one flush_icache_all(). Order:
 * published data; ftrace_update_ftrace_func's global (WRITE_ONCE, smp_wmb, smp_call_function(ftrace_sync_ipi));
 * every CALL_OPS literal; a write barrier; every site's jalr/nop word as one naturally aligned 4-byte store (Ziccif
 * makes its fetch single-copy atomic); the op and final function; remote fence.i on every hart; frees after a grace
 * period. Safe because the auipc of a site never changes and a hart that still runs an old word calls a literal
 * that is valid (the old ops until its grace period, or ftrace_nop_ops).
 */
export class AtomicProtocol implements PatchProtocol {
  readonly name = 'atomic';
  readonly summary = 'Linux 6.16 RISC-V: literals, fence, one aligned 4-byte store per site, IPI fence.i to every hart';
  readonly needsGuestHandlers: boolean;
  readonly flush: 'ipi' | 'host';

  constructor(opts: AtomicProtocolOptions = {}) {
    const flush = opts.flush ?? 'ipi';
    if (flush !== 'ipi' && flush !== 'host') throw new PatchError('PATCH_BAD_OPTION', `atomic: flush must be 'ipi' or 'host', got '${String(flush)}'`);
    this.flush = flush;
    this.needsGuestHandlers = flush === 'ipi';
  }

  steps(plan: PatchPlan, ctx: PatchContext): PatchStep[] {
    const globals = (phase: 'before-sites' | 'after-sites'): PatchStep[] =>
      plan.globals
        .filter((g) => g.phase === phase)
        .flatMap((g) => [
          ...atomicPieces('global', g.name, g.addr, g.new, g.old),
          // ftrace_update_ftrace_func (6.16): a new call target is followed by smp_wmb + a sync IPI to every hart
          ...(g.name === 'ftrace_call_dest' ? [{ op: 'fence', kind: 'w,w' } as const, ...this.sync('sync')] : []),
        ]);
    return [
      ...publishSteps(plan),
      ...globals('before-sites'),
      ...literalSteps(plan),
      { op: 'fence', kind: 'w,w' },
      ...insnSteps(plan),
      ...globals('after-sites'),
      ...this.sync('fence.i'),
      ...teardownSteps(plan, ctx),
    ];
  }

  private sync(request: 'fence.i' | 'sync'): PatchStep[] {
    if (this.flush === 'host') return request === 'fence.i' ? [{ op: 'flush-icache', harts: 'all' }] : [];
    return ipiRoundTrip(request);
  }
}
