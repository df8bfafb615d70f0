// The host's view of the guest runtime's patching machinery: per-hart IPI mailboxes, RCU-tasks counters, handler statistics, stop_machine_data and text_poke_array.
import { hexAddr } from '../ftrace/errors.js';
import { IPI_FENCE_I, IPI_STOP_MACHINE, IPI_SYNC, MS_CPU_COUNT, MS_NUM_THREADS, MS_STATE, MS_VECTOR, MS_VECTOR_LEN, MULTI_STOP_EXIT, PV_ADDR, PV_ENTRY_SIZE, PV_SIZE, PV_VALUE } from '../guest/patch-layout.js';
import * as pc from '../guest/percpu-layout.js';
import type { GuestMemory } from '../machine/memory.js';
import { PatchError } from './errors.js';
import type { IpiRequest } from './steps.js';

/** Guest symbols the port needs (present in runtimes built with the trap vector, percpu 'tp'). */
export interface GuestPortSymbols {
  readonly ftrace_percpu: number;
  readonly stop_machine_data: number;
  readonly text_poke_array: number;
}

const REQUEST_BITS: Record<IpiRequest, bigint> = {
  'fence.i': BigInt(IPI_FENCE_I),
  sync: BigInt(IPI_SYNC),
  'stop-machine': BigInt(IPI_STOP_MACHINE),
};

/** Per-hart counters the guest keeps (percpu-layout.ts), as numbers. */
export interface HartPatchCounters {
  readonly qs: number;
  readonly inIdle: boolean;
  readonly ipis: number;
  readonly bpHits: number;
  /** `time` ticks spent in the IPI/breakpoint handlers. */
  readonly handlerTicks: number;
  readonly handlerInsns: number;
}

/** Reads and writes the guest's patching words with single-copy-atomic 8-byte accesses. */
export class GuestPort {
  /** Sequence number of the last request posted to each hart (the guest acknowledges up to it). */
  private readonly sent: number[];

  constructor(
    private readonly memory: GuestMemory,
    readonly symbols: GuestPortSymbols,
    readonly harts: number,
    private readonly raiseMsip: (hart: number) => void,
  ) {
    this.sent = new Array<number>(harts).fill(0);
  }

  percpu(hart: number): number {
    return this.symbols.ftrace_percpu + hart * pc.PERCPU_SIZE;
  }

  private u64(hart: number, field: number): number {
    return Number(this.memory.readU64(this.percpu(hart) + field));
  }

  /**
   * Post `request` in the hart's mailbox (OR the bit, then publish the next sequence number), then raise its msip.
   * The handler reads the sequence number before it takes the bits, so acknowledging n covers every request
   * posted with a number <= n.
   */
  post(hart: number, request: IpiRequest): void {
    const base = this.percpu(hart);
    this.memory.orU64(base + pc.PERCPU_IPI_REQUEST, REQUEST_BITS[request]);
    this.sent[hart]! += 1;
    this.memory.writeU64(base + pc.PERCPU_IPI_REQ_SEQ, this.sent[hart]!);
    this.raiseMsip(hart);
  }

  /** Has the hart acknowledged every request posted to it? */
  acknowledged(hart: number): boolean {
    return this.u64(hart, pc.PERCPU_IPI_ACK_SEQ) >= this.sent[hart]!;
  }

  counters(hart: number): HartPatchCounters {
    return {
      qs: this.u64(hart, pc.PERCPU_RCU_TASKS_QS),
      inIdle: this.u64(hart, pc.PERCPU_IN_IDLE) !== 0,
      ipis: this.u64(hart, pc.PERCPU_IPI_COUNT),
      bpHits: this.u64(hart, pc.PERCPU_BP_HITS),
      handlerTicks: this.u64(hart, pc.PERCPU_HANDLER_TICKS),
      handlerInsns: this.u64(hart, pc.PERCPU_HANDLER_INSNS),
    };
  }

  /** rcu_tasks_qs of every hart. */
  quiescentCounts(): number[] {
    return Array.from({ length: this.harts }, (_, h) => this.u64(h, pc.PERCPU_RCU_TASKS_QS));
  }

  inIdle(hart: number): boolean {
    return this.u64(hart, pc.PERCPU_IN_IDLE) !== 0;
  }

  /** Address of a stop_machine_data field. */
  msField(offset: number): number {
    return this.symbols.stop_machine_data + offset;
  }

  /**
   * What multi_cpu_stop would do if no hart runs any more: store the patch vector stop_machine_data points at, and
   * release any hart caught in the rendezvous (cpu_count past num_threads, state EXIT).
   */
  applyStopMachineVector(write: (addr: number, bytes: Uint8Array) => void): number {
    const vec = Number(this.memory.readU64(this.msField(MS_VECTOR)));
    const len = Number(this.memory.readU64(this.msField(MS_VECTOR_LEN)));
    for (let i = 0; i < len; i++) {
      const e = vec + i * PV_ENTRY_SIZE;
      const addr = Number(this.memory.readU64(e + PV_ADDR));
      const value = this.memory.readU64(e + PV_VALUE);
      const size = Number(this.memory.readU64(e + PV_SIZE));
      if (![1, 2, 4, 8].includes(size) || addr % size !== 0) {
        throw new PatchError('PATCH_BAD_STEP', `patch vector entry ${i} at ${hexAddr(e)}: ${size} bytes at ${hexAddr(addr)}`);
      }
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigUint64(0, value, true);
      write(addr, bytes.subarray(0, size));
    }
    const threads = this.memory.readU64(this.msField(MS_NUM_THREADS));
    this.memory.writeU64(this.msField(MS_CPU_COUNT), threads + 1n);
    this.memory.writeU64(this.msField(MS_STATE), MULTI_STOP_EXIT);
    return len;
  }
}
