// Writer's .symtab/.strtab: the null symbol, then locals, then globals (sh_info = index of the first global).
import { ByteWriter } from './byte-writer.js';
import { SHN_ABS, STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FUNC, STT_NOTYPE, STT_OBJECT, SYM_SIZE } from './constants.js';
import type { PlannedSection } from './segment-plan.js';
import { StringTableBuilder } from './string-table.js';
import type { ElfSymbolInput } from './types.js';

export interface BuiltSymbolTable {
  symbols: Uint8Array;
  strings: Uint8Array;
  firstGlobal: number;
}

const BIND = { local: STB_LOCAL, global: STB_GLOBAL, weak: STB_WEAK } as const;
const TYPE = { func: STT_FUNC, object: STT_OBJECT, notype: STT_NOTYPE } as const;

/** Symbols are validated by validateWriteInput (known section, safe values). */
export function buildSymbolTable(input: ElfSymbolInput[], sections: PlannedSection[]): BuiltSymbolTable {
  const indexOf = new Map(sections.map((s) => [s.name, s.index]));
  const locals = input.filter((s) => (s.bind ?? 'global') === 'local');
  const globals = input.filter((s) => (s.bind ?? 'global') !== 'local');
  const ordered = [...locals, ...globals];
  const strtab = new StringTableBuilder();
  const out = new ByteWriter((ordered.length + 1) * SYM_SIZE);
  ordered.forEach((sym, i) => {
    const at = (i + 1) * SYM_SIZE;
    out.u32(at, strtab.add(sym.name));
    out.u8(at + 4, (BIND[sym.bind ?? 'global'] << 4) | TYPE[sym.type ?? 'notype']);
    out.u16(at + 6, sym.section === undefined ? SHN_ABS : indexOf.get(sym.section)!);
    out.u64(at + 8, sym.value);
    out.u64(at + 16, sym.size ?? 0);
  });
  return { symbols: out.bytes, strings: strtab.bytes(), firstGlobal: locals.length + 1 };
}
