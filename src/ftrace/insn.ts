// The ftrace site's instruction words (nop, c.nop, auipc t0, jalr t0), built with the shared ISA encoder (src/isa).
import { cNop, encodeAuipc, encodeJalr, nop, splitHiLo } from '../isa/index.js';
import { FtraceError, hexAddr } from './errors.js';

/** `addi x0, x0, 0` (RISCV_INSN_NOP4). */
export const NOP4 = nop();
/** `c.nop` (16-bit). */
export const C_NOP = cNop();

/** `auipc t0, imm20` (imm20 is the raw 20-bit field). */
export function auipcT0(imm20: number): number {
  return encodeAuipc('t0', imm20 & 0xfffff) >>> 0;
}

/** Encoded `jalr t0, imm12(t0)` words by imm12 + 2048, filled on first use (every update re-encodes thousands). */
const jalrT0Words = new Float64Array(4096).fill(-1);

/** `jalr t0, imm12(t0)` (imm12 signed, -2048..2047). */
export function jalrT0(imm12: number): number {
  const i = imm12 + 2048;
  if (!Number.isInteger(imm12) || i < 0 || i >= 4096) return encodeJalr('t0', 't0', imm12) >>> 0; // the encoder reports it
  let w = jalrT0Words[i]!;
  if (w < 0) jalrT0Words[i] = w = encodeJalr('t0', 't0', imm12) >>> 0;
  return w;
}

/** Check that `target - pc` fits the ±2 GiB reach of an auipc+jalr pair. */
function pairOffset(pc: number, target: number): number {
  const off = target - pc;
  if (off < -0x80000000 || off > 0x7fffffff - 0x800) {
    throw new FtraceError('FTRACE_OUT_OF_REACH', `auipc+jalr at ${hexAddr(pc)} cannot reach ${hexAddr(target)}`);
  }
  return off;
}

/** to_auipc_t0: the auipc word of an auipc+jalr pair at `pc` calling `target` (hi part rounded for the signed lo). */
export function auipcT0For(pc: number, target: number): number {
  return auipcT0(splitHiLo(pairOffset(pc, target)).hi20);
}

/** The hi20 field of the auipc of an auipc+jalr pair at `pc` calling `target` (what a frozen auipc fixes). */
export function auipcHi20For(pc: number, target: number): number {
  return splitHiLo(pairOffset(pc, target)).hi20;
}

/** to_jalr_t0: the jalr word of an auipc+jalr pair whose auipc sits at `pc`, calling `target`. */
export function jalrT0For(pc: number, target: number): number {
  return jalrT0(splitHiLo(pairOffset(pc, target)).lo12);
}
