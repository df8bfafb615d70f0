// What the guest runtime's unexpected-trap report means in lab terms: which hart trapped where, and whether it used memory a patch protocol had freed.
import type { FreedBlock, GuestHeap } from '../ftrace/guest-alloc.js';
import { hexAddr } from '../ftrace/errors.js';
import { PERCPU_TRAP_COUNT } from '../guest/percpu-layout.js';
import { percpuAddr } from '../guest/ring-buffer-reader.js';
import { causeName } from '../machine/fault.js';
import type { Machine } from '../machine/machine.js';

/** The all-ones poison pattern read back as a pointer. */
const POISON_POINTER = 0xffffffffffffffffn;

export interface LabTrapReport {
  readonly hart: number;
  readonly cause: bigint;
  readonly epc: number;
  readonly tval: bigint;
  /** Set when the trap is a use after free: the freed heap block and how it was used. */
  readonly freed?: { readonly block: FreedBlock; readonly how: 'executed' } | { readonly how: 'poisoned-pointer' };
  /** One sentence. */
  readonly message: string;
}

/**
 * The hart whose trap vector counted an unexpected trap (the guest exits with GUEST_TRAP_EXIT_CODE after reporting
 * it), read from its M-mode trap CSRs. A pc inside a freed heap block means it executed freed memory; an access
 * fault at the all-ones address means it followed a pointer it loaded from poisoned memory.
 */
export function unexpectedTrap(machine: Machine, percpu: number, harts: number, heap: GuestHeap): LabTrapReport | null {
  for (let h = 0; h < harts; h++) {
    if (machine.memory.readU64(percpuAddr(percpu, h) + PERCPU_TRAP_COUNT) === 0n) continue;
    const hart = machine.hart(h);
    const cause = hart.csr('mcause');
    const epc = Number(hart.csr('mepc'));
    const tval = hart.csr('mtval');
    const what = `hart ${h} took ${causeName(cause)} at ${hexAddr(epc)} (mtval ${hexAddr(Number(tval))})`;
    const block = heap.freedAt(epc);
    if (block) {
      return { hart: h, cause, epc, tval, freed: { block, how: 'executed' }, message: `${what}: it executed freed memory (${block.what}, ${block.size} bytes at ${hexAddr(block.addr)}, poisoned when freed)` };
    }
    if (tval === POISON_POINTER || tval === POISON_POINTER - 1n) {
      return { hart: h, cause, epc, tval, freed: { how: 'poisoned-pointer' }, message: `${what}: it used a pointer loaded from freed, poisoned memory` };
    }
    return { hart: h, cause, epc, tval, message: what };
  }
  return null;
}
