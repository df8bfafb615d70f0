// Debugger breakpoints of a machine (gdb's Z0/Z1): one list in the control block that every hart's engine checks
// before it executes an address, so no ebreak bytes are ever written into guest memory or its decode caches.
import { MachineError, hex } from './errors.js';
import { CTRL_BASE, CTRL_BP_COUNT, CTRL_BP_LIST, MAX_BREAKPOINTS } from './layout.js';

export class BreakpointList {
  private readonly addrs: bigint[] = [];

  constructor(private readonly wasm: WebAssembly.Memory) {}

  /** Armed addresses (guest virtual), in insertion order. */
  list(): bigint[] {
    return [...this.addrs];
  }

  has(addr: number | bigint): boolean {
    return this.addrs.includes(BigInt.asUintN(64, BigInt(addr)));
  }

  /** Arms a breakpoint (every hart stops before executing addr); adding one twice is harmless. */
  add(addr: number | bigint): void {
    const a = BigInt.asUintN(64, BigInt(addr));
    if (this.addrs.includes(a)) return;
    if (this.addrs.length >= MAX_BREAKPOINTS) {
      throw new MachineError('MACHINE_BAD_ADDRESS', `no room for a breakpoint at ${hex(a)}: at most ${MAX_BREAKPOINTS} are armed at once`);
    }
    this.addrs.push(a);
    this.publish();
  }

  /** Disarms a breakpoint; false if none was armed at addr. */
  remove(addr: number | bigint): boolean {
    const i = this.addrs.indexOf(BigInt.asUintN(64, BigInt(addr)));
    if (i < 0) return false;
    this.addrs.splice(i, 1);
    this.publish();
    return true;
  }

  clear(): void {
    this.addrs.length = 0;
    this.publish();
  }

  /** Writes the list, then its length, into the control block (harts read it at the start of each run slice). */
  private publish(): void {
    const v = new DataView(this.wasm.buffer);
    this.addrs.forEach((a, i) => v.setBigUint64(CTRL_BASE + CTRL_BP_LIST + 8 * i, a, true));
    v.setUint32(CTRL_BASE + CTRL_BP_COUNT, this.addrs.length, true);
  }
}
