// Fault reports: human-readable text for a hart stopped in a trap storm.
import type { FaultReport } from './hart.js';

const CAUSES: Record<number, string> = {
  0: 'instruction address misaligned',
  1: 'instruction access fault',
  2: 'illegal instruction',
  3: 'breakpoint',
  4: 'load address misaligned',
  5: 'load access fault',
  6: 'store/AMO address misaligned',
  7: 'store/AMO access fault',
  8: 'environment call from U-mode',
  9: 'environment call from S-mode',
  11: 'environment call from M-mode',
  12: 'instruction page fault',
  13: 'load page fault',
  15: 'store/AMO page fault',
};

const INTERRUPTS: Record<number, string> = {
  1: 'supervisor software interrupt',
  3: 'machine software interrupt',
  5: 'supervisor timer interrupt',
  7: 'machine timer interrupt',
  9: 'supervisor external interrupt',
  11: 'machine external interrupt',
};

export function causeName(cause: bigint): string {
  const isInt = (cause >> 63n) === 1n;
  const code = Number(cause & 0xffn);
  return (isInt ? INTERRUPTS[code] : CAUSES[code]) ?? `cause ${code}${isInt ? ' (interrupt)' : ''}`;
}

const h = (v: bigint | number, w = 0): string => '0x' + v.toString(16).padStart(w, '0');

/** One-paragraph description of a trap storm. */
export function formatFault(f: FaultReport): string {
  return (
    `hart ${f.hart}: trap storm (no instruction retired between traps)\n` +
    `  last trap: ${causeName(f.cause)} (mcause ${h(f.cause)}) in ${f.mode}-mode\n` +
    `  pc ${h(f.pc, 16)}  insn ${h(f.insn, 8)}  tval ${h(f.tval, 16)}`
  );
}
