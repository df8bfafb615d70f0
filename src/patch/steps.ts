// Patch protocols as data: the steps one update takes (writes, ordering fences, IPIs and their acknowledgements, icache flushes, grace periods, frees).
import { toHex } from '../ftrace/bytes.js';
import { hexAddr } from '../ftrace/errors.js';

/** What an IPI asks a hart to do (the guest's ipi_handler, src/guest/asm/ipi.ts). */
export type IpiRequest = 'fence.i' | 'sync' | 'stop-machine';

/** Which part of an update a write belongs to (protocol files and the checker name writes by role). */
export type WriteRole =
  | 'data' // fresh memory nobody reaches yet (ops copies, hashes, tables, vectors)
  | 'link' // a pointer store that publishes or retracts a structure (rcu_assign_pointer)
  | 'global' // ftrace_call_dest / function_trace_op
  | 'literal' // the CALL_OPS literal before a function
  | 'site' // a whole call-site instruction word
  | 'site-parcel0' // the first 16-bit parcel of a site word (breakpoint protocol)
  | 'site-rest' // the rest of a site word after its first parcel
  | 'control'; // a protocol's own control words (stop_machine_data, text_poke_array)

/** Harts a step addresses: every online hart, or a list. */
export type HartSet = 'all' | readonly number[];

export type PatchStep =
  /** One store. Naturally aligned 2/4/8-byte writes are single-copy atomic; `old` (when given) is checked first. */
  | { readonly op: 'write'; readonly role: WriteRole; readonly what: string; readonly addr: number; readonly bytes: Uint8Array; readonly old: Uint8Array | null }
  /** An ordering point (smp_wmb and friends). Host stores are sequentially consistent; the step marks the order. */
  | { readonly op: 'fence'; readonly kind: 'w,w' | 'rw,rw' | 'w,o' }
  /** Post a request in each hart's mailbox and raise its CLINT msip (does not wait). */
  | { readonly op: 'ipi'; readonly request: IpiRequest; readonly harts: HartSet }
  /** Block until every hart of the set acknowledged the last IPI sent to it. */
  | { readonly op: 'wait-ack'; readonly harts: HartSet }
  /** The host drops the harts' decoded text (what their own fence.i would do), without involving them. */
  | { readonly op: 'flush-icache'; readonly harts: HartSet }
  /** Block until every online hart passed a voluntary quiescent point (or idled) since the step began (RCU-tasks). */
  | { readonly op: 'grace-period' }
  /** Return a guest heap block (it is poisoned). */
  | { readonly op: 'free'; readonly what: string; readonly addr: number }
  /** Host-side stop: every hart parked at an instruction boundary until 'resume-all'. */
  | { readonly op: 'pause-all' }
  | { readonly op: 'resume-all' };

/** Steps that may have to wait for the harts. */
export function isBlocking(s: PatchStep): boolean {
  return s.op === 'wait-ack' || s.op === 'grace-period' || s.op === 'pause-all';
}

function harts(h: HartSet): string {
  return h === 'all' ? 'all harts' : `hart${h.length === 1 ? '' : 's'} ${h.join(',')}`;
}

/** One line per step, as `ftrace-lab trace --dry-run` and replay files print them. */
export function formatStep(s: PatchStep): string {
  switch (s.op) {
    case 'write': {
      const old = s.old ? `${toHex(s.old)} -> ` : '';
      const bytes = s.bytes.length > 16 ? `${s.bytes.length} bytes` : toHex(s.bytes);
      return `write ${s.role} ${s.what} @${hexAddr(s.addr)}: ${old}${bytes}`;
    }
    case 'fence':
      return `fence ${s.kind}`;
    case 'ipi':
      return `ipi ${s.request} -> ${harts(s.harts)}`;
    case 'wait-ack':
      return `wait for acknowledgements from ${harts(s.harts)}`;
    case 'flush-icache':
      return `host icache flush of ${harts(s.harts)}`;
    case 'grace-period':
      return 'wait for an RCU-tasks grace period';
    case 'free':
      return `free ${s.what} @${hexAddr(s.addr)}`;
    case 'pause-all':
      return 'pause every hart';
    case 'resume-all':
      return 'resume every hart';
  }
}
