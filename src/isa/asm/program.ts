// The assembler's output (sections at addresses, symbols, entry) and its conversion to ELF and flat binary.
import { writeElfExecutable } from '../../elf/writer.js';
import type { ElfWriteInput } from '../../elf/types.js';

export interface AssembledSection {
  name: string;
  addr: number;
  /** Contents (empty for NOBITS sections such as .bss; see `size`). */
  data: Uint8Array;
  size: number;
  align: number;
  alloc: boolean;
  exec: boolean;
  write: boolean;
  nobits: boolean;
}

export interface AssembledSymbol {
  name: string;
  value: number;
  size: number;
  type: 'func' | 'object' | 'notype';
  binding: 'local' | 'global' | 'weak';
  /** Section the symbol is defined in; undefined for absolute symbols (.equ/.set constants). */
  section?: string;
}

export interface AssembledProgram {
  sections: AssembledSection[];
  symbols: AssembledSymbol[];
  /** `_start` if defined, else the start of .text. */
  entry: number;
  /** The -march string in effect at the start of the file. */
  march: string;
  /** Whether the C extension was enabled by -march (ELF e_flags EF_RISCV_RVC). */
  rvc: boolean;
}

/** A section by name, or undefined. */
export function findSection(prog: AssembledProgram, name: string): AssembledSection | undefined {
  return prog.sections.find((s) => s.name === name);
}

/** The bytes of .text, from its first address (what `-o prog.bin` writes). */
export function toFlatBinary(prog: AssembledProgram): Uint8Array {
  return findSection(prog, '.text')?.data ?? new Uint8Array(0);
}

/** An ELF64 executable of the program (e_flags has EF_RISCV_RVC when C is enabled). */
export function toElf(prog: AssembledProgram): Uint8Array {
  const input: ElfWriteInput = {
    entry: prog.entry,
    eFlags: prog.rvc ? 0x1 : 0x0,
    sections: prog.sections.map((s) => ({
      name: s.name,
      addr: s.addr,
      data: s.data,
      size: s.size,
      nobits: s.nobits,
      exec: s.exec,
      write: s.write,
      alloc: s.alloc,
      align: s.align,
    })),
    symbols: prog.symbols.map((s) => ({
      name: s.name,
      value: s.value,
      size: s.size,
      type: s.type,
      bind: s.binding,
      ...(s.section !== undefined ? { section: s.section } : {}),
    })),
  };
  return writeElfExecutable(input);
}
