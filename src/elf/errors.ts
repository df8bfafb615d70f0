// ELF errors: the one typed error the reader and writer raise for malformed files or bad writer input.
import { FtraceLabError } from '../errors.js';

/**
 * Codes: ELF_NOT_ELF, ELF_CLASS, ELF_ENDIAN, ELF_VERSION, ELF_MACHINE, ELF_TYPE, ELF_TRUNCATED,
 * ELF_BAD_HEADER, ELF_BAD_SEGMENT, ELF_OVERLAP, ELF_OUTSIDE_RAM, ELF_BAD_SECTION, ELF_BAD_SYMTAB,
 * ELF_BAD_STRTAB, ELF_NO_SEGMENTS, ELF_RANGE, ELF_BAD_INPUT (writer input).
 */
export type ElfErrorCode =
  | 'ELF_NOT_ELF'
  | 'ELF_CLASS'
  | 'ELF_ENDIAN'
  | 'ELF_VERSION'
  | 'ELF_MACHINE'
  | 'ELF_TYPE'
  | 'ELF_TRUNCATED'
  | 'ELF_BAD_HEADER'
  | 'ELF_BAD_SEGMENT'
  | 'ELF_OVERLAP'
  | 'ELF_OUTSIDE_RAM'
  | 'ELF_BAD_SECTION'
  | 'ELF_BAD_SYMTAB'
  | 'ELF_BAD_STRTAB'
  | 'ELF_NO_SEGMENTS'
  | 'ELF_RANGE'
  | 'ELF_BAD_INPUT';

/** A malformed ELF file (reader) or an unwritable description (writer). */
export class ElfError extends FtraceLabError {
  declare readonly code: ElfErrorCode;
  constructor(code: ElfErrorCode, message: string) {
    super(code, message);
  }
}

/** Hex formatting for error messages. */
export function hex(n: number): string {
  return '0x' + n.toString(16);
}
