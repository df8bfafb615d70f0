// struct ftrace_ops: a tracer's callback, flags, filter/notrace hashes, private data and trampoline/direct slots.
import { FtraceError } from './errors.js';
import { FTRACE_OPS_FL_DYNAMIC, FTRACE_OPS_FL_RCU, FTRACE_OPS_FL_RECURSION, FTRACE_OPS_USER_FLAGS } from './flags.js';
import { FtraceHash } from './hash.js';

export interface FtraceOpsInit {
  /** Label for messages and plan entries. */
  readonly name?: string;
  /** Guest address of the callback, or the name of a guest runtime symbol (a named tracer). */
  readonly func: number | string;
  /** FTRACE_OPS_FL_* the user may set (SAVE_REGS, RECURSION, RCU, IPMODIFY, STUB, ...). */
  readonly flags?: number;
  /** Allocated at run time (kmalloc/module): FTRACE_OPS_FL_DYNAMIC. Default true, as for most tracers. */
  readonly dynamic?: boolean;
  /** ops->private (an opaque guest word). */
  readonly private?: number;
  /** ops->trampoline: a per-ops trampoline address (schemes that make them). */
  readonly trampoline?: number;
  /** ops->direct_call: a direct trampoline address. */
  readonly directCall?: number;
}

let nextId = 1;

function checkWord(v: number, what: string, name: string): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new FtraceError('FTRACE_BAD_OPS', `ops ${name}: ${what} ${String(v)} is not a guest address`);
  return v;
}

/** One ftrace_ops. Its hashes are edited through the core (setFilter/setNotrace), which also mirrors it into guest memory. */
export class FtraceOps {
  readonly id = nextId++;
  readonly name: string;
  readonly func: number | string;
  /** FTRACE_OPS_FL_*; ENABLED, INITIALIZED, DELETED, ADDING, REMOVING are managed by the core. */
  flags: number;
  readonly private: number;
  readonly trampoline: number;
  readonly directCall: number;
  filterHash = new FtraceHash();
  notraceHash = new FtraceHash();

  constructor(init: FtraceOpsInit) {
    this.name = init.name ?? `ops${this.id}`;
    const flags = init.flags ?? 0;
    if (!Number.isInteger(flags) || (flags & ~FTRACE_OPS_USER_FLAGS) !== 0) {
      throw new FtraceError('FTRACE_BAD_OPS', `ops ${this.name}: flags 0x${flags.toString(16)} include bits the core owns`);
    }
    if (typeof init.func === 'string') {
      if (!init.func) throw new FtraceError('FTRACE_BAD_OPS', `ops ${this.name}: empty func name`);
    } else if (checkWord(init.func, 'func', this.name) === 0) {
      throw new FtraceError('FTRACE_BAD_OPS', `ops ${this.name}: func is NULL`);
    }
    this.func = init.func;
    this.flags = flags | (init.dynamic === false ? 0 : FTRACE_OPS_FL_DYNAMIC);
    this.private = checkWord(init.private ?? 0, 'private', this.name);
    this.trampoline = checkWord(init.trampoline ?? 0, 'trampoline', this.name);
    this.directCall = checkWord(init.directCall ?? 0, 'direct_call', this.name);
  }

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  /** ftrace_ops_get_func needs the assist func (recursion protection or the RCU check). */
  get needsAssist(): boolean {
    return this.has(FTRACE_OPS_FL_RECURSION | FTRACE_OPS_FL_RCU);
  }

  /** ftrace_ops_get_list_func: only a static, non-RCU ops may be the global function itself. */
  get forcesListFunc(): boolean {
    return this.has(FTRACE_OPS_FL_DYNAMIC | FTRACE_OPS_FL_RCU);
  }
}
