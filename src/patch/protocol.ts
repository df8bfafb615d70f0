// The patch-protocol interface: how a computed PatchPlan's bytes reach code that other harts may be running.
import type { PatchPlan } from '../ftrace/patch-plan.js';

/** What a protocol needs from the machine: its text, its harts, and a way to stop and restart them. */
export interface PatchableMachine {
  /** Guest memory with tear-free aligned 4- and 8-byte stores (see TextPoker). */
  readonly text: TextWriter;
  readonly hartCount: number;
  /** Invalidate one hart's decoded-instruction cache (what its fence.i would do). */
  flushIcache(hart: number): void;
  /** Stop every hart at an instruction boundary (no-op when nothing runs); resolves once all are parked. */
  stopAll(): Promise<void>;
  /** Let the harts stopped by stopAll continue. */
  resumeAll(): void;
}

/** Guest memory as a protocol writes it. */
export interface TextWriter {
  read(addr: number, len: number): Uint8Array;
  /** One store: aligned 4- and 8-byte writes are single atomic stores; anything else is written bytewise. */
  write(addr: number, bytes: Uint8Array): void;
}

/** What applying one plan did (for reports and tests). */
export interface PatchReport {
  readonly protocol: string;
  /** Stores issued (data, links, globals, sites). */
  readonly writes: number;
  /** Harts whose icache was flushed. */
  readonly flushedHarts: number;
  /** Host milliseconds the harts were held stopped (0 when none ran). */
  readonly stoppedMs: number;
}

/**
 * A way to make a plan's bytes live. "Compute the plan" (the ftrace core) and "apply the plan" (a protocol) stay
 * separate, so stop_machine-in-guest, breakpoint patching or atomic jalr + remote fence.i can implement this too.
 */
export interface PatchProtocol {
  readonly name: string;
  apply(plan: PatchPlan, machine: PatchableMachine): Promise<PatchReport>;
}
