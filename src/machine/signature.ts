// RISC-V architectural-test signatures (RISCOF / riscv-arch-test DUT): the memory between begin_signature and
// end_signature, one line per `granularity` bytes, as Spike's +signature and Sail's --test-signature write it.
import type { ElfImage } from '../elf/types.js';
import { MachineError } from './errors.js';
import type { GuestMemory } from './memory.js';

export const SIGNATURE_GRANULARITIES = [1, 2, 4, 8, 16] as const;
export type SignatureGranularity = (typeof SIGNATURE_GRANULARITIES)[number];

/** The signature region [begin, end) from the ELF's begin_signature and end_signature symbols. */
export function signatureRegion(image: ElfImage): { begin: number; end: number } {
  const find = (name: string): number => {
    const s = image.symbols.find((x) => x.name === name && x.shndx !== 0);
    if (!s) throw new MachineError('MACHINE_BAD_ADDRESS', `no '${name}' symbol in the ELF: --signature needs begin_signature and end_signature (RVMODEL_DATA_BEGIN / RVMODEL_DATA_END)`);
    return s.value;
  };
  const begin = find('begin_signature');
  const end = find('end_signature');
  if (end < begin) throw new MachineError('MACHINE_BAD_ADDRESS', `end_signature (0x${end.toString(16)}) lies below begin_signature (0x${begin.toString(16)})`);
  return { begin, end };
}

/**
 * Text of a signature: one line per `granularity` bytes, first line = lowest address; each line prints its bytes from
 * the highest address to the lowest (the little-endian word as a hex number), two lowercase digits per byte; a short
 * last line is padded with zero bytes, as Spike does.
 */
export function formatSignature(bytes: Uint8Array, granularity: SignatureGranularity = 4): string {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += granularity) {
    let line = '';
    for (let i = granularity - 1; i >= 0; i--) line += (bytes[off + i] ?? 0).toString(16).padStart(2, '0');
    lines.push(line);
  }
  return lines.map((l) => l + '\n').join('');
}

/** Reads the signature region of a loaded ELF from guest memory and formats it. */
export function readSignature(memory: GuestMemory, image: ElfImage, granularity: SignatureGranularity = 4): string {
  const { begin, end } = signatureRegion(image);
  return formatSignature(memory.read(begin, end - begin), granularity);
}
