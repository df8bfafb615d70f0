// Carries out one patch step on the machine: with harts running (writes, mailbox IPIs, waits on acknowledgements and quiescent counts) or with nothing running.
import { bytesEqual, toHex } from '../ftrace/bytes.js';
import { hexAddr } from '../ftrace/errors.js';
import type { GuestAllocator } from '../ftrace/guest-alloc.js';
import { PatchError } from './errors.js';
import type { GuestPort } from './guest-port.js';
import type { HartSet, PatchStep } from './steps.js';
import type { TextWriter } from './text-poker.js';

/** The machine as a protocol's steps act on it. */
export interface PatchTarget {
  /** Guest memory with single-copy-atomic aligned stores. */
  readonly text: TextWriter;
  /** Online harts. */
  readonly harts: number;
  /** Drop one hart's decoded text (what its own fence.i does). */
  flushIcache(hart: number): void;
  /** The guest's mailboxes and counters (null: the runtime has no trap vector). */
  readonly port: GuestPort | null;
  readonly heap: GuestAllocator;
}

/** Counts of what the steps of one update did. */
export interface StepCounts {
  steps: number;
  writes: number;
  bytes: number;
  ipis: number;
  flushes: number;
  frees: number;
  graceWaits: number;
}

export function emptyCounts(): StepCounts {
  return { steps: 0, writes: 0, bytes: 0, ipis: 0, flushes: 0, frees: 0, graceWaits: 0 };
}

/**
 * Executes steps one at a time and answers whether a blocking step may finish. `live` semantics: IPIs go through
 * the harts' mailboxes and must be acknowledged; a grace period waits for every hart's rcu_tasks_qs to move (or the
 * hart to idle). Quiescent semantics (no hart will run again, or none ran yet): every request takes effect at once
 * (fence.i = a host icache flush, stop_machine = the host stores the patch vector), waits are empty.
 */
export class StepExecutor {
  private graceSnapshot: number[] | null = null;

  constructor(private readonly target: PatchTarget) {}

  private hartList(set: HartSet): readonly number[] {
    if (set === 'all') return Array.from({ length: this.target.harts }, (_, h) => h);
    for (const h of set) {
      if (!Number.isInteger(h) || h < 0 || h >= this.target.harts) throw new PatchError('PATCH_BAD_STEP', `no hart ${h} (the lab has ${this.target.harts})`);
    }
    return set;
  }

  private port(what: string): GuestPort {
    const p = this.target.port;
    if (!p) throw new PatchError('PATCH_UNSUPPORTED', `${what} needs the guest runtime's IPI handler, which this guest does not have`);
    return p;
  }

  /** Carry out a non-blocking step, or finish a blocking one that ready() accepted. */
  exec(step: PatchStep, live: boolean, counts: StepCounts): void {
    counts.steps++;
    switch (step.op) {
      case 'write':
        this.write(step);
        counts.writes++;
        counts.bytes += step.bytes.length;
        return;
      case 'fence':
        return; // host stores are sequentially consistent (Atomics)
      case 'ipi': {
        const harts = this.hartList(step.harts);
        counts.ipis += harts.length;
        if (live) {
          const port = this.port(`an IPI (${step.request})`);
          for (const h of harts) port.post(h, step.request);
          return;
        }
        if (step.request === 'fence.i') for (const h of harts) this.target.flushIcache(h);
        if (step.request === 'stop-machine') {
          this.port('stop_machine').applyStopMachineVector((a, b) => this.target.text.write(a, b));
          for (let h = 0; h < this.target.harts; h++) this.target.flushIcache(h);
        }
        return;
      }
      case 'wait-ack':
        return;
      case 'flush-icache':
        for (const h of this.hartList(step.harts)) this.target.flushIcache(h);
        counts.flushes++;
        return;
      case 'grace-period':
        this.graceSnapshot = null;
        counts.graceWaits++;
        return;
      case 'free':
        this.target.heap.free(step.addr);
        counts.frees++;
        return;
      case 'pause-all':
      case 'resume-all':
        return; // the drivers stop and restart the harts
    }
  }

  /** May a blocking step finish now (live semantics)? Non-blocking steps are always ready. */
  ready(step: PatchStep): boolean {
    switch (step.op) {
      case 'wait-ack': {
        const port = this.port('waiting for IPI acknowledgements');
        return this.hartList(step.harts).every((h) => port.acknowledged(h));
      }
      case 'grace-period': {
        const port = this.port('an RCU-tasks grace period');
        const qs = port.quiescentCounts();
        if (!this.graceSnapshot) this.graceSnapshot = qs;
        const snap = this.graceSnapshot;
        return qs.every((q, h) => q !== snap[h] || port.inIdle(h));
      }
      default:
        return true;
    }
  }

  /** Which harts a blocking step still waits for (for timeout messages). */
  waitingFor(step: PatchStep): number[] {
    const port = this.target.port;
    if (!port) return [];
    if (step.op === 'wait-ack') return this.hartList(step.harts).filter((h) => !port.acknowledged(h));
    if (step.op === 'grace-period' && this.graceSnapshot) {
      const qs = port.quiescentCounts();
      return qs.flatMap((q, h) => (q === this.graceSnapshot![h] && !port.inIdle(h) ? [h] : []));
    }
    return [];
  }

  private write(step: Extract<PatchStep, { op: 'write' }>): void {
    if (step.old && !this.target.text.holds(step.addr, step.old)) {
      const cur = this.target.text.read(step.addr, step.old.length);
      {
        throw new PatchError('PATCH_MISMATCH', `${step.what} at ${hexAddr(step.addr)}: expected ${toHex(step.old)}, text holds ${toHex(cur)}`);
      }
    }
    this.target.text.write(step.addr, step.bytes);
  }
}
