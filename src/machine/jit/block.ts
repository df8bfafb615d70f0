// Reads a block from a hart's decode cache: the decoded entries from a hot head on, as the hart itself decoded them.
import { DC_ENTRIES, DC_SLOT_SIZE, DCACHE_BASE, DCACHE_PER_HART, H_X, H_XSINK, HART_BASE, HART_STATE_SIZE } from '../layout.js';

/** Decoded-op numbers of assembly/ops.ts that the block compiler translates (test/machine/jit.test.ts checks them). */
export const JOP = {
  LUI: 2, AUIPC: 3, ADDI: 4, SLTI: 5, SLTIU: 6, XORI: 7, ORI: 8, ANDI: 9, SLLI: 10, SRLI: 11, SRAI: 12, ADDIW: 13,
  SLLIW: 14, SRLIW: 15, SRAIW: 16, ADD: 17, SUB: 18, SLL: 19, SLT: 20, SLTU: 21, XOR: 22, SRL: 23, SRA: 24, OR: 25,
  AND: 26, ADDW: 27, SUBW: 28, SLLW: 29, SRLW: 30, SRAW: 31, MUL: 32, MULW: 40, JAL: 45, JALR: 46, BEQ: 47, BNE: 48,
  BLT: 49, BGE: 50, BLTU: 51, BGEU: 52, LB: 53, LH: 54, LW: 55, LD: 56, LBU: 57, LHU: 58, LWU: 59, SB: 60, SH: 61,
  SW: 62, SD: 63,
} as const;

/** Entry layout (assembly/ops.ts, assembly/dispatch.ts). */
export const ENTRY = { OP: 0, ADV: 1, HANDLER: 2, RD: 4, RS1: 8, RS2: 12, IMM: 16, RAW: 20, SHIFT: 4 } as const;
export const H_DECODE = 0;
export const H_PAGE_END = 1;
export const H_JIT = 0xea;

const COMPILED = new Set<number>(Object.values(JOP));

/** One decoded instruction of a block; registers are numbers (0 = x0; rd 0 = result discarded). */
export interface BlockInsn {
  op: number;
  /** Instruction length in bytes (2 or 4). */
  len: number;
  /** Page offset of the instruction. */
  off: number;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
}

export interface Block {
  hart: number;
  /** Wasm address of the head's decode-cache entry. */
  ep: number;
  insns: BlockInsn[];
}

/** Most instructions per block. */
export const MAX_BLOCK = 96;

/** Is op one the compiler translates? */
export function compilable(op: number): boolean {
  return COMPILED.has(op);
}

/** Page offset of the decode-cache entry at ep of hart's cache. */
export function entryPageOffset(hart: number, ep: number): number {
  const rel = ep - (DCACHE_BASE + hart * DCACHE_PER_HART + DC_ENTRIES);
  return (rel % DC_SLOT_SIZE) >> ENTRY.SHIFT;
}

/**
 * The block that starts at entry ep of hart's decode cache: decoded entries in sequence while they are compilable,
 * ending after a jal/jalr, before an entry not decoded yet, a slow-path op or the page end, or at MAX_BLOCK.
 */
export function readBlock(mem: DataView, hart: number, ep: number): Block {
  const hb = HART_BASE + hart * HART_STATE_SIZE;
  const reg = (addr: number): number => {
    const r = (addr - hb - H_X) >> 3;
    return r === H_XSINK >> 3 ? 0 : r;
  };
  const insns: BlockInsn[] = [];
  let off = entryPageOffset(hart, ep);
  let at = ep;
  while (insns.length < MAX_BLOCK && off < 0x1000) {
    const handler = mem.getUint8(at + ENTRY.HANDLER);
    if (handler === H_DECODE || handler === H_PAGE_END) break;
    const op = mem.getUint8(at + ENTRY.OP);
    if (!compilable(op)) break;
    const len = mem.getUint8(at + ENTRY.ADV) >> ENTRY.SHIFT;
    insns.push({
      op,
      len,
      off,
      rd: reg(mem.getUint32(at + ENTRY.RD, true)),
      rs1: reg(mem.getUint32(at + ENTRY.RS1, true)),
      rs2: reg(mem.getUint32(at + ENTRY.RS2, true)),
      imm: mem.getInt32(at + ENTRY.IMM, true),
    });
    if (op === JOP.JAL || op === JOP.JALR) break;
    off += len;
    at += len << ENTRY.SHIFT;
  }
  return { hart, ep, insns };
}

/** What makes two blocks compile to the same code: the head's page offset and every instruction's fields. */
export function blockKey(b: Block): string {
  const first = b.insns[0]!.off;
  return `${first}|` + b.insns.map((i) => `${i.op},${i.len},${i.rd},${i.rs1},${i.rs2},${i.imm}`).join(';');
}
