// Mirrors registered ops, their hashes and ftrace_ops_list into guest memory, as plan data/link/free entries (the RCU publish side).
import { u64le } from './bytes.js';
import { FTRACE_OPS_FL_ENABLED } from './flags.js';
import type { GuestAllocator } from './guest-alloc.js';
import {
  encodeHash,
  encodeOps,
  FTRACE_OPS_FILTER_HASH,
  FTRACE_OPS_NEXT,
  FTRACE_OPS_NOTRACE_HASH,
  FTRACE_OPS_SIZE,
  FTRACE_STRUCT_ALIGN,
  hashBlockSize,
} from './guest-layout.js';
import type { FtraceHash } from './hash.js';
import type { FtraceOps } from './ops.js';
import type { PatchPlan } from './patch-plan.js';

interface Block {
  readonly addr: number;
  readonly size: number;
}

interface OpsMirror {
  readonly addr: number;
  filter: Block | null;
  notrace: Block | null;
}

export type HashKind = 'filter' | 'notrace';

/** Guest copies of the registered ops, in ftrace_ops_list order (newest first, as register adds at the head). */
export class GuestMirror {
  private readonly mirrors = new Map<FtraceOps, OpsMirror>();
  private readonly list: FtraceOps[] = [];

  constructor(
    private readonly allocator: GuestAllocator,
    /** &ftrace_ops_list (the u64 head pointer) and &ftrace_list_end (its terminator). */
    private readonly listHead: number,
    private readonly listEnd: number,
  ) {}

  /** Guest address of an ops struct (allocated the first time the ops is registered: INITIALIZED). */
  addrOf(ops: FtraceOps): number | undefined {
    return this.mirrors.get(ops)?.addr;
  }

  /** The list order the guest sees. */
  get opsList(): readonly FtraceOps[] {
    return this.list;
  }

  private headValue(): number {
    const first = this.list[0];
    return first ? this.mirrors.get(first)!.addr : this.listEnd;
  }

  private writeHash(plan: PatchPlan, ops: FtraceOps, kind: HashKind, hash: FtraceHash): Block | null {
    if (hash.empty) return null;
    const size = hashBlockSize(hash);
    const addr = this.allocator.alloc(size, FTRACE_STRUCT_ALIGN, `${kind} hash of ${ops.name}`);
    plan.data.push({ what: `${kind}_hash of ${ops.name}`, addr, bytes: encodeHash(hash, addr) });
    return { addr, size };
  }

  /** __register_ftrace_function's publish: write the struct and hashes, then link it at the head of the list. */
  link(plan: PatchPlan, ops: FtraceOps, func: number): number {
    let m = this.mirrors.get(ops);
    if (!m) {
      const addr = this.allocator.alloc(FTRACE_OPS_SIZE, FTRACE_STRUCT_ALIGN, `ftrace_ops ${ops.name}`);
      m = { addr, filter: null, notrace: null };
      this.mirrors.set(ops, m);
    }
    m.filter = this.writeHash(plan, ops, 'filter', ops.filterHash);
    m.notrace = this.writeHash(plan, ops, 'notrace', ops.notraceHash);
    const head = this.headValue();
    plan.data.push({
      what: `ftrace_ops ${ops.name}`,
      addr: m.addr,
      bytes: encodeOps({
        func,
        next: head,
        flags: ops.flags | FTRACE_OPS_FL_ENABLED,
        private: ops.private,
        filterHash: m.filter?.addr ?? 0,
        notraceHash: m.notrace?.addr ?? 0,
        trampoline: ops.trampoline,
        directCall: ops.directCall,
      }),
    });
    plan.links.push({ what: 'ftrace_ops_list', addr: this.listHead, old: u64le(head), new: u64le(m.addr) });
    this.list.unshift(ops);
    return m.addr;
  }

  /** __unregister_ftrace_function's unlink; the hash blocks are freed after the grace period. */
  unlink(plan: PatchPlan, ops: FtraceOps): void {
    const i = this.list.indexOf(ops);
    const m = this.mirrors.get(ops)!;
    const next = this.list[i + 1];
    const nextAddr = next ? this.mirrors.get(next)!.addr : this.listEnd;
    const prevLink = i === 0 ? this.listHead : this.mirrors.get(this.list[i - 1]!)!.addr + FTRACE_OPS_NEXT;
    plan.links.push({
      what: i === 0 ? 'ftrace_ops_list' : `${this.list[i - 1]!.name}->next`,
      addr: prevLink,
      old: u64le(m.addr),
      new: u64le(nextAddr),
    });
    this.list.splice(i, 1);
    for (const [kind, block] of [['filter', m.filter], ['notrace', m.notrace]] as const) {
      if (block) plan.frees.push({ what: `${kind}_hash of ${ops.name}`, addr: block.addr, size: block.size });
    }
    m.filter = null;
    m.notrace = null;
  }

  /** ftrace_hash_move on a registered ops: write the new hash, swap the ops' pointer, free the old block later. */
  replaceHash(plan: PatchPlan, ops: FtraceOps, kind: HashKind, hash: FtraceHash): void {
    const m = this.mirrors.get(ops)!;
    const old = m[kind];
    const fresh = this.writeHash(plan, ops, kind, hash);
    const field = m.addr + (kind === 'filter' ? FTRACE_OPS_FILTER_HASH : FTRACE_OPS_NOTRACE_HASH);
    if ((old?.addr ?? 0) !== (fresh?.addr ?? 0)) {
      plan.links.push({ what: `${ops.name}->${kind}_hash`, addr: field, old: u64le(old?.addr ?? 0), new: u64le(fresh?.addr ?? 0) });
    }
    if (old) plan.frees.push({ what: `${kind}_hash of ${ops.name}`, addr: old.addr, size: old.size });
    m[kind] = fresh;
  }
}
