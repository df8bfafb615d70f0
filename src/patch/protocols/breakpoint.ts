// Breakpoint-based patching (x86 text_poke_bp_batch, RISC-V encodings): c.ebreak into each site's first parcel, sync, the rest, sync, the first parcel, sync.
import { u16le, u64le } from '../../ftrace/bytes.js';
import type { PatchPlan } from '../../ftrace/patch-plan.js';
import { TP_NR, TP_VEC, TPE_ADDR, TPE_INSN, TPE_LEN, TPE_SIZE } from '../../guest/patch-layout.js';
import { decode, encodeRow, expandCompressed } from '../../isa/index.js';
import { PatchError } from '../errors.js';
import { globalSteps, insnWords, ipiRoundTrip, literalSteps, publishSteps, teardownSteps, write, type InsnWord, type PatchContext } from '../plan-steps.js';
import type { PatchStep } from '../steps.js';
import type { PatchProtocol } from './protocol.js';

/** c.ebreak: the 16-bit breakpoint that fits any site's first parcel (x86's 1-byte int3). */
export const C_EBREAK = 0x9002;

/** The new instruction as the guest handler emulates it: 32-bit form and length. */
function emulated(w: InsnWord): { insn: number; len: number } {
  const lo = w.new[0]! | (w.new[1]! << 8);
  if ((lo & 3) !== 3) {
    const d = decode(lo);
    if (!d) throw new PatchError('PATCH_BAD_STEP', `breakpoint: ${w.what}: new parcel 0x${lo.toString(16)} is not a valid compressed instruction`);
    const full = expandCompressed(d);
    return { insn: encodeRow(full.row, full.fields).word >>> 0, len: 2 };
  }
  if (w.new.length !== 4) throw new PatchError('PATCH_BAD_STEP', `breakpoint: ${w.what}: a 32-bit instruction needs a 4-byte word`);
  return { insn: (lo | (w.new[2]! << 16) | (w.new[3]! << 24)) >>> 0, len: 4 };
}

function encodeTable(words: readonly InsnWord[]): Uint8Array {
  const sorted = [...words].sort((a, b) => a.addr - b.addr);
  const out = new Uint8Array(sorted.length * TPE_SIZE);
  const dv = new DataView(out.buffer);
  sorted.forEach((w, i) => {
    const { insn, len } = emulated(w);
    dv.setBigUint64(i * TPE_SIZE + TPE_ADDR, BigInt(w.addr), true);
    dv.setUint32(i * TPE_SIZE + TPE_INSN, insn, true);
    dv.setUint32(i * TPE_SIZE + TPE_LEN, len, true);
  });
  return out;
}

/**
 * text_poke_bp_batch in RISC-V form. Data, links, the first globals and the CALL_OPS literals land first (they are
 * data: a site that still runs the old word then calls a valid literal). The descriptor vector (each site's new
 * instruction, sorted) is published in text_poke_array; then, over all sites at once: c.ebreak into the first parcel,
 * sync; the rest of each new word, sync; the new first parcel, sync — every sync an IPI that runs fence.i on every
 * hart and waits for all (on RISC-V a hart only sees new text after its own fence.i). A hart that reaches a site in
 * between traps into text_poke_bp_handler, which emulates the NEW instruction; so every execution of a site is the
 * old word, the emulated new one, or the new word. Then the vector is retracted and freed (all harts acknowledged the
 * last sync after any handler run), the last globals land, and plan frees wait for a grace period.
 */
export class BreakpointProtocol implements PatchProtocol {
  readonly name = 'breakpoint';
  readonly summary = 'x86 text_poke_bp idea: c.ebreak into each site, sync, write the rest, sync, write the first parcel, sync';
  readonly needsGuestHandlers = true;

  steps(plan: PatchPlan, ctx: PatchContext): PatchStep[] {
    const words = insnWords(plan);
    const head = [...publishSteps(plan), ...globalSteps(plan, 'before-sites'), ...literalSteps(plan)];
    const tail = [...globalSteps(plan, 'after-sites'), ...teardownSteps(plan, ctx)];
    if (words.length === 0) return [...head, ...tail];
    const table = breakpointTable(words, ctx);
    const sync = ipiRoundTrip('fence.i');
    return [
      ...head,
      ...table.publish,
      ...plantBreakpoints(words),
      ...sync,
      ...writeRest(words),
      ...sync,
      ...writeFirstParcels(words),
      ...sync,
      ...table.retract,
      ...tail,
    ];
  }
}

/** text_poke_array: the sorted descriptor vector published before any c.ebreak lands, and its retraction and free. */
export function breakpointTable(words: readonly InsnWord[], ctx: PatchContext): { publish: PatchStep[]; retract: PatchStep[] } {
  const port = ctx.port;
  if (!port) throw new PatchError('PATCH_UNSUPPORTED', 'breakpoint needs the guest runtime\'s text_poke_bp handler (a runtime with a trap vector)');
  if (words.length === 0) return { publish: [], retract: [] };
  const table = encodeTable(words);
  const vec = ctx.heap.alloc(table.length, 8, 'text_poke_bp descriptor vector');
  const tpa = port.symbols.text_poke_array;
  return {
    publish: [
      write('data', 'text_poke_bp descriptor vector', vec, table),
      write('control', 'text_poke_array.nr_entries', tpa + TP_NR, u64le(words.length)),
      { op: 'fence', kind: 'w,w' },
      write('control', 'text_poke_array.vec', tpa + TP_VEC, u64le(vec)),
      { op: 'fence', kind: 'w,w' },
    ],
    retract: [
      write('control', 'text_poke_array.vec', tpa + TP_VEC, u64le(0)),
      write('control', 'text_poke_array.nr_entries', tpa + TP_NR, u64le(0)),
      { op: 'free', what: 'text_poke_bp descriptor vector', addr: vec },
    ],
  };
}

/** c.ebreak into the first parcel of every word. */
export function plantBreakpoints(words: readonly InsnWord[]): PatchStep[] {
  return words.map((w) => write('site-parcel0', w.what, w.addr, u16le(C_EBREAK), w.old.subarray(0, 2)));
}

/** Every byte of each new word after its first parcel. */
export function writeRest(words: readonly InsnWord[]): PatchStep[] {
  return words.filter((w) => w.new.length > 2).map((w) => write('site-rest', w.what, w.addr + 2, w.new.subarray(2), w.old.subarray(2)));
}

/** The new first parcel over each c.ebreak. */
export function writeFirstParcels(words: readonly InsnWord[]): PatchStep[] {
  return words.map((w) => write('site-parcel0', w.what, w.addr, w.new.subarray(0, 2), u16le(C_EBREAK)));
}
