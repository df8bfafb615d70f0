// Run-loop handler numbers: the byte run() dispatches on, naming a decoded op together with its instruction length.
//
// An entry's E_OP is the semantic op (what step() and the decoder speak). E_HANDLER says which case of
// the hot loop runs it: the op itself for a 32-bit instruction, HC + op for a compressed one. Each
// case therefore advances ep by a constant (the next entry is not found through a load), which keeps
// the loop-carried chain through ep one add long. Ops without an inline case land in the switch's
// default and go to step(), so a new op (or a compressed form of one) is always correct, merely slow.
import { H_X, H_XSINK } from '../src/machine/layout';
import * as O from './ops';

export const E_HANDLER = 2; // u8 in the decode-cache entry (bytes 2..3 of the layout in ops.ts were unused)
export const H_DECODE: u32 = 0; // zeroed entry: not decoded yet (same value as OP_DECODE)
export const H_PAGE_END: u32 = O.OP_PAGE_END; // sentinel after a page's last entry
export const HC: u32 = 0x80; // compressed handlers: HC + op
const H_SLOW: u32 = 0xff; // no case: always the slow path
// specialised handlers (above HC + OP_FENCE, the last op with an inline case)
export const H_LI: u32 = 0xe0; // addi rd, x0, imm: rd = imm
export const HC_LI: u32 = 0xe1;
export const H_MV: u32 = 0xe2; // addi rd, rs1, 0 (32-bit mv): rd = rs1
export const HC_MV: u32 = 0xe3; // c.mv (add rd, x0, rs2): rd = rs2
export const H_BEQZ: u32 = 0xe4; // beq rs1, x0
export const HC_BEQZ: u32 = 0xe5;
export const H_BNEZ: u32 = 0xe6; // bne rs1, x0
export const HC_BNEZ: u32 = 0xe7;
export const H_J: u32 = 0xe8; // jal x0 (j, c.j), either length: no link
export const H_JR: u32 = 0xe9; // jalr x0 (jr, ret, c.jr), either length: no link
export const H_JIT: u32 = 0xea; // head of a compiled block (set by the host's block compiler; the entry is otherwise intact)
export const E_HEAT = 3; // u8 taken-branch arrivals at this entry (wraps): hot block heads are reported at JIT_HOT

/**
 * The i64 the hot loop reads instead of E_IMM (same bytes as E_IMM_RAM): imm - RAM base for loads/stores
 * (written by the decoder), page offset + imm for auipc and page offset + length (the link) for jal/jalr
 * (pc = page va + this), the sign-extended immediate for lui and the register-immediate ALU ops.
 */
export const E_WIDE = O.E_IMM_RAM;

/**
 * Completes a freshly decoded entry for the run loop: its handler byte (and, for pc-relative ops, E_PCREL).
 * hb: the owning hart's block (register fields are addresses in it); pc: the entry's guest pc; len: 2 or 4.
 */
export function stampHandler(ep: usize, hb: usize, pc: u64, len: u32): void {
  const op = <u32>load<u8>(ep, O.E_OP);
  let h = H_SLOW;
  if (op <= O.OP_FENCE) h = len == 2 ? HC + op : op;
  const c: u32 = len == 2 ? 1 : 0;
  const x0 = <u32>(hb + H_X);
  const rs1IsX0 = load<u32>(ep, O.E_RS1) == x0;
  const rs2IsX0 = load<u32>(ep, O.E_RS2) == x0;
  const rdIsX0 = load<u32>(ep, O.E_RD) == <u32>(hb + H_XSINK); // the decoder sends x0 writes to the sink slot
  if (op == O.OP_ADDI && rs1IsX0) h = H_LI + c;
  else if (op == O.OP_ADDI && load<i32>(ep, O.E_IMM) == 0 && c == 0) h = H_MV;
  else if (op == O.OP_ADD && rs1IsX0 && c == 1) h = HC_MV;
  else if (op == O.OP_BEQ && rs2IsX0) h = H_BEQZ + c;
  else if (op == O.OP_BNE && rs2IsX0) h = H_BNEZ + c;
  else if (op == O.OP_JAL && rdIsX0) h = H_J;
  else if (op == O.OP_JALR && rdIsX0) h = H_JR;
  store<u8>(ep, <u8>h, E_HANDLER);
  const off = <i64>(pc & 0xfff);
  const imm = <i64>load<i32>(ep, O.E_IMM);
  if (op == O.OP_AUIPC) store<i64>(ep, off + imm, E_WIDE);
  else if (op == O.OP_JAL || op == O.OP_JALR) store<i64>(ep, off + <i64>len, E_WIDE);
  else if (op == O.OP_LUI || (op >= O.OP_ADDI && op <= O.OP_SRAIW)) store<i64>(ep, imm, E_WIDE);
}

/** Entry advance of a sequential step over an instruction of len bytes (entries are 16 bytes per byte of code). */
export const ADV2: usize = 32;
export const ADV4: usize = 64;

// Compressed handlers with an inline case (every op decode16 produces that has a 32-bit inline case).
export const HC_ADD: u32 = HC + O.OP_ADD;
export const HC_ADDI: u32 = HC + O.OP_ADDI;
export const HC_ADDIW: u32 = HC + O.OP_ADDIW;
export const HC_ADDW: u32 = HC + O.OP_ADDW;
export const HC_AND: u32 = HC + O.OP_AND;
export const HC_ANDI: u32 = HC + O.OP_ANDI;
export const HC_BEQ: u32 = HC + O.OP_BEQ;
export const HC_BNE: u32 = HC + O.OP_BNE;
export const HC_JAL: u32 = HC + O.OP_JAL;
export const HC_JALR: u32 = HC + O.OP_JALR;
export const HC_LD: u32 = HC + O.OP_LD;
export const HC_LUI: u32 = HC + O.OP_LUI;
export const HC_LW: u32 = HC + O.OP_LW;
export const HC_OR: u32 = HC + O.OP_OR;
export const HC_SD: u32 = HC + O.OP_SD;
export const HC_SLLI: u32 = HC + O.OP_SLLI;
export const HC_SRAI: u32 = HC + O.OP_SRAI;
export const HC_SRLI: u32 = HC + O.OP_SRLI;
export const HC_SUB: u32 = HC + O.OP_SUB;
export const HC_SUBW: u32 = HC + O.OP_SUBW;
export const HC_SW: u32 = HC + O.OP_SW;
export const HC_XOR: u32 = HC + O.OP_XOR;
