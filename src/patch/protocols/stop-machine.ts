// The pre-6.16 RISC-V way: stop_machine(__ftrace_modify_code, ..., cpu_online_mask); the last hart into the rendezvous stores the whole update while the others spin, then everyone runs fence.i.
import { u64le } from '../../ftrace/bytes.js';
import type { PatchPlan } from '../../ftrace/patch-plan.js';
import { MS_CPU_COUNT, MS_NUM_THREADS, MS_PATCHER, MS_STATE, MS_THREAD_ACK, MS_VECTOR, MS_VECTOR_LEN, MULTI_STOP_PREPARE, PV_ENTRY_SIZE } from '../../guest/patch-layout.js';
import { PatchError } from '../errors.js';
import { atomicPieces, globalSteps, insnSteps, literalSteps, publishSteps, teardownSteps, write, type PatchContext } from '../plan-steps.js';
import type { PatchStep } from '../steps.js';
import type { PatchProtocol } from './protocol.js';

/** The patch vector: one {addr, value, size} entry per single-copy-atomic store, in ftrace_modify_all_code order. */
function encodeVector(writes: readonly Extract<PatchStep, { op: 'write' }>[]): Uint8Array {
  const out = new Uint8Array(writes.length * PV_ENTRY_SIZE);
  const dv = new DataView(out.buffer);
  writes.forEach((w, i) => {
    const at = i * PV_ENTRY_SIZE;
    const value = new Uint8Array(8);
    value.set(w.bytes);
    dv.setBigUint64(at, BigInt(w.addr), true);
    dv.setBigUint64(at + 8, new DataView(value.buffer).getBigUint64(0, true), true);
    dv.setBigUint64(at + 16, BigInt(w.bytes.length), true);
  });
  return out;
}

/**
 * Data and list links are published first (outside the stop, as register_ftrace_function does); the globals, CALL_OPS
 * literals and site words go into a patch vector that the guest's multi_cpu_stop applies (src/guest/asm/ipi.ts):
 * set_state(PREPARE) (thread_ack reset, smp_wmb, state), an IPI to every online hart, wait until all have left the
 * rendezvous. The vector is freed at once (nobody reads it after the rendezvous); plan frees wait for a grace period
 * (a hart preempted inside a trampoline before the stop is still there after it).
 */
export class StopMachineProtocol implements PatchProtocol {
  readonly name = 'stop-machine';
  readonly summary = 'pre-6.16 RISC-V: every hart rendezvous in multi_cpu_stop, the last one writes the update, all run fence.i';
  readonly needsGuestHandlers = true;

  steps(plan: PatchPlan, ctx: PatchContext): PatchStep[] {
    const vectorWrites = [...globalSteps(plan, 'before-sites'), ...literalSteps(plan), ...insnSteps(plan), ...globalSteps(plan, 'after-sites')];
    return [...publishSteps(plan), ...stopMachineSteps(vectorWrites, ctx), ...teardownSteps(plan, ctx)];
  }
}

/**
 * stop_machine(__ftrace_modify_code) around `vectorWrites`: the patch vector, stop_machine_data, set_state(PREPARE),
 * an IPI to every hart, the wait until all left the rendezvous, and the free of the vector. No writes: no steps.
 */
export function stopMachineSteps(vectorWrites: readonly Extract<PatchStep, { op: 'write' }>[], ctx: PatchContext): PatchStep[] {
  if (vectorWrites.length === 0) return [];
  const port = ctx.port;
  if (!port) throw new PatchError('PATCH_UNSUPPORTED', 'stop-machine needs the guest runtime\'s stop_machine_data (a runtime with a trap vector)');
  for (const w of vectorWrites) {
    if (![1, 2, 4, 8].includes(w.bytes.length) || w.addr % w.bytes.length !== 0) {
      throw new PatchError('PATCH_BAD_STEP', `stop-machine: ${w.what} is not one aligned store`);
    }
  }
  const bytes = encodeVector(vectorWrites);
  const vec = ctx.heap.alloc(bytes.length, 8, 'stop_machine patch vector');
  const ms = (field: number, v: number, what: string) => write('control', `stop_machine_data.${what}`, port.msField(field), u64le(v));
  return [
    write('data', 'stop_machine patch vector', vec, bytes),
    ms(MS_VECTOR, vec, 'vector'),
    ms(MS_VECTOR_LEN, vectorWrites.length, 'vector_len'),
    ms(MS_NUM_THREADS, ctx.harts, 'num_threads'),
    ms(MS_CPU_COUNT, 0, 'cpu_count'),
    ms(MS_PATCHER, 0xffffffff, 'patcher'),
    ms(MS_THREAD_ACK, ctx.harts, 'thread_ack'),
    { op: 'fence', kind: 'w,w' },
    ms(MS_STATE, MULTI_STOP_PREPARE, 'state'),
    { op: 'fence', kind: 'w,o' },
    { op: 'ipi', request: 'stop-machine', harts: 'all' },
    { op: 'wait-ack', harts: 'all' },
    { op: 'free', what: 'stop_machine patch vector', addr: vec },
  ];
}
