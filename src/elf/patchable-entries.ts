// __patchable_function_entries: the linked table of absolute addresses of each function's first patchable NOP.
import type { ByteReader } from './byte-reader.js';
import { PATCHABLE_SECTION, SHT_NOBITS } from './constants.js';
import { ElfError, hex } from './errors.js';
import type { RawSection } from './section-headers.js';

/**
 * The u64 LE entries of every section named __patchable_function_entries, in file order.
 * Relocations against the section are ignored (in a linked executable the entries are absolute).
 */
export function readPatchableEntries(r: ByteReader, sections: RawSection[]): number[] {
  const out: number[] = [];
  for (const s of sections) {
    if (s.name !== PATCHABLE_SECTION || s.type === SHT_NOBITS) continue;
    if (s.size % 8 !== 0) {
      throw new ElfError('ELF_BAD_SECTION', `${PATCHABLE_SECTION} (section ${s.index}) size ${hex(s.size)} is not a multiple of 8`);
    }
    for (let at = s.offset; at < s.offset + s.size; at += 8) {
      out.push(r.u64(at, `${PATCHABLE_SECTION} entry ${(at - s.offset) / 8}`));
    }
  }
  return out;
}
