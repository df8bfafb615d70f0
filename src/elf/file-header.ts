// ELF64 file header (Elf64_Ehdr): identification checks and the fields the rest of the reader needs.
import type { ByteReader } from './byte-reader.js';
import {
  EHDR_SIZE, ELF_MAGIC, ELFCLASS64, ELFDATA2LSB, EM_RISCV, ET_DYN, ET_EXEC, EV_CURRENT, PHDR_SIZE, SHDR_SIZE,
} from './constants.js';
import { ElfError } from './errors.js';

export interface FileHeader {
  type: 'exec' | 'dyn';
  entry: number;
  phoff: number;
  shoff: number;
  flags: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  /** e_shnum as stored (0 with shoff != 0 means "count in section 0's sh_size"). */
  shnum: number;
  /** e_shstrndx as stored (SHN_XINDEX means "index in section 0's sh_link"). */
  shstrndx: number;
}

export function readFileHeader(r: ByteReader): FileHeader {
  if (r.length < 4 || ELF_MAGIC.some((b, i) => r.u8(i) !== b)) {
    throw new ElfError('ELF_NOT_ELF', 'not an ELF file (missing \\x7fELF magic)');
  }
  if (r.length < EHDR_SIZE) {
    throw new ElfError('ELF_TRUNCATED', `ELF header truncated: file has ${r.length} bytes, the ELF64 header needs ${EHDR_SIZE}`);
  }
  const cls = r.u8(4);
  if (cls !== ELFCLASS64) {
    throw new ElfError('ELF_CLASS', `unsupported ELF class ${cls} (${cls === 1 ? 'ELF32' : 'invalid'}): only ELF64 is supported`);
  }
  const data = r.u8(5);
  if (data !== ELFDATA2LSB) {
    throw new ElfError('ELF_ENDIAN', `unsupported ELF data encoding ${data} (${data === 2 ? 'big-endian' : 'invalid'}): only little-endian is supported`);
  }
  if (r.u8(6) !== EV_CURRENT || r.u32(20) !== EV_CURRENT) {
    throw new ElfError('ELF_VERSION', `unsupported ELF version (ident ${r.u8(6)}, e_version ${r.u32(20)}): expected 1`);
  }
  const machine = r.u16(18);
  if (machine !== EM_RISCV) {
    throw new ElfError('ELF_MACHINE', `ELF machine ${machine} is not RISC-V (EM_RISCV = ${EM_RISCV})`);
  }
  const etype = r.u16(16);
  if (etype !== ET_EXEC && etype !== ET_DYN) {
    const name = etype === 1 ? 'a relocatable object (ET_REL)' : etype === 4 ? 'a core dump (ET_CORE)' : `type ${etype}`;
    throw new ElfError('ELF_TYPE', `ELF file is ${name}: only executables (ET_EXEC, static ET_DYN) can be loaded`);
  }
  const h: FileHeader = {
    type: etype === ET_EXEC ? 'exec' : 'dyn',
    entry: r.u64(24, 'e_entry'),
    phoff: r.u64(32, 'e_phoff'),
    shoff: r.u64(40, 'e_shoff'),
    flags: r.u32(48),
    phentsize: r.u16(54),
    phnum: r.u16(56),
    shentsize: r.u16(58),
    shnum: r.u16(60),
    shstrndx: r.u16(62),
  };
  const ehsize = r.u16(52);
  if (ehsize !== EHDR_SIZE) {
    throw new ElfError('ELF_BAD_HEADER', `e_ehsize is ${ehsize}, expected ${EHDR_SIZE} for ELF64`);
  }
  if (h.phnum > 0 && h.phentsize !== PHDR_SIZE) {
    throw new ElfError('ELF_BAD_HEADER', `e_phentsize is ${h.phentsize}, expected ${PHDR_SIZE} for ELF64`);
  }
  if ((h.shnum > 0 || h.shoff !== 0) && h.shentsize !== SHDR_SIZE) {
    throw new ElfError('ELF_BAD_HEADER', `e_shentsize is ${h.shentsize}, expected ${SHDR_SIZE} for ELF64`);
  }
  return h;
}
