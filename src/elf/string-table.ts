// ELF string tables (SHT_STRTAB): NUL-terminated names looked up by offset, and building one for the writer.
import type { ByteReader } from './byte-reader.js';
import { ElfError, hex } from './errors.js';

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** The NUL-terminated string at `offset` inside the string table section `table`. */
export function readString(r: ByteReader, table: { offset: number; size: number; index: number }, offset: number, what: string): string {
  if (offset >= table.size) {
    throw new ElfError('ELF_BAD_STRTAB', `${what}: offset ${hex(offset)} is outside its string table (section ${table.index}, ${hex(table.size)} bytes)`);
  }
  const start = table.offset + offset;
  const end = r.indexOfNul(start, table.offset + table.size);
  if (end < 0) {
    throw new ElfError('ELF_BAD_STRTAB', `${what}: string at offset ${hex(offset)} runs past the end of its string table (section ${table.index}) without a NUL`);
  }
  return decoder.decode(r.view(start, end - start));
}

/** Accumulates NUL-terminated names; offset 0 is the empty string. Identical names share one entry. */
export class StringTableBuilder {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private readonly offsets = new Map<string, number>([['', 0]]);
  private size = 1;

  add(name: string): number {
    const known = this.offsets.get(name);
    if (known !== undefined) return known;
    const bytes = encoder.encode(name);
    if (bytes.includes(0)) {
      throw new ElfError('ELF_BAD_INPUT', `name ${JSON.stringify(name)} contains a NUL character`);
    }
    const at = this.size;
    const entry = new Uint8Array(bytes.length + 1);
    entry.set(bytes);
    this.parts.push(entry);
    this.offsets.set(name, at);
    this.size += entry.length;
    return at;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
