// Instruction decoder: turns raw RV64IMAC instruction bits (32-bit or compressed) into one decode-cache entry.
import { H_X, H_XSINK, RAM_GUEST_BASE } from '../src/machine/layout';
import {
  E_IMM, E_IMM_RAM, E_ADV, E_OP, E_RAW, E_RD, E_RS1, E_RS2, E_SHIFT,
  OP_ADD, OP_ADDI, OP_ADDIW, OP_ADDW, OP_AMO, OP_AND, OP_ANDI, OP_AUIPC, OP_BEQ, OP_BGE, OP_BGEU, OP_BLT,
  OP_BLTU, OP_BNE, OP_DIV, OP_DIVU, OP_DIVUW, OP_DIVW, OP_FENCE, OP_FENCE_I, OP_ILLEGAL, OP_JAL, OP_JALR,
  OP_LB, OP_LBU, OP_LD, OP_LH, OP_LHU, OP_LUI, OP_LW, OP_LWU, OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU,
  OP_MULW, OP_OR, OP_ORI, OP_REM, OP_REMU, OP_REMUW, OP_REMW, OP_SB, OP_SD, OP_SH, OP_SLL, OP_SLLI,
  OP_SLLIW, OP_SLLW, OP_SLT, OP_SLTI, OP_SLTIU, OP_SLTU, OP_SRA, OP_SRAI, OP_SRAIW, OP_SRAW, OP_SRL,
  OP_SRLI, OP_SRLIW, OP_SRLW, OP_SUB, OP_SUBW, OP_SW, OP_SYSTEM, OP_XOR, OP_XORI,
} from './ops';
import { H_F } from '../src/machine/layout';
import { OP_FLD, OP_FLW, OP_FP, OP_FSD, OP_FSW } from './ops';

const EBREAK_BITS: u32 = 0x00100073;

/** Hart block the entries being decoded belong to (register fields are absolute addresses in it). */
let decodeHart: usize = 0;

/** Sets the hart whose decode cache the next decode16/decode32 calls fill. */
export function decodeFor(hb: usize): void {
  decodeHart = hb;
}

@inline function put(ep: usize, op: u32, len: u32, rd: u32, rs1: u32, rs2: u32, imm: i32, raw: u32): void {
  const hb = decodeHart;
  store<u8>(ep, <u8>op, E_OP);
  store<u8>(ep, <u8>(len << E_SHIFT), E_ADV);
  store<u32>(ep, <u32>(rd == 0 ? hb + H_XSINK : hb + H_X + (<usize>rd << 3)), E_RD);
  store<u32>(ep, <u32>(hb + H_X + (<usize>rs1 << 3)), E_RS1);
  store<u32>(ep, <u32>(hb + H_X + (<usize>rs2 << 3)), E_RS2);
  store<i32>(ep, imm, E_IMM);
  store<u32>(ep, raw, E_RAW);
  store<i64>(ep, <i64>imm - <i64>RAM_GUEST_BASE, E_IMM_RAM);
}

/** An F/D load/store entry: like put, but rd (loads) and rs2 (stores) name f registers. */
function putF(ep: usize, op: u32, len: u32, frd: u32, rs1: u32, frs2: u32, imm: i32, raw: u32): void {
  put(ep, op, len, 0, rs1, 0, imm, raw);
  store<u32>(ep, <u32>(decodeHart + H_F + (<usize>frd << 3)), E_RD);
  store<u32>(ep, <u32>(decodeHart + H_F + (<usize>frs2 << 3)), E_RS2);
}

@inline function illegal(ep: usize, len: u32, raw: u32): void {
  put(ep, OP_ILLEGAL, len, 0, 0, 0, 0, raw);
}

/** Is this halfword the start of a 32-bit instruction? */
@inline export function isWide(half: u32): bool {
  return (half & 3) == 3;
}

/** Decodes a 32-bit instruction into the entry at ep. */
export function decode32(ep: usize, raw: u32): void {
  const opcode = raw & 0x7f;
  const rd = (raw >> 7) & 31;
  const f3 = (raw >> 12) & 7;
  const rs1 = (raw >> 15) & 31;
  const rs2 = (raw >> 20) & 31;
  const f7 = raw >> 25;
  const immI = <i32>raw >> 20;
  const immS = ((<i32>raw >> 25) << 5) | <i32>rd;
  const immB = ((<i32>raw >> 31) << 12) | <i32>((raw << 4) & 0x800) | <i32>((raw >> 20) & 0x7e0) | <i32>((raw >> 7) & 0x1e);
  const immU = <i32>(raw & 0xfffff000);
  const immJ = ((<i32>raw >> 31) << 20) | <i32>(raw & 0xff000) | <i32>((raw >> 9) & 0x800) | <i32>((raw >> 20) & 0x7fe);
  let op: u32 = OP_ILLEGAL;
  let imm: i32 = 0;
  switch (opcode) {
    case 0x37: op = OP_LUI; imm = immU; break;
    case 0x17: op = OP_AUIPC; imm = immU; break;
    case 0x6f: op = OP_JAL; imm = immJ; break;
    case 0x67: if (f3 == 0) { op = OP_JALR; imm = immI; } break;
    case 0x63: {
      imm = immB;
      if (f3 == 0) op = OP_BEQ; else if (f3 == 1) op = OP_BNE; else if (f3 == 4) op = OP_BLT;
      else if (f3 == 5) op = OP_BGE; else if (f3 == 6) op = OP_BLTU; else if (f3 == 7) op = OP_BGEU;
      break;
    }
    case 0x03: {
      imm = immI;
      if (f3 == 0) op = OP_LB; else if (f3 == 1) op = OP_LH; else if (f3 == 2) op = OP_LW;
      else if (f3 == 3) op = OP_LD; else if (f3 == 4) op = OP_LBU; else if (f3 == 5) op = OP_LHU;
      else if (f3 == 6) op = OP_LWU;
      break;
    }
    case 0x23: {
      imm = immS;
      if (f3 == 0) op = OP_SB; else if (f3 == 1) op = OP_SH; else if (f3 == 2) op = OP_SW; else if (f3 == 3) op = OP_SD;
      break;
    }
    case 0x13: {
      imm = immI;
      const top6 = raw >> 26;
      if (f3 == 0) op = OP_ADDI; else if (f3 == 2) op = OP_SLTI; else if (f3 == 3) op = OP_SLTIU;
      else if (f3 == 4) op = OP_XORI; else if (f3 == 6) op = OP_ORI; else if (f3 == 7) op = OP_ANDI;
      else if (f3 == 1) { if (top6 == 0) { op = OP_SLLI; imm = <i32>((raw >> 20) & 63); } }
      else if (f3 == 5) {
        if (top6 == 0) { op = OP_SRLI; imm = <i32>((raw >> 20) & 63); }
        else if (top6 == 0x10) { op = OP_SRAI; imm = <i32>((raw >> 20) & 63); }
      }
      break;
    }
    case 0x1b: {
      imm = immI;
      if (f3 == 0) op = OP_ADDIW;
      else if (f3 == 1) { if (f7 == 0) { op = OP_SLLIW; imm = <i32>rs2; } }
      else if (f3 == 5) {
        if (f7 == 0) { op = OP_SRLIW; imm = <i32>rs2; } else if (f7 == 0x20) { op = OP_SRAIW; imm = <i32>rs2; }
      }
      break;
    }
    case 0x33: {
      if (f7 == 0) {
        if (f3 == 0) op = OP_ADD; else if (f3 == 1) op = OP_SLL; else if (f3 == 2) op = OP_SLT;
        else if (f3 == 3) op = OP_SLTU; else if (f3 == 4) op = OP_XOR; else if (f3 == 5) op = OP_SRL;
        else if (f3 == 6) op = OP_OR; else op = OP_AND;
      } else if (f7 == 0x20) {
        if (f3 == 0) op = OP_SUB; else if (f3 == 5) op = OP_SRA;
      } else if (f7 == 1) {
        if (f3 == 0) op = OP_MUL; else if (f3 == 1) op = OP_MULH; else if (f3 == 2) op = OP_MULHSU;
        else if (f3 == 3) op = OP_MULHU; else if (f3 == 4) op = OP_DIV; else if (f3 == 5) op = OP_DIVU;
        else if (f3 == 6) op = OP_REM; else op = OP_REMU;
      }
      break;
    }
    case 0x3b: {
      if (f7 == 0) {
        if (f3 == 0) op = OP_ADDW; else if (f3 == 1) op = OP_SLLW; else if (f3 == 5) op = OP_SRLW;
      } else if (f7 == 0x20) {
        if (f3 == 0) op = OP_SUBW; else if (f3 == 5) op = OP_SRAW;
      } else if (f7 == 1) {
        if (f3 == 0) op = OP_MULW; else if (f3 == 4) op = OP_DIVW; else if (f3 == 5) op = OP_DIVUW;
        else if (f3 == 6) op = OP_REMW; else if (f3 == 7) op = OP_REMUW;
      }
      break;
    }
    case 0x0f: if (f3 == 0) op = OP_FENCE; else if (f3 == 1) op = OP_FENCE_I; break;
    case 0x73: op = OP_SYSTEM; imm = immI; break;
    case 0x2f: if (f3 == 2 || f3 == 3) op = OP_AMO; break;
    case 0x07: if (f3 == 2 || f3 == 3) { putF(ep, f3 == 2 ? OP_FLW : OP_FLD, 4, rd, rs1, 0, immI, raw); return; } break;
    case 0x27: if (f3 == 2 || f3 == 3) { putF(ep, f3 == 2 ? OP_FSW : OP_FSD, 4, 0, rs1, rs2, immS, raw); return; } break;
    case 0x43: case 0x47: case 0x4b: case 0x4f: case 0x53: op = OP_FP; break;
    default: break;
  }
  put(ep, op, 4, rd, rs1, rs2, imm, raw);
}

/** Sign-extends the low `bits` bits of v. */
@inline function sext(v: u32, bits: i32): i32 {
  return (<i32>(v << (32 - bits))) >> (32 - bits);
}

/** Decodes a 16-bit (RVC) instruction into the entry at ep as the equivalent base operation. */
export function decode16(ep: usize, raw: u32): void {
  const q = raw & 3;
  const f3 = (raw >> 13) & 7;
  const rdp = ((raw >> 2) & 7) + 8; // rd' / rs2' (bits 4:2)
  const rs1p = ((raw >> 7) & 7) + 8; // rs1' / rd' (bits 9:7)
  const rd = (raw >> 7) & 31;
  const rs2 = (raw >> 2) & 31;
  const imm6 = sext(((raw >> 7) & 0x20) | ((raw >> 2) & 0x1f), 6);
  if (raw == 0) { illegal(ep, 2, raw); return; }
  if (q == 0) {
    if (f3 == 0) {
      const nz = ((raw >> 7) & 0x30) | ((raw >> 1) & 0x3c0) | ((raw >> 4) & 4) | ((raw >> 2) & 8);
      if (nz == 0) { illegal(ep, 2, raw); return; }
      put(ep, OP_ADDI, 2, rdp, 2, 0, <i32>nz, raw);
    } else if (f3 == 2) {
      put(ep, OP_LW, 2, rdp, rs1p, 0, <i32>(((raw >> 7) & 0x38) | ((raw >> 4) & 4) | ((raw << 1) & 0x40)), raw);
    } else if (f3 == 1) {
      putF(ep, OP_FLD, 2, rdp, rs1p, 0, <i32>(((raw >> 7) & 0x38) | ((raw << 1) & 0xc0)), raw);
    } else if (f3 == 5) {
      putF(ep, OP_FSD, 2, 0, rs1p, rdp, <i32>(((raw >> 7) & 0x38) | ((raw << 1) & 0xc0)), raw);
    } else if (f3 == 3) {
      put(ep, OP_LD, 2, rdp, rs1p, 0, <i32>(((raw >> 7) & 0x38) | ((raw << 1) & 0xc0)), raw);
    } else if (f3 == 6) {
      put(ep, OP_SW, 2, 0, rs1p, rdp, <i32>(((raw >> 7) & 0x38) | ((raw >> 4) & 4) | ((raw << 1) & 0x40)), raw);
    } else if (f3 == 7) {
      put(ep, OP_SD, 2, 0, rs1p, rdp, <i32>(((raw >> 7) & 0x38) | ((raw << 1) & 0xc0)), raw);
    } else illegal(ep, 2, raw);
    return;
  }
  if (q == 1) {
    switch (f3) {
      case 0: put(ep, OP_ADDI, 2, rd, rd, 0, imm6, raw); return;
      case 1: if (rd == 0) break; put(ep, OP_ADDIW, 2, rd, rd, 0, imm6, raw); return;
      case 2: put(ep, OP_ADDI, 2, rd, 0, 0, imm6, raw); return;
      case 3: {
        if (rd == 2) {
          const v = ((raw >> 3) & 0x200) | ((raw >> 2) & 0x10) | ((raw << 1) & 0x40) | ((raw << 4) & 0x180) | ((raw << 3) & 0x20);
          if (v == 0) break;
          put(ep, OP_ADDI, 2, 2, 2, 0, sext(v, 10), raw);
          return;
        }
        if (imm6 == 0) break;
        put(ep, OP_LUI, 2, rd, 0, 0, imm6 << 12, raw);
        return;
      }
      case 4: {
        const f2 = (raw >> 10) & 3;
        const sh = <i32>(((raw >> 7) & 0x20) | ((raw >> 2) & 0x1f));
        if (f2 == 0) { put(ep, OP_SRLI, 2, rs1p, rs1p, 0, sh, raw); return; }
        if (f2 == 1) { put(ep, OP_SRAI, 2, rs1p, rs1p, 0, sh, raw); return; }
        if (f2 == 2) { put(ep, OP_ANDI, 2, rs1p, rs1p, 0, imm6, raw); return; }
        const f = (raw >> 5) & 3;
        if ((raw & 0x1000) == 0) {
          const ops: u32 = f == 0 ? OP_SUB : f == 1 ? OP_XOR : f == 2 ? OP_OR : OP_AND;
          put(ep, ops, 2, rs1p, rs1p, rdp, 0, raw);
          return;
        }
        if (f == 0) { put(ep, OP_SUBW, 2, rs1p, rs1p, rdp, 0, raw); return; }
        if (f == 1) { put(ep, OP_ADDW, 2, rs1p, rs1p, rdp, 0, raw); return; }
        break;
      }
      case 5: {
        const v = ((raw >> 1) & 0x800) | ((raw >> 7) & 0x10) | ((raw >> 1) & 0x300) | ((raw << 2) & 0x400) |
          ((raw >> 1) & 0x40) | ((raw << 1) & 0x80) | ((raw >> 2) & 0xe) | ((raw << 3) & 0x20);
        put(ep, OP_JAL, 2, 0, 0, 0, sext(v, 12), raw);
        return;
      }
      default: {
        const v = ((raw >> 4) & 0x100) | ((raw >> 7) & 0x18) | ((raw << 1) & 0xc0) | ((raw >> 2) & 6) | ((raw << 3) & 0x20);
        put(ep, f3 == 6 ? OP_BEQ : OP_BNE, 2, 0, rs1p, 0, sext(v, 9), raw);
        return;
      }
    }
    illegal(ep, 2, raw);
    return;
  }
  // quadrant 2
  switch (f3) {
    case 0: put(ep, OP_SLLI, 2, rd, rd, 0, <i32>(((raw >> 7) & 0x20) | ((raw >> 2) & 0x1f)), raw); return;
    case 2: {
      if (rd == 0) break;
      put(ep, OP_LW, 2, rd, 2, 0, <i32>(((raw >> 7) & 0x20) | ((raw >> 2) & 0x1c) | ((raw << 4) & 0xc0)), raw);
      return;
    }
    case 3: {
      if (rd == 0) break;
      put(ep, OP_LD, 2, rd, 2, 0, <i32>(((raw >> 7) & 0x20) | ((raw >> 2) & 0x18) | ((raw << 4) & 0x1c0)), raw);
      return;
    }
    case 4: {
      if ((raw & 0x1000) == 0) {
        if (rs2 == 0) {
          if (rd == 0) break;
          put(ep, OP_JALR, 2, 0, rd, 0, 0, raw);
        } else put(ep, OP_ADD, 2, rd, 0, rs2, 0, raw);
        return;
      }
      if (rs2 == 0) {
        if (rd == 0) put(ep, OP_SYSTEM, 2, 0, 0, 0, 1, EBREAK_BITS);
        else put(ep, OP_JALR, 2, 1, rd, 0, 0, raw);
        return;
      }
      put(ep, OP_ADD, 2, rd, rd, rs2, 0, raw);
      return;
    }
    case 1: putF(ep, OP_FLD, 2, rd, 2, 0, <i32>(((raw >> 7) & 0x20) | ((raw >> 2) & 0x18) | ((raw << 4) & 0x1c0)), raw); return;
    case 5: putF(ep, OP_FSD, 2, 0, 2, rs2, <i32>(((raw >> 7) & 0x38) | ((raw >> 1) & 0x1c0)), raw); return;
    case 6: put(ep, OP_SW, 2, 0, 2, rs2, <i32>(((raw >> 7) & 0x3c) | ((raw >> 1) & 0xc0)), raw); return;
    case 7: put(ep, OP_SD, 2, 0, 2, rs2, <i32>(((raw >> 7) & 0x38) | ((raw >> 1) & 0x1c0)), raw); return;
    default: break;
  }
  illegal(ep, 2, raw);
}
