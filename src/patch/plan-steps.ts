// Shared pieces of the built-in protocols: a plan's writes as steps (split into single-copy-atomic pieces), the RCU-tasks teardown, IPI round trips.
import { bytesEqual } from '../ftrace/bytes.js';
import type { GuestAllocator } from '../ftrace/guest-alloc.js';
import type { GlobalWrite, PatchPlan, SiteWrite } from '../ftrace/patch-plan.js';
import type { GuestPort } from './guest-port.js';
import type { HartSet, IpiRequest, PatchStep, WriteRole } from './steps.js';

/** What a protocol may use while it turns a plan into steps. */
export interface PatchContext {
  /** Online harts (every configured hart of the lab). */
  readonly harts: number;
  /** The guest heap (tables and vectors a protocol needs are allocated here and freed by its own steps). */
  readonly heap: GuestAllocator;
  /** The guest's mailboxes and control blocks; null when the guest runtime has no trap vector (a user process). */
  readonly port: GuestPort | null;
  /** 'rcu-tasks' (default): frees wait for a grace period. 'immediate' frees at once: UNSAFE, for tests and the checker. */
  readonly teardown: 'rcu-tasks' | 'immediate';
}

type WriteStep = Extract<PatchStep, { op: 'write' }>;

/** A write as one step (no splitting: for fresh data, where atomicity does not matter). */
export function write(role: WriteRole, what: string, addr: number, bytes: Uint8Array, old: Uint8Array | null = null): WriteStep {
  return { op: 'write', role, what, addr, bytes, old };
}

/**
 * A write cut into naturally aligned pieces of 8, 4, 2 or 1 bytes, each one single-copy-atomic store (an 8-byte
 * auipc+jalr pair at a 4-aligned entry becomes two 4-byte stores, as patch_insn_write's copy would).
 */
export function atomicPieces(role: WriteRole, what: string, addr: number, bytes: Uint8Array, old: Uint8Array | null): WriteStep[] {
  const out: WriteStep[] = [];
  let at = 0;
  while (at < bytes.length) {
    const a = addr + at;
    const left = bytes.length - at;
    let n = 1;
    for (const size of [8, 4, 2]) {
      if (left >= size && a % size === 0) {
        n = size;
        break;
      }
    }
    if (at === 0 && n === bytes.length) {
      // the whole write is one piece: plan bytes are never mutated, so the step shares them
      if (!old || !bytesEqual(old, bytes)) out.push(write(role, what, a, bytes, old));
      break;
    }
    const oldPiece = old ? old.subarray(at, at + n) : null;
    const newPiece = bytes.subarray(at, at + n);
    if (!oldPiece || !bytesEqual(oldPiece, newPiece)) out.push(write(role, what, a, newPiece.slice(), oldPiece ? oldPiece.slice() : null));
    at += n;
  }
  return out;
}

/** The plan's data blocks and link stores (done outside any stop: the RCU publish side of register/unregister). */
export function publishSteps(plan: PatchPlan): PatchStep[] {
  return [
    ...plan.data.map((d) => write('data', d.what, d.addr, d.bytes)),
    // rcu_assign_pointer is a release store: the data it publishes is visible first
    ...(plan.data.length > 0 ? [{ op: 'fence', kind: 'w,w' } as const] : []),
    ...plan.links.flatMap((l) => atomicPieces('link', l.what, l.addr, l.new, l.old)),
  ];
}

export function globalSteps(plan: PatchPlan, phase: GlobalWrite['phase']): WriteStep[] {
  return plan.globals.filter((g) => g.phase === phase).flatMap((g) => atomicPieces('global', g.name, g.addr, g.new, g.old));
}

/** Site writes of one kind, in plan order (by ip). */
export function siteWrites(plan: PatchPlan, kind: SiteWrite['kind']): SiteWrite[] {
  return plan.sites.filter((s) => s.kind === kind);
}

export function literalSteps(plan: PatchPlan): WriteStep[] {
  return siteWrites(plan, 'literal').flatMap((s) => atomicPieces('literal', `${s.symbol} literal`, s.addr, s.new, s.old));
}

/** Every instruction word a plan changes, as aligned 4-byte (or 2-byte) words with old and new bytes. */
export interface InsnWord {
  readonly what: string;
  readonly addr: number;
  readonly old: Uint8Array;
  readonly new: Uint8Array;
}

export function insnWords(plan: PatchPlan): InsnWord[] {
  const out: InsnWord[] = [];
  for (const s of siteWrites(plan, 'insn')) {
    const step = s.addr % 4 === 0 ? 4 : 2;
    if (s.new.length <= step) {
      if (!bytesEqual(s.old, s.new)) out.push({ what: s.symbol, addr: s.addr, old: s.old, new: s.new });
      continue;
    }
    for (let at = 0; at < s.new.length; at += step) {
      const n = Math.min(step, s.new.length - at);
      const old = s.old.subarray(at, at + n);
      const nu = s.new.subarray(at, at + n);
      if (!bytesEqual(old, nu)) out.push({ what: s.symbol, addr: s.addr + at, old: old.slice(), new: nu.slice() });
    }
  }
  return out;
}

export function insnSteps(plan: PatchPlan): WriteStep[] {
  return insnWords(plan).map((w) => write('site', w.what, w.addr, w.new, w.old));
}

/** Send `request` to every hart and wait until all acknowledged it (smp_call_function(..., wait = 1)). */
export function ipiRoundTrip(request: IpiRequest, harts: HartSet = 'all'): PatchStep[] {
  return [
    { op: 'fence', kind: 'w,o' }, // flush_icache_all: order the stores before the IPI (Andy Chiu, v3 6/7)
    { op: 'ipi', request, harts },
    { op: 'wait-ack', harts },
  ];
}

/**
 * Frees of what the plan made unreachable (ops copies, hashes, trampolines): after an RCU-tasks grace period, as
 * ftrace_shutdown waits in synchronize_rcu_tasks{,_rude}() before freeing; at once with teardown 'immediate'.
 */
export function teardownSteps(plan: PatchPlan, ctx: PatchContext): PatchStep[] {
  const frees: PatchStep[] = plan.frees.map((f) => ({ op: 'free', what: f.what, addr: f.addr }));
  if (frees.length === 0) return [];
  return ctx.teardown === 'immediate' ? frees : [{ op: 'grace-period' }, ...frees];
}
