// The RISC-V Linux kernel Image header (Documentation/arch/riscv/boot-image-header.rst): checks and sizes.
import { BoardError } from './errors.js';

export interface LinuxImageInfo {
  /** Offset from the start of RAM the Image wants (0x200000 on RV64). */
  textOffset: number;
  /** Bytes the kernel occupies once running (the file plus bss and early data). */
  imageSize: number;
  /** Header version (major << 16 | minor). */
  version: number;
}

const MAGIC2 = 0x05435352; // "RSC\x05"

/** Parses and checks an Image header; a file that is not a RISC-V Image raises BOARD_BAD_IMAGE. */
export function parseLinuxImage(bytes: Uint8Array, what = 'kernel Image'): LinuxImageInfo {
  if (bytes.length < 64) throw new BoardError('BOARD_BAD_IMAGE', `${what} is ${bytes.length} bytes: too short for a RISC-V Image header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) === 0x464c457f) {
    throw new BoardError('BOARD_BAD_IMAGE', `${what} is an ELF file: pass arch/riscv/boot/Image, not vmlinux`);
  }
  const magic = new TextDecoder().decode(bytes.subarray(0x30, 0x35));
  if (dv.getUint32(0x38, true) !== MAGIC2 && magic !== 'RISCV') {
    throw new BoardError('BOARD_BAD_IMAGE', `${what} has no RISC-V Image magic ("RSC\\x05" at 0x38)`);
  }
  const textOffset = Number(dv.getBigUint64(0x08, true));
  const imageSize = Number(dv.getBigUint64(0x10, true));
  if (imageSize < bytes.length || imageSize > 0x40000000 || textOffset > 0x40000000 || textOffset % 4096 !== 0) {
    throw new BoardError('BOARD_BAD_IMAGE', `${what} header is corrupt (text_offset ${textOffset}, image_size ${imageSize}, file ${bytes.length} bytes)`);
  }
  return { textOffset, imageSize, version: dv.getUint32(0x20, true) };
}
