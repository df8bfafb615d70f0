// text_poke for the emulated machine: writes guest text/data so that aligned 4- and 8-byte stores are never torn.
import { PatchError } from './errors.js';
import type { TextWriter } from './protocol.js';
import { RAM_GUEST_BASE, RAM_WASM_BASE } from '../machine/layout.js';
import type { GuestMemory } from '../machine/memory.js';

/** A TextWriter over a machine's GuestMemory: an 8-aligned 8-byte write is one Atomics.store on a BigInt64Array. */
export class TextPoker implements TextWriter {
  constructor(private readonly memory: GuestMemory) {}

  read(addr: number, len: number): Uint8Array {
    return this.memory.read(addr, len);
  }

  write(addr: number, bytes: Uint8Array): void {
    if (!this.memory.contains(addr, bytes.length)) {
      throw new PatchError('PATCH_OUTSIDE_RAM', `patch at 0x${addr.toString(16)}+${bytes.length} is outside guest RAM`);
    }
    const off = RAM_WASM_BASE + (addr - RAM_GUEST_BASE);
    const buf = this.memory.wasm.buffer as ArrayBufferLike;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length === 8 && off % 8 === 0) {
      Atomics.store(new BigInt64Array(buf, off, 1), 0, dv.getBigInt64(0, true));
    } else if (bytes.length === 4 && off % 4 === 0) {
      Atomics.store(new Int32Array(buf, off, 1), 0, dv.getInt32(0, true));
    } else if (bytes.length === 2 && off % 2 === 0) {
      Atomics.store(new Int16Array(buf, off, 1), 0, dv.getInt16(0, true));
    } else {
      this.memory.write(addr, bytes);
    }
  }
}
