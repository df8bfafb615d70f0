// The few RISC-V instruction words ftrace sites need (nop, c.nop, auipc t0, jalr t0), until src/isa's encoder lands.
import { FtraceError, hexAddr } from './errors.js';

/** `addi x0, x0, 0` (RISCV_INSN_NOP4). */
export const NOP4 = 0x00000013;
/** `c.nop` (16-bit). */
export const C_NOP = 0x0001;

const OPC_AUIPC = 0x17;
const OPC_JALR = 0x67;
const REG_T0 = 5;

/** `auipc t0, imm20` (imm20 is the raw 20-bit field). */
export function auipcT0(imm20: number): number {
  return ((((imm20 & 0xfffff) << 12) | (REG_T0 << 7) | OPC_AUIPC) >>> 0);
}

/** `jalr t0, imm12(t0)` (imm12 is the raw 12-bit field; sign-extended when executed). */
export function jalrT0(imm12: number): number {
  return ((((imm12 & 0xfff) << 20) | (REG_T0 << 15) | (REG_T0 << 7) | OPC_JALR) >>> 0);
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
  const off = pairOffset(pc, target);
  return auipcT0(((off + 0x800) >> 12) & 0xfffff);
}

/** to_jalr_t0: the jalr word of an auipc+jalr pair whose auipc sits at `pc`, calling `target`. */
export function jalrT0For(pc: number, target: number): number {
  return jalrT0(pairOffset(pc, target) & 0xfff);
}

/** True when `jalrT0For(pc, target)` after the auipc word `auipc` really lands on `target`. */
export function auipcReaches(auipc: number, pc: number, target: number): boolean {
  return auipc === auipcT0For(pc, target);
}
