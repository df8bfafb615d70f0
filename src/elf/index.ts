// Public API of the ELF layer: read (parseElf), write (writeElfExecutable), load (loadSegments), types and errors.
export { parseElf, type ParseElfOptions } from './reader.js';
export { writeElfExecutable } from './writer.js';
export { loadSegments } from './loader.js';
export { linuxAbiEvidence } from './linux-abi.js';
export { ElfError, type ElfErrorCode } from './errors.js';
export type * from './types.js';
