// ELF64 symbol table (.symtab, Elf64_Sym): symbols with names from the linked string table.
import type { ByteReader } from './byte-reader.js';
import { STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FILE, STT_FUNC, STT_NOTYPE, STT_OBJECT, STT_SECTION, SHT_STRTAB, SHT_SYMTAB, SYM_SIZE } from './constants.js';
import { ElfError, hex } from './errors.js';
import type { RawSection } from './section-headers.js';
import { readString } from './string-table.js';
import type { ElfSymbol, ElfSymbolBind, ElfSymbolType } from './types.js';

const TYPES: Record<number, ElfSymbolType> = {
  [STT_NOTYPE]: 'notype', [STT_OBJECT]: 'object', [STT_FUNC]: 'func', [STT_SECTION]: 'section', [STT_FILE]: 'file',
};
const BINDS: Record<number, ElfSymbolBind> = { [STB_LOCAL]: 'local', [STB_GLOBAL]: 'global', [STB_WEAK]: 'weak' };

/** Every symbol of the first SHT_SYMTAB section, in file order (the null symbol 0 is skipped). */
export function readSymbols(r: ByteReader, sections: RawSection[]): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return [];
  if (symtab.entsize !== SYM_SIZE) {
    throw new ElfError('ELF_BAD_SYMTAB', `symbol table (section ${symtab.index}) has entry size ${symtab.entsize}, expected ${SYM_SIZE}`);
  }
  if (symtab.size % SYM_SIZE !== 0) {
    throw new ElfError('ELF_BAD_SYMTAB', `symbol table (section ${symtab.index}) size ${hex(symtab.size)} is not a multiple of ${SYM_SIZE}`);
  }
  const strtab = sections[symtab.link];
  if (symtab.link === 0 || !strtab || strtab.type !== SHT_STRTAB) {
    throw new ElfError('ELF_BAD_SYMTAB', `symbol table (section ${symtab.index}) links to section ${symtab.link}, which is not a string table`);
  }
  const count = symtab.size / SYM_SIZE;
  const out: ElfSymbol[] = [];
  for (let i = 1; i < count; i++) {
    const at = symtab.offset + i * SYM_SIZE;
    const info = r.u8(at + 4);
    out.push({
      name: readString(r, strtab, r.u32(at), `name of symbol ${i}`),
      value: r.u64(at + 8, `value of symbol ${i}`),
      size: r.u64(at + 16, `size of symbol ${i}`),
      type: TYPES[info & 0xf] ?? 'other',
      bind: BINDS[info >> 4] ?? 'other',
      shndx: r.u16(at + 6),
    });
  }
  return out;
}

/** STT_FUNC symbols with a nonzero address, sorted by address (then name, for a stable order). */
export function functionSymbols(symbols: ElfSymbol[]): ElfSymbol[] {
  return symbols
    .filter((s) => s.type === 'func' && s.value !== 0)
    .sort((a, b) => a.value - b.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The address of the named symbol; a global definition wins over a local one. */
export function symbolAddress(symbols: ElfSymbol[], name: string): number | undefined {
  const named = symbols.filter((s) => s.name === name && s.shndx !== 0);
  return (named.find((s) => s.bind !== 'local') ?? named[0])?.value;
}
