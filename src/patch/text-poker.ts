// text_poke for the emulated machine: writes guest text/data so that aligned 2-, 4- and 8-byte stores are never torn.
import { readU32le } from '../ftrace/bytes.js';
import { PatchError } from './errors.js';
import type { GuestMemory } from '../machine/memory.js';

/** Guest memory as a protocol writes it. */
export interface TextWriter {
  read(addr: number, len: number): Uint8Array;
  /** Does guest memory at addr hold exactly these bytes? (No copy: the update path checks every old word.) */
  holds(addr: number, bytes: Uint8Array): boolean;
  /** One store: aligned 2-, 4- and 8-byte writes are single atomic stores; anything else is written bytewise. */
  write(addr: number, bytes: Uint8Array): void;
}

/** A TextWriter over a machine's GuestMemory: naturally aligned 2-, 4- and 8-byte writes are single atomic stores. */
export class TextPoker implements TextWriter {
  constructor(private readonly memory: GuestMemory) {}

  read(addr: number, len: number): Uint8Array {
    return this.memory.read(addr, len);
  }

  holds(addr: number, bytes: Uint8Array): boolean {
    return this.memory.equals(addr, bytes);
  }

  write(addr: number, bytes: Uint8Array): void {
    if (!this.memory.contains(addr, bytes.length)) {
      throw new PatchError('PATCH_OUTSIDE_RAM', `patch at 0x${addr.toString(16)}+${bytes.length} is outside guest RAM`);
    }
    // GuestMemory's sized writes are single atomic stores when naturally aligned: a hart never sees half a patch.
    if (bytes.length === 8 && addr % 8 === 0) {
      this.memory.writeU64(addr, new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
    } else if (bytes.length === 4 && addr % 4 === 0) {
      this.memory.writeU32(addr, readU32le(bytes));
    } else if (bytes.length === 2 && addr % 2 === 0) {
      this.memory.writeU16(addr, bytes[0]! | (bytes[1]! << 8));
    } else {
      this.memory.write(addr, bytes);
    }
  }
}
