// The synthetic kernel: K patchable functions with prologue/ALU bodies calling along a seeded call graph, plus a driver and its expected result.
import type { SiteLayoutKind } from '../ftrace/site-layout.js';
import { buildCallGraph, type CallGraph } from './call-graph.js';
import { intOption, WorkloadError } from './errors.js';
import { I, type KernelInsn } from './kernel-insn.js';
import type { KernelSink } from './kernel-sink.js';
import { Prng } from '../util/prng.js';
import { resolveStaticKeySites, siteKeyOf, staticKeySite, type ResolvedStaticKeySites, type StaticKeySitesOptions } from './static-key-sites.js';
import type { PatchableTextBuilder } from './patchable-text.js';

export interface SyntheticKernelOptions {
  /** Number of functions (default 1,000; up to 100,000). */
  readonly functions?: number;
  /** Site layout (default 'rvc-8,4', the RVC CALL_OPS build; 'rvc-14,12' / 'norvc-7,6' for s390-hotpatch). */
  readonly layout?: SiteLayoutKind;
  readonly seed?: number;
  /** Call graph depth (default 4) and maximum fan-out (default 3). */
  readonly depth?: number;
  readonly fanOut?: number;
  /** ALU operations per body (default 3, 1..16). */
  readonly bodyOps?: number;
  /** Function name prefix (default 'kfunc_'). */
  readonly prefix?: string;
  /** Tracepoint-like static_branch_unlikely() sites in the kernel's functions, with a __jump_table (assembly path only). */
  readonly staticKeys?: StaticKeySitesOptions;
}

/** One body operation on a0 (all arithmetic mod 2^64). */
export type BodyOp = { readonly op: 'addi' | 'xori'; readonly imm: number } | { readonly op: 'mulshift' | 'xorshift'; readonly shift: number };

export interface SyntheticFunction {
  readonly name: string;
  readonly ops: readonly BodyOp[];
  readonly callees: readonly number[];
  /** Added to a0 after the calls (makes the call order observable). */
  readonly tail: number;
}

/** Driver: `u64 synthetic_kernel_run(u64 x)` calls every root in order, threading x through. */
export const KERNEL_RUN_SYMBOL = 'synthetic_kernel_run';

export interface SyntheticKernel {
  readonly graph: CallGraph;
  readonly functions: readonly SyntheticFunction[];
  readonly layoutKind: SiteLayoutKind;
  /** Static-key sites, or null. */
  readonly staticKeys: ResolvedStaticKeySites | null;
}

const MASK = (1n << 64n) - 1n;

function randomOp(rng: Prng): BodyOp {
  switch (rng.below(4)) {
    case 0:
      return { op: 'addi', imm: rng.below(4096) - 2048 };
    case 1:
      return { op: 'xori', imm: rng.below(4096) - 2048 };
    case 2:
      return { op: 'mulshift', shift: 1 + rng.below(31) };
    default:
      return { op: 'xorshift', shift: 1 + rng.below(31) };
  }
}

/** The seeded description of a kernel (no text yet). */
export function planSyntheticKernel(opts: SyntheticKernelOptions = {}): SyntheticKernel {
  const seed = opts.seed ?? 1;
  const graph = buildCallGraph({ functions: opts.functions ?? 1000, depth: opts.depth ?? 4, fanOut: opts.fanOut ?? 3, seed });
  const bodyOps = intOption(opts.bodyOps ?? 3, 1, 16, 'bodyOps');
  const prefix = opts.prefix ?? 'kfunc_';
  if (!/^[A-Za-z_][\w]*$/.test(prefix)) throw new WorkloadError('WORKLOAD_BAD_OPTION', `prefix '${prefix}' is not a symbol prefix`);
  const rng = new Prng((seed ^ 0x9e3779b9) >>> 0);
  const functions = graph.callees.map((callees, i) => ({
    name: `${prefix}${i}`,
    ops: Array.from({ length: bodyOps }, () => randomOp(rng)),
    callees,
    tail: i & 0x7ff,
  }));
  return { graph, functions, layoutKind: opts.layout ?? 'rvc-8,4',
    staticKeys: opts.staticKeys ? resolveStaticKeySites(opts.staticKeys) : null };
}

function opInsns(o: BodyOp): KernelInsn[] {
  switch (o.op) {
    case 'addi':
    case 'xori':
      return [I.imm(o.op, 'a0', 'a0', o.imm)];
    case 'mulshift':
      return [I.imm('slli', 't0', 'a0', o.shift), I.reg('add', 'a0', 'a0', 't0')];
    case 'xorshift':
      return [I.imm('srli', 't0', 'a0', o.shift), I.reg('xor', 'a0', 'a0', 't0')];
  }
}

/** Body of one function: leaves are frameless; callers spill ra/s0 and set up a frame pointer like a real prologue. */
function functionBody(k: SyntheticKernel, f: SyntheticFunction): KernelInsn[] {
  const alu = f.ops.flatMap(opInsns);
  const tail = I.imm('addi', 'a0', 'a0', f.tail);
  if (f.callees.length === 0) return [...alu, tail, I.ret()];
  return [
    I.imm('addi', 'sp', 'sp', -16),
    I.sd('ra', 8, 'sp'),
    I.sd('s0', 0, 'sp'),
    I.imm('addi', 's0', 'sp', 16),
    ...alu,
    ...f.callees.map((c) => I.call(k.functions[c]!.name)),
    tail,
    I.ld('ra', 8, 'sp'),
    I.ld('s0', 0, 'sp'),
    I.imm('addi', 'sp', 'sp', 16),
    I.ret(),
  ];
}

/** Function `i`'s body with its static-key site after the ALU part and its out-of-line block after the return. */
function bodyWithStaticKey(k: SyntheticKernel, i: number, b: PatchableTextBuilder): (string | KernelInsn)[] {
  const f = k.functions[i]!;
  const body: (string | KernelInsn)[] = functionBody(k, f);
  const key = k.staticKeys ? siteKeyOf(k.staticKeys, i) : null;
  if (key === null) return body;
  const s = staticKeySite(k.staticKeys!, i, key, b.layout.nopBytes === 2);
  const at = f.callees.length === 0 ? f.ops.flatMap(opInsns).length : 4 + f.ops.flatMap(opInsns).length; // after the prologue and ALU ops
  b.addJumpEntry(s.jumpEntry);
  return [...body.slice(0, at), ...s.site, ...body.slice(at), ...s.outOfLine];
}

/** Add the kernel's functions and its (notrace) driver to a sink (assembly text or machine code). */
export function emitSyntheticKernel(b: KernelSink, k: SyntheticKernel): void {
  if (k.staticKeys) {
    if (!('addJumpEntry' in b)) throw new WorkloadError('WORKLOAD_BAD_OPTION', 'staticKeys needs the assembly kernel path (kernelCode \'assembly\')');
    const text = b as unknown as PatchableTextBuilder;
    for (let key = 0; key < k.staticKeys.keys; key++) text.addDataWord(`static_key_${key}`, 0);
    text.addDataArray('static_key_hits', k.staticKeys.keys);
    k.functions.forEach((f, i) => text.addFunction(f.name, bodyWithStaticKey(k, i, text)));
  } else {
    for (const f of k.functions) b.addFunction(f.name, functionBody(k, f));
  }
  b.addNotraceFunction(KERNEL_RUN_SYMBOL, [
    I.imm('addi', 'sp', 'sp', -16),
    I.sd('ra', 8, 'sp'),
    ...k.graph.roots.map((r) => I.call(k.functions[r]!.name)),
    I.ld('ra', 8, 'sp'),
    I.imm('addi', 'sp', 'sp', 16),
    I.ret(),
  ]);
}

/** What synthetic_kernel_run(x) returns, computed on the host (the reference the guest run must match). */
export function expectedKernelResult(k: SyntheticKernel, x: bigint): bigint {
  const call = (i: number, v: bigint): bigint => {
    const f = k.functions[i]!;
    for (const o of f.ops) {
      switch (o.op) {
        case 'addi':
          v = (v + BigInt(o.imm)) & MASK;
          break;
        case 'xori':
          v = v ^ BigInt.asUintN(64, BigInt(o.imm));
          break;
        case 'mulshift':
          v = (v + ((v << BigInt(o.shift)) & MASK)) & MASK;
          break;
        case 'xorshift':
          v = v ^ (v >> BigInt(o.shift));
          break;
      }
    }
    for (const c of f.callees) v = call(c, v);
    return (v + BigInt(f.tail)) & MASK;
  };
  let v = BigInt.asUintN(64, x);
  for (const r of k.graph.roots) v = call(r, v);
  return v;
}
