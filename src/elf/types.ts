// ELF data model shared by the reader (parseElf) and the writer (writeElfExecutable).
// Addresses are JS numbers: every value is checked to be a safe integer (< 2^53).

/** One loadable segment (PT_LOAD) as the loader sees it. */
export interface ElfSegment {
  vaddr: number;
  paddr: number;
  /** p_filesz bytes copied from the file; bytes from filesz to memsz are zero-filled. */
  data: Uint8Array;
  memsz: number;
  /** PF_X = 1, PF_W = 2, PF_R = 4 */
  flags: number;
}

export type ElfSymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'other';
export type ElfSymbolBind = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: ElfSymbolType;
  bind: ElfSymbolBind;
  /** Section header index (0 = undefined, 0xfff1 = absolute). */
  shndx: number;
}

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
}

/** A parsed, validated ELF64 little-endian RISC-V executable. */
export interface ElfImage {
  type: 'exec' | 'dyn';
  entry: number;
  /** e_flags (EF_RISCV_RVC = 1, float ABI in bits 1-2). */
  eFlags: number;
  segments: ElfSegment[];
  sections: ElfSection[];
  /** Every symbol of .symtab (names from .strtab), in file order, without the null symbol 0. */
  symbols: ElfSymbol[];
  /** STT_FUNC symbols with a nonzero address, sorted by address. */
  functions: ElfSymbol[];
  /** Absolute addresses from __patchable_function_entries (first patchable NOP of each function). */
  patchableEntries: number[];
  tohost?: number;
  fromhost?: number;
  /** Program header table location in memory, if covered by a PT_LOAD (for AT_PHDR). */
  phdrAddr?: number;
  phnum: number;
  phentsize: number;
}

/** Input of the ELF writer: what an assembler or a test hands over. */
export interface ElfSectionInput {
  name: string; // '.text', '.data', '.bss', '__patchable_function_entries', ...
  addr: number;
  /** Contents; for NOBITS sections (.bss) give `size` and an empty array. */
  data: Uint8Array;
  size?: number;
  nobits?: boolean;
  exec?: boolean;
  write?: boolean;
  /** Allocated in memory (default true). Non-alloc sections get no segment. */
  alloc?: boolean;
  align?: number;
}

export interface ElfSymbolInput {
  name: string;
  value: number;
  size?: number;
  type?: 'func' | 'object' | 'notype';
  bind?: 'global' | 'local' | 'weak';
  /** Name of the section the symbol belongs to; omitted = absolute. */
  section?: string;
}

export interface ElfWriteInput {
  entry: number;
  sections: ElfSectionInput[];
  symbols: ElfSymbolInput[];
  /** e_flags; default EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_SOFT = 0x1. */
  eFlags?: number;
}
