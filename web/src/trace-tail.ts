// The page's bounded trace history: the newest N events in a ring (for the virtualised view) plus a digest of every event.
import type { LabTraceEvent } from '../../src/lab/trace-events.js';

/** A ring of the newest `capacity` events; index 0 is the oldest kept. */
export class TraceTail {
  private readonly ring: (LabTraceEvent | undefined)[];
  private head = 0;
  private count = 0;
  /** Every event ever pushed (kept or not). */
  total = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<LabTraceEvent | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(events: readonly LabTraceEvent[]): void {
    for (const e of events) {
      this.ring[(this.head + this.count) % this.capacity] = e;
      if (this.count < this.capacity) this.count++;
      else this.head = (this.head + 1) % this.capacity;
    }
    this.total += events.length;
  }

  /** The i-th kept event, oldest first. */
  at(i: number): LabTraceEvent {
    return this.ring[(this.head + i) % this.capacity]!;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
    this.ring.fill(undefined);
  }
}

/**
 * Two FNV-1a 32-bit lanes over every event's (ip, parent ip, hart, timestamp): the text of a trace line is a function
 * of these, so equal digests mean equal traces. Cheap enough to feed millions of events.
 */
export class EventDigest {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;
  events = 0;

  private word(v: number): void {
    for (let k = 0; k < 4; k++) {
      const byte = (v >>> (8 * k)) & 0xff;
      this.a = Math.imul(this.a ^ byte, 0x01000193);
      this.b = Math.imul(this.b ^ byte, 0x01000193) ^ (this.b >>> 13);
    }
  }

  add(events: readonly LabTraceEvent[]): void {
    for (const e of events) {
      this.word(e.ip >>> 0);
      this.word(Math.floor(e.ip / 2 ** 32));
      this.word(e.parentIp >>> 0);
      this.word(Math.floor(e.parentIp / 2 ** 32));
      this.word(e.hart);
      const t = Number(e.timestamp);
      this.word(t >>> 0);
      this.word(Math.floor(t / 2 ** 32));
    }
    this.events += events.length;
  }

  /** 16 hex digits. */
  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}
