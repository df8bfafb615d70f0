// Recognises a Linux-ABI executable (a program for `run --user`, not for the bare-metal board) from its ELF markers.
import { parseElf } from './reader.js';

const EI_OSABI = 7;
const ELFOSABI_LINUX = 3;
const SHT_NOTE = 7;

/**
 * Why `bytes` looks like a Linux program, or undefined: EI_OSABI = GNU/Linux, a `.note.ABI-tag` (glibc's GNU ABI
 * note), a `.interp` (a dynamic program), or glibc's start-up symbols (`__libc_start_main`).
 */
export function linuxAbiEvidence(bytes: Uint8Array): string | undefined {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return undefined;
  if (bytes[EI_OSABI] === ELFOSABI_LINUX) return 'its ELF header says OS/ABI GNU/Linux';
  let image;
  try {
    image = parseElf(bytes);
  } catch {
    return undefined;
  }
  if (image.sections.some((s) => s.name === '.note.ABI-tag' && s.type === SHT_NOTE)) return 'it carries a GNU ABI note (.note.ABI-tag)';
  if (image.sections.some((s) => s.name === '.interp')) return 'it asks for a program interpreter (.interp)';
  if (image.symbols.some((s) => s.name === '__libc_start_main')) return 'it is linked with a C library for Linux (__libc_start_main)';
  return undefined;
}
