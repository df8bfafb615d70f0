// Run-loop handler numbers: the byte run() dispatches on, naming a decoded op together with its instruction length.
//
// An entry's E_OP is the semantic op (what step() and the decoder speak). E_HANDLER says which case of
// the hot loop runs it: the op itself for a 32-bit instruction, HC + op for a compressed one. Each
// case therefore advances ep by a constant (the next entry is not found through a load), which keeps
// the loop-carried chain through ep one add long. Ops without an inline case land in the switch's
// default and go to step(), so a new op (or a compressed form of one) is always correct, merely slow.
import * as O from './ops';

export const E_HANDLER = 2; // u8 in the decode-cache entry (bytes 2..3 of the layout in ops.ts were unused)
export const H_DECODE: u32 = 0; // zeroed entry: not decoded yet (same value as OP_DECODE)
export const H_PAGE_END: u32 = O.OP_PAGE_END; // sentinel after a page's last entry
export const HC: u32 = 0x80; // compressed handlers: HC + op
const H_SLOW: u32 = 0xff; // no case: always the slow path

/** The handler byte for a decoded op of len bytes (2 or 4). */
export function handlerFor(op: u32, len: u32): u32 {
  if (op >= HC) return H_SLOW;
  return len == 2 ? HC + op : op;
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
