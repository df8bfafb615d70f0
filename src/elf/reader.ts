// parseElf: turns the bytes of an ELF64 LE RISC-V executable into a validated ElfImage (or an ElfError).
import { ByteReader } from './byte-reader.js';
import { ElfError } from './errors.js';
import { readFileHeader } from './file-header.js';
import { readPatchableEntries } from './patchable-entries.js';
import { loadableSegments, programHeaderAddress, readProgramHeaders } from './program-headers.js';
import { readSectionHeaders, toElfSection } from './section-headers.js';
import { functionSymbols, readSymbols, symbolAddress } from './symbols.js';
import type { ElfImage } from './types.js';

export interface ParseElfOptions {
  /** Guest RAM: when given, every non-empty PT_LOAD must lie inside [base, base + size) (checked on p_vaddr, where loadSegments places it). */
  ram?: { base: number; size: number };
}

export function parseElf(bytes: Uint8Array, opts: ParseElfOptions = {}): ElfImage {
  if (!(bytes instanceof Uint8Array)) {
    throw new ElfError('ELF_NOT_ELF', 'not an ELF file: expected the file contents as a Uint8Array');
  }
  checkRam(opts.ram);
  const r = new ByteReader(bytes);
  const header = readFileHeader(r);
  const phdrs = readProgramHeaders(r, header);
  const sections = readSectionHeaders(r, header);
  const segments = loadableSegments(r, phdrs, opts.ram);
  const symbols = readSymbols(r, sections);
  const image: ElfImage = {
    type: header.type,
    entry: header.entry,
    eFlags: header.flags,
    segments,
    sections: sections.map(toElfSection),
    symbols,
    functions: functionSymbols(symbols),
    patchableEntries: readPatchableEntries(r, sections),
    phnum: header.phnum,
    phentsize: header.phentsize,
  };
  const tohost = symbolAddress(symbols, 'tohost');
  const fromhost = symbolAddress(symbols, 'fromhost');
  const phdrAddr = programHeaderAddress(phdrs, header);
  if (tohost !== undefined) image.tohost = tohost;
  if (fromhost !== undefined) image.fromhost = fromhost;
  if (phdrAddr !== undefined) image.phdrAddr = phdrAddr;
  return image;
}

function checkRam(ram: ParseElfOptions['ram']): void {
  if (ram === undefined) return;
  const ok = typeof ram === 'object' && ram !== null && Number.isSafeInteger(ram.base) && Number.isSafeInteger(ram.size) &&
    ram.base >= 0 && ram.size >= 0 && Number.isSafeInteger(ram.base + ram.size);
  if (!ok) {
    throw new ElfError('ELF_RANGE', 'opts.ram must be { base, size } with non-negative safe integers');
  }
}
