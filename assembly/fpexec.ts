// F/D instruction execution (slow path): mstatus.FS gating, rounding-mode selection, NaN-boxing, fflags, FP loads/stores.
import { H_GEN } from '../src/machine/layout';
import { CAUSE_ILLEGAL } from './causes';
import { fpConvert, fpFromInt, fpToInt } from './fpconv';
import { fpClass, fpEq, fpLess, fpMinMax } from './fpcompare';
import { fpAdd, fpDiv, fpFma, fpMul, fpSqrt } from './fparith';
import { FMT_D, clearFlags, fpFlags } from './fpround';
import { C_FCSR, C_MSTATUS, MS_FS, getF, getX, retire, setF, setPc, setX } from './hart';
import { MEM_FAULT, MEM_HALT, MEM_OK, MEM_UART_FULL, memCause, memTval, memValue, virtLoad, virtStore } from './mem';
import { E_ADV, E_IMM, E_OP, E_RAW, E_RD, E_RS1, E_RS2, E_SHIFT, OP_FLD, OP_FLW, OP_FSD, OP_FSW } from './ops';
import { S_CTX, S_HALT, S_NEXT, S_STORM, S_TRAP, S_UART_FULL } from './step';
import { takeTrap } from './trap';

const BOX: u64 = 0xffffffff00000000;

@inline function fsOff(hb: usize): bool {
  return (load<u64>(hb + C_MSTATUS) & MS_FS) == 0;
}

@inline function markDirty(hb: usize): void {
  store<u64>(hb + C_MSTATUS, load<u64>(hb + C_MSTATUS) | MS_FS);
}

/** f register r as an operand of format fmt: a single that is not NaN-boxed reads as the canonical NaN. */
function readF(hb: usize, r: u32, fmt: u32): u64 {
  const v = getF(hb, r);
  if (fmt == FMT_D) return v;
  return (v & BOX) == BOX ? v & 0xffffffff : 0x7fc00000;
}

function writeF(hb: usize, r: u32, v: u64, fmt: u32): void {
  setF(hb, r, fmt == FMT_D ? v : v | BOX);
  markDirty(hb);
}

/** Accrues the flags the operation raised into fflags. */
function commitFlags(hb: usize): void {
  if (fpFlags == 0) return;
  store<u64>(hb + C_FCSR, load<u64>(hb + C_FCSR) | <u64>fpFlags);
  markDirty(hb);
}

/** The effective rounding mode for instruction bits raw (DYN reads frm), or 8 if it is reserved. */
function roundingMode(hb: usize, raw: u32): u32 {
  let rm = (raw >> 12) & 7;
  if (rm == 7) rm = <u32>(load<u64>(hb + C_FCSR) >> 5) & 7;
  return rm >= 5 ? 8 : rm;
}

function trapped(hb: usize, cause: u64, tval: u64, pc: u64, raw: u32): i32 {
  return (takeTrap(hb, cause, tval, pc, raw) ? S_STORM : S_TRAP) | S_CTX;
}

function retired(hb: usize, pc: u64, len: u32): i32 {
  setPc(hb, pc + <u64>len);
  retire(hb, 1);
  return S_NEXT;
}

function execLoadStore(hb: usize, op: u32, ep: usize, pc: u64, raw: u32, len: u32): i32 {
  const va = load<u64>(<usize>load<u32>(ep, E_RS1)) + <u64>load<i32>(ep, E_IMM);
  if (op == OP_FLW || op == OP_FLD) {
    const r = virtLoad(hb, va, op == OP_FLW ? 4 : 8);
    if (r != MEM_OK) return trapped(hb, memCause, memTval, pc, raw);
    store<u64>(<usize>load<u32>(ep, E_RD), op == OP_FLW ? memValue | BOX : memValue);
    markDirty(hb);
    return retired(hb, pc, len);
  }
  const gen = load<u32>(hb + H_GEN);
  const r = virtStore(hb, va, op == OP_FSW ? 4 : 8, load<u64>(<usize>load<u32>(ep, E_RS2)));
  if (r == MEM_FAULT) return trapped(hb, memCause, memTval, pc, raw);
  if (r == MEM_UART_FULL) return S_UART_FULL;
  retired(hb, pc, len);
  if (r == MEM_HALT) return S_HALT;
  return load<u32>(hb + H_GEN) != gen ? S_NEXT | S_CTX : S_NEXT;
}

const ILLEGAL: i32 = -1;

/** fmadd/fmsub/fnmsub/fnmadd */
function execFused(hb: usize, raw: u32): i32 {
  const fmt = (raw >> 25) & 3;
  if (fmt > FMT_D) return ILLEGAL;
  const rm = roundingMode(hb, raw);
  if (rm == 8) return ILLEGAL;
  const opc = raw & 0x7f;
  const negP: u64 = opc == 0x4b || opc == 0x4f ? 1 : 0;
  const negC: u64 = opc == 0x47 || opc == 0x4f ? 1 : 0;
  const a = readF(hb, (raw >> 15) & 31, fmt);
  const b = readF(hb, (raw >> 20) & 31, fmt);
  const c = readF(hb, raw >> 27, fmt);
  writeF(hb, (raw >> 7) & 31, fpFma(a, b, c, negP, negC, fmt, rm), fmt);
  return 0;
}

/** The OP-FP major opcode (0x53). */
function execOpFp(hb: usize, raw: u32): i32 {
  const fmt = (raw >> 25) & 3;
  if (fmt > FMT_D) return ILLEGAL;
  const f5 = raw >> 27;
  const f3 = (raw >> 12) & 7;
  const rd = (raw >> 7) & 31;
  const rs1 = (raw >> 15) & 31;
  const rs2 = (raw >> 20) & 31;
  const rm = roundingMode(hb, raw);
  switch (f5) {
    case 0x00: case 0x01: case 0x02: case 0x03: {
      if (rm == 8) return ILLEGAL;
      const a = readF(hb, rs1, fmt);
      let b = readF(hb, rs2, fmt);
      let v: u64 = 0;
      if (f5 == 0x02) v = fpMul(a, b, fmt, rm);
      else if (f5 == 0x03) v = fpDiv(a, b, fmt, rm);
      else {
        if (f5 == 0x01) b ^= <u64>1 << (fmt == FMT_D ? 63 : 31);
        v = fpAdd(a, b, fmt, rm);
      }
      writeF(hb, rd, v, fmt);
      return 0;
    }
    case 0x0b: {
      if (rs2 != 0 || rm == 8) return ILLEGAL;
      writeF(hb, rd, fpSqrt(readF(hb, rs1, fmt), fmt, rm), fmt);
      return 0;
    }
    case 0x04: {
      if (f3 > 2) return ILLEGAL;
      const sh: u64 = fmt == FMT_D ? 63 : 31;
      const a = readF(hb, rs1, fmt);
      const b = readF(hb, rs2, fmt);
      const sa = (a >> sh) & 1;
      const sb = (b >> sh) & 1;
      const s = f3 == 0 ? sb : f3 == 1 ? sb ^ 1 : sa ^ sb;
      writeF(hb, rd, (a & ~(<u64>1 << sh)) | (s << sh), fmt);
      return 0;
    }
    case 0x05: {
      if (f3 > 1) return ILLEGAL;
      writeF(hb, rd, fpMinMax(readF(hb, rs1, fmt), readF(hb, rs2, fmt), fmt, f3 == 1), fmt);
      return 0;
    }
    case 0x08: {
      if (rm == 8 || rs2 > FMT_D || rs2 == fmt) return ILLEGAL;
      writeF(hb, rd, fpConvert(readF(hb, rs1, rs2), rs2, fmt, rm), fmt);
      return 0;
    }
    case 0x14: {
      const a = readF(hb, rs1, fmt);
      const b = readF(hb, rs2, fmt);
      if (f3 == 2) setX(hb, rd, fpEq(a, b, fmt));
      else if (f3 <= 1) setX(hb, rd, fpLess(a, b, fmt, f3 == 0));
      else return ILLEGAL;
      return 0;
    }
    case 0x18: {
      if (rm == 8 || rs2 > 3) return ILLEGAL;
      setX(hb, rd, fpToInt(readF(hb, rs1, fmt), (rs2 & 1) == 0, rs2 < 2, fmt, rm));
      return 0;
    }
    case 0x1a: {
      if (rm == 8 || rs2 > 3) return ILLEGAL;
      writeF(hb, rd, fpFromInt(getX(hb, rs1), (rs2 & 1) == 0, rs2 < 2, fmt, rm), fmt);
      return 0;
    }
    case 0x1c: {
      if (rs2 != 0) return ILLEGAL;
      if (f3 == 0) {
        const v = getF(hb, rs1);
        setX(hb, rd, fmt == FMT_D ? v : <u64><i64><i32>v);
      } else if (f3 == 1) setX(hb, rd, fpClass(readF(hb, rs1, fmt), fmt));
      else return ILLEGAL;
      return 0;
    }
    case 0x1e: {
      if (rs2 != 0 || f3 != 0) return ILLEGAL;
      const v = getX(hb, rs1);
      writeF(hb, rd, fmt == FMT_D ? v : v & 0xffffffff, fmt);
      return 0;
    }
    default: return ILLEGAL;
  }
}

/** Executes one F/D instruction (decoded as OP_FLW..OP_FP) completely; returns a step() result. */
export function fpStep(hb: usize, ep: usize, pc: u64): i32 {
  const op = <u32>load<u8>(ep, E_OP);
  const raw = load<u32>(ep, E_RAW);
  const len = <u32>load<u8>(ep, E_ADV) >> E_SHIFT;
  if (fsOff(hb)) return trapped(hb, CAUSE_ILLEGAL, raw, pc, raw);
  if (op <= OP_FSD) return execLoadStore(hb, op, ep, pc, raw, len);
  clearFlags();
  const opc = raw & 0x7f;
  const r = opc == 0x53 ? execOpFp(hb, raw) : execFused(hb, raw);
  if (r == ILLEGAL) return trapped(hb, CAUSE_ILLEGAL, raw, pc, raw);
  commitFlags(hb);
  return retired(hb, pc, len);
}
