// What every machine tells a guest at reset, as QEMU virt does: a0 = hartid, a1 = a device tree (in the boot ROM).
import type { Hart } from '../machine/hart.js';
import { BOOTROM_BASE } from '../machine/layout.js';
import { writeBootRom } from './board-io.js';
import { virtDtb } from './virt-dt.js';

/**
 * Puts the machine's device tree (harts, RAM, devices; see virt-dt.ts) into the boot ROM at BOOTROM_BASE. A bare-metal
 * guest learns the number of harts by counting /cpus/cpu@N (test/fixtures/baremetal/fdt.c does it in 50 lines of C).
 */
export function installBootInfo(wasm: WebAssembly.Memory, harts: number, ram: number): void {
  const key = `${harts}:${ram}`;
  let dtb = dtbs.get(key);
  if (!dtb) dtbs.set(key, (dtb = virtDtb({ harts, ram })));
  writeBootRom(wasm, dtb);
}

/** Device trees by (harts, RAM): machines of one shape (the checker makes hundreds a second) share one blob. */
const dtbs = new Map<string, Uint8Array>();

/** a0 = the hart's id, a1 = the device tree's address: the QEMU virt / OpenSBI boot convention. */
export function setBootRegisters(h: Hart): void {
  h.setX('a0', h.index);
  h.setX('a1', BOOTROM_BASE);
}
