// The host side of function_graph's guest state: max_graph_depth, set_graph_function / set_graph_notrace and the per-hart shadow-stack counters.
import { applyFilterPatterns } from '../ftrace/filter.js';
import type { GuestAllocator } from '../ftrace/guest-alloc.js';
import { FtraceHash } from '../ftrace/hash.js';
import type { RecordTable } from '../ftrace/records.js';
import * as fg from '../guest/fgraph-layout.js';
import type { GuestMemory } from '../machine/memory.js';
import { LabError } from './errors.js';

/** What the function_graph tracer is told besides the ops filters (tracefs max_graph_depth, set_graph_*). */
export interface GraphOptions {
  /** max_graph_depth: 0 (default) = unlimited; 1 records only the outermost calls. */
  readonly maxGraphDepth?: number;
  /** set_graph_function patterns: only these functions and what they call are graphed (default: everything). */
  readonly graphFunction?: string | readonly string[];
  /** set_graph_notrace patterns: these functions and everything below them are not graphed. */
  readonly graphNotrace?: string | readonly string[];
}

/** Shadow-stack state of one hart (its one "task"). */
export interface GraphTaskState {
  /** Frames on the shadow stack now (curr_ret_stack + 1). */
  readonly frames: number;
  /** curr_ret_depth + 1. */
  readonly depth: number;
  /** trace_overrun: calls left unhooked because the stack was full. */
  readonly overrun: number;
}

/** Reads and writes `ftrace_graph_control` and `ftrace_graph_stacks` in guest memory. */
export class FgraphControl {
  private graphIps: number[] = [];
  private notraceIps: number[] = [];

  constructor(
    private readonly memory: GuestMemory,
    private readonly control: number,
    private readonly stacks: number,
    private readonly harts: number,
    private readonly allocator: GuestAllocator,
    private readonly records: RecordTable,
  ) {}

  get maxGraphDepth(): number {
    return Number(this.memory.readU64(this.control + fg.FGRAPH_CTL_MAX_DEPTH));
  }

  setMaxGraphDepth(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new LabError('LAB_BAD_OPTION', `max_graph_depth must be an integer >= 0, got ${String(n)}`);
    this.memory.writeU64(this.control + fg.FGRAPH_CTL_MAX_DEPTH, n);
  }

  /** set_graph_function ips (rec->ip), ascending; empty = every function. */
  get graphFunction(): readonly number[] {
    return this.graphIps;
  }

  get graphNotrace(): readonly number[] {
    return this.notraceIps;
  }

  /** Replace (or, with `append`, extend) a set from glob patterns; an empty list clears it. FTRACE_NO_MATCH etc. on bad patterns. */
  setGraphFunction(patterns: string | readonly string[], append = false): void {
    this.graphIps = this.resolve(this.graphIps, patterns, append);
    this.publish(fg.FGRAPH_CTL_GRAPH_HASH, this.graphIps, 'set_graph_function');
  }

  setGraphNotrace(patterns: string | readonly string[], append = false): void {
    this.notraceIps = this.resolve(this.notraceIps, patterns, append);
    this.publish(fg.FGRAPH_CTL_NOTRACE_HASH, this.notraceIps, 'set_graph_notrace');
  }

  /** All three knobs at once (what register does before the ops goes live). */
  apply(o: GraphOptions): void {
    const [graph, notrace] = this.check(o);
    this.setMaxGraphDepth(o.maxGraphDepth ?? 0);
    this.graphIps = graph;
    this.notraceIps = notrace;
    this.publish(fg.FGRAPH_CTL_GRAPH_HASH, graph, 'set_graph_function');
    this.publish(fg.FGRAPH_CTL_NOTRACE_HASH, notrace, 'set_graph_notrace');
  }

  /** Validate options without changing anything (typed errors); the resolved sets. */
  check(o: GraphOptions): [number[], number[]] {
    const depth = o.maxGraphDepth ?? 0;
    if (!Number.isSafeInteger(depth) || depth < 0 || depth > 0xffffffff) throw new LabError('LAB_BAD_OPTION', `max_graph_depth must be an integer >= 0, got ${String(depth)}`);
    const graph = o.graphFunction === undefined ? [] : this.resolve([], o.graphFunction, false);
    const notrace = o.graphNotrace === undefined ? [] : this.resolve([], o.graphNotrace, false);
    return [graph, notrace];
  }

  /** ftrace_graph_stop() happened (a corrupt shadow stack): graph tracing is off for good. */
  get dead(): boolean {
    return this.memory.readU64(this.control + fg.FGRAPH_CTL_DEAD) !== 0n;
  }

  task(hart: number): GraphTaskState {
    if (!Number.isInteger(hart) || hart < 0 || hart >= this.harts) throw new LabError('LAB_BAD_OPTION', `no hart ${String(hart)}`);
    const t = this.stacks + hart * fg.FGRAPH_TASK_SIZE;
    return {
      frames: Number(this.memory.readU64(t + fg.FGRAPH_NR_FRAMES)),
      depth: Number(this.memory.readU64(t + fg.FGRAPH_DEPTH)),
      overrun: Number(this.memory.readU64(t + fg.FGRAPH_OVERRUN)),
    };
  }

  private resolve(base: readonly number[], patterns: string | readonly string[], append: boolean): number[] {
    const empty = typeof patterns === 'string' ? patterns.trim() === '' : patterns.length === 0;
    if (empty) return append ? [...base] : [];
    return applyFilterPatterns(this.records, FtraceHash.of([...base]), patterns, !append).ips().slice();
  }

  /**
   * Publish a set with one 8-byte store of its address (harts read the pointer, then the count behind it), so a
   * running hart sees the old or the new set, never a mix. Replaced sets stay allocated: a hart may still be reading
   * one, and the lab has no grace period for these (a few bytes per change).
   */
  private publish(field: number, ips: readonly number[], what: string): void {
    let addr = 0;
    if (ips.length > 0) {
      const bytes = fg.encodeGraphHash(ips);
      addr = this.allocator.alloc(bytes.length, 8, what);
      this.memory.write(addr, bytes);
    }
    this.memory.writeU64(this.control + field, addr);
  }
}
