// The one-paragraph account of a Linux boot (outcome, instructions per hart, host time) shared by the boot verb and the page.
import type { BootResult } from './virt-board.js';

/** What ended the boot, in words. */
export function describeOutcome(r: BootResult): string {
  switch (r.outcome) {
    case 'poweroff': return 'the guest powered off';
    case 'fail': return `the guest reported failure (code ${r.exitCode})`;
    case 'reset': return 'the guest asked for a reset (the lab does not reboot)';
    case 'timeout': return 'host-time budget exhausted';
    case 'budget': return 'instruction budget exhausted';
    case 'idle': return 'every hart sleeps with no wake-up pending';
    default: return `fault on hart ${r.hart ?? '?'}`;
  }
}

/** "the guest powered off after N instructions (hart 0: N, ...), S s host" (without the verb's name). */
export function bootSummaryLine(r: BootResult): string {
  return `${describeOutcome(r)} after ${r.instructions.toLocaleString('en-US')} instructions ` +
    `(${r.harts.map((h, i) => `hart ${i}: ${h.instructions.toLocaleString('en-US')}`).join(', ')}), ${(r.hostMs / 1000).toFixed(2)} s host`;
}
