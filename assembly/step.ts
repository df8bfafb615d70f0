// Slow-path executor: runs one decoded instruction that the hot loop hands over (full loads/stores, AMO/LR/SC, SYSTEM, fence.i, illegal).
import { H_GEN, H_RESV, H_RESV_VAL, H_X } from '../src/machine/layout';
import {
  ACC_LOAD, ACC_STORE, CAUSE_BREAKPOINT, CAUSE_ECALL_M, CAUSE_ECALL_S, CAUSE_ECALL_U, CAUSE_ILLEGAL,
  CAUSE_LOAD_ACCESS, CAUSE_LOAD_MISALIGNED, CAUSE_STORE_ACCESS, CAUSE_STORE_MISALIGNED,
} from './causes';
import { csrAccessible, csrContextChanged, csrRead, csrValue, csrWrite, csrWroteCycle, csrWroteInstret } from './csr';
import {
  C_MCOUNTINHIBIT, C_MSTATUS, MS_TSR, MS_TVM, MS_TW, PRIV_M, PRIV_S, PRIV_U, getPriv, getX, retire, setPc, setX,
} from './hart';
import { H_CYCLE, H_INSTRET, H_RETIRED } from '../src/machine/layout';
import { MEM_FAULT, MEM_HALT, MEM_OK, MEM_UART_FULL, dataAddr, memCause, memTval, memValue, ramAddr, virtLoad, virtStore } from './mem';
import { TRANSLATE_FAIL, tlbFlush } from './mmu';
import {
  E_IMM, E_ADV, E_SHIFT, E_OP, E_RAW, E_RD, E_RS1, E_RS2, OP_AMO, OP_FENCE_I, OP_LB, OP_LBU, OP_LD, OP_LH, OP_LHU, OP_LW,
  OP_LWU, OP_SB, OP_SD, OP_SH, OP_SW, OP_SYSTEM,
} from './ops';
import { currentMip, mret, sret, takeTrap } from './trap';
import { fpStep } from './fpexec';
import { watchEvent, watching } from './watch';
import { WATCH_ECALL, WATCH_FENCE_I, WEV_ECALL, WEV_FENCE_I } from '../src/machine/layout';
import { OP_FLW, OP_FP } from './ops';
import { C_MIE, C_MIP } from './hart';

// step() results (low byte) and flags
export const S_NEXT: i32 = 0; // retired; H_PC is the next pc
export const S_TRAP: i32 = 1; // trap taken; H_PC is the handler
export const S_STORM: i32 = 2; // trap taken and the trap-storm limit was reached
export const S_HALT: i32 = 3; // retired, and the guest wrote an exit value to tohost
export const S_WFI: i32 = 4; // retired wfi with nothing pending
export const S_UART_FULL: i32 = 5; // not retired: UART ring full
export const S_CTX: i32 = 0x100; // privilege / translation / interrupt state may have changed

function trap(hb: usize, cause: u64, tval: u64, pc: u64, raw: u32): i32 {
  return (takeTrap(hb, cause, tval, pc, raw) ? S_STORM : S_TRAP) | S_CTX;
}

@inline function next(hb: usize, pc: u64, len: u32): i32 {
  setPc(hb, pc + <u64>len);
  retire(hb, 1);
  return S_NEXT;
}

function execLoad(hb: usize, op: u32, ep: usize, pc: u64): i32 {
  const va = load<u64>(<usize>load<u32>(ep, E_RS1)) + <u64>load<i32>(ep, E_IMM);
  const size: u32 = op == OP_LB || op == OP_LBU ? 1 : op == OP_LH || op == OP_LHU ? 2 : op == OP_LD ? 8 : 4;
  const r = virtLoad(hb, va, size);
  if (r != MEM_OK) return trap(hb, memCause, memTval, pc, load<u32>(ep, E_RAW));
  let v = memValue;
  if (op == OP_LB) v = <u64><i64><i8>v;
  else if (op == OP_LH) v = <u64><i64><i16>v;
  else if (op == OP_LW) v = <u64><i64><i32>v;
  store<u64>(<usize>load<u32>(ep, E_RD), v);
  return next(hb, pc, (<u32>load<u8>(ep, E_ADV) >> E_SHIFT));
}

function execStore(hb: usize, op: u32, ep: usize, pc: u64): i32 {
  const va = load<u64>(<usize>load<u32>(ep, E_RS1)) + <u64>load<i32>(ep, E_IMM);
  const size: u32 = op == OP_SB ? 1 : op == OP_SH ? 2 : op == OP_SW ? 4 : 8;
  const gen = load<u32>(hb + H_GEN);
  const r = virtStore(hb, va, size, load<u64>(<usize>load<u32>(ep, E_RS2)));
  if (r == MEM_FAULT) return trap(hb, memCause, memTval, pc, load<u32>(ep, E_RAW));
  if (r == MEM_UART_FULL) return S_UART_FULL;
  next(hb, pc, (<u32>load<u8>(ep, E_ADV) >> E_SHIFT));
  if (r == MEM_HALT) return S_HALT;
  if (load<u64>(hb + H_RESV) != 0xffffffffffffffff) {
    // the hart's own store drops its LR reservation (the spec allows it); S_CTX re-enables the store fast path
    store<u64>(hb + H_RESV, 0xffffffffffffffff);
    return S_NEXT | S_CTX;
  }
  return load<u32>(hb + H_GEN) != gen ? S_NEXT | S_CTX : S_NEXT; // coherent mode flushed this hart's code

}

@inline function sextW(v: u64): u64 {
  return <u64><i64><i32>v;
}

function execAmo(hb: usize, raw: u32, pc: u64): i32 {
  const f5 = raw >> 27;
  const f3 = (raw >> 12) & 7;
  const rd = (raw >> 7) & 31;
  const rs1 = (raw >> 15) & 31;
  const rs2 = (raw >> 20) & 31;
  const isLr = f5 == 2;
  const isSc = f5 == 3;
  if ((isLr && rs2 != 0) || !(f5 <= 3 || f5 == 4 || f5 == 8 || f5 == 12 || f5 == 16 || f5 == 20 || f5 == 24 || f5 == 28)) {
    return trap(hb, CAUSE_ILLEGAL, raw, pc, raw);
  }
  const size: u32 = f3 == 2 ? 4 : 8;
  const va = getX(hb, rs1);
  if ((va & <u64>(size - 1)) != 0) return trap(hb, isLr ? CAUSE_LOAD_MISALIGNED : CAUSE_STORE_MISALIGNED, va, pc, raw);
  const pa = dataAddr(hb, va, isLr ? ACC_LOAD : ACC_STORE);
  if (pa == TRANSLATE_FAIL) return trap(hb, memCause, memTval, pc, raw);
  const at = ramAddr(pa, size);
  if (at == 0) return trap(hb, isLr ? CAUSE_LOAD_ACCESS : CAUSE_STORE_ACCESS, va, pc, raw);
  const src = getX(hb, rs2);
  let result: u64 = 0;
  if (isLr) {
    result = size == 4 ? sextW(<u64>atomic.load<u32>(at)) : atomic.load<u64>(at);
    store<u64>(hb + H_RESV, pa);
    store<u64>(hb + H_RESV_VAL, result);
  } else if (isSc) {
    const ok = load<u64>(hb + H_RESV) == pa;
    const expect = load<u64>(hb + H_RESV_VAL);
    store<u64>(hb + H_RESV, 0xffffffffffffffff);
    let success = false;
    if (ok) {
      if (size == 4) success = atomic.cmpxchg<u32>(at, <u32>expect, <u32>src) == <u32>expect;
      else success = atomic.cmpxchg<u64>(at, expect, src) == expect;
    }
    result = success ? 0 : 1;
  } else if (size == 4) {
    let old: u32 = 0;
    const s = <u32>src;
    switch (f5) {
      case 1: old = atomic.xchg<u32>(at, s); break;
      case 0: old = atomic.add<u32>(at, s); break;
      case 4: old = atomic.xor<u32>(at, s); break;
      case 12: old = atomic.and<u32>(at, s); break;
      case 8: old = atomic.or<u32>(at, s); break;
      default: {
        while (true) {
          old = atomic.load<u32>(at);
          let nv: u32;
          if (f5 == 16) nv = <i32>old < <i32>s ? old : s;
          else if (f5 == 20) nv = <i32>old > <i32>s ? old : s;
          else if (f5 == 24) nv = old < s ? old : s;
          else nv = old > s ? old : s;
          if (atomic.cmpxchg<u32>(at, old, nv) == old) break;
        }
      }
    }
    result = sextW(<u64>old);
  } else {
    let old: u64 = 0;
    switch (f5) {
      case 1: old = atomic.xchg<u64>(at, src); break;
      case 0: old = atomic.add<u64>(at, src); break;
      case 4: old = atomic.xor<u64>(at, src); break;
      case 12: old = atomic.and<u64>(at, src); break;
      case 8: old = atomic.or<u64>(at, src); break;
      default: {
        while (true) {
          old = atomic.load<u64>(at);
          let nv: u64;
          if (f5 == 16) nv = <i64>old < <i64>src ? old : src;
          else if (f5 == 20) nv = <i64>old > <i64>src ? old : src;
          else if (f5 == 24) nv = old < src ? old : src;
          else nv = old > src ? old : src;
          if (atomic.cmpxchg<u64>(at, old, nv) == old) break;
        }
      }
    }
    result = old;
  }
  setX(hb, rd, result);
  const r = next(hb, pc, 4);
  // LR and SC change whether a reservation is held, which decides whether stores may take the fast path
  return isLr || isSc ? r | S_CTX : r;
}

function execCsr(hb: usize, raw: u32, pc: u64): i32 {
  const f3 = (raw >> 12) & 7;
  const num = raw >> 20;
  const rd = (raw >> 7) & 31;
  const rs1 = (raw >> 15) & 31;
  const kind = f3 & 3;
  const operand: u64 = (f3 & 4) != 0 ? <u64>rs1 : getX(hb, rs1);
  const writes = kind == 1 || rs1 != 0;
  const priv = getPriv(hb);
  if (!csrAccessible(hb, num, priv, writes) || !csrRead(hb, num)) return trap(hb, CAUSE_ILLEGAL, raw, pc, raw);
  const old = csrValue;
  csrWroteInstret = false;
  csrWroteCycle = false;
  csrContextChanged = false;
  if (writes) {
    // csrrs/csrrc on mip/sip modify the software-writable SEIP bit, not the PLIC's external line that reads ORed in
    const base = num == 0x344 || num == 0x144 ? (old & ~(<u64>0xa00)) | (load<u64>(hb + C_MIP) & 0xa00) : old;
    const nv = kind == 1 ? operand : kind == 2 ? base | operand : base & ~operand;
    csrWrite(hb, num, nv);
  }
  setX(hb, rd, old);
  setPc(hb, pc + 4);
  // retire, but a write to minstret/mcycle replaces this instruction's own increment
  store<u64>(hb + H_RETIRED, load<u64>(hb + H_RETIRED) + 1);
  const inhibit = load<u64>(hb + C_MCOUNTINHIBIT);
  if (!csrWroteInstret && (inhibit & 4) == 0) store<u64>(hb + H_INSTRET, load<u64>(hb + H_INSTRET) + 1);
  if (!csrWroteCycle && (inhibit & 1) == 0) store<u64>(hb + H_CYCLE, load<u64>(hb + H_CYCLE) + 1);
  return writes ? S_NEXT | S_CTX : S_NEXT;
}

function execSystem(hb: usize, raw: u32, pc: u64, len: u32): i32 {
  if (((raw >> 12) & 7) != 0) {
    if (((raw >> 12) & 7) == 4) return trap(hb, CAUSE_ILLEGAL, raw, pc, raw);
    return execCsr(hb, raw, pc);
  }
  const priv = getPriv(hb);
  const ms = load<u64>(hb + C_MSTATUS);
  if (raw == 0x00000073) {
    const cause = priv == PRIV_U ? CAUSE_ECALL_U : priv == PRIV_S ? CAUSE_ECALL_S : CAUSE_ECALL_M;
    if (priv == PRIV_S && watching(WATCH_ECALL)) watchEvent(hb, WEV_ECALL, 0, pc, (getX(hb, 17) << 32) | (getX(hb, 16) & 0xffffffff));
    return trap(hb, cause, 0, pc, raw);
  }
  if (raw == 0x00100073) return trap(hb, CAUSE_BREAKPOINT, pc, pc, raw);
  if (raw == 0x30200073) {
    if (priv != PRIV_M) return trap(hb, CAUSE_ILLEGAL, raw, pc, raw);
    mret(hb);
    retire(hb, 1);
    return S_NEXT | S_CTX;
  }
  if (raw == 0x10200073) {
    if (priv == PRIV_U || (priv == PRIV_S && (ms & MS_TSR) != 0)) return trap(hb, CAUSE_ILLEGAL, raw, pc, raw);
    sret(hb);
    retire(hb, 1);
    return S_NEXT | S_CTX;
  }
  if (raw == 0x10500073) {
    if (priv == PRIV_U || (priv == PRIV_S && (ms & MS_TW) != 0)) return trap(hb, CAUSE_ILLEGAL, raw, pc, raw);
    next(hb, pc, len);
    return (currentMip(hb) & load<u64>(hb + C_MIE)) != 0 ? S_NEXT | S_CTX : S_WFI;
  }
  if ((raw & 0xfe007fff) == 0x12000073) { // sfence.vma
    if (priv == PRIV_U || (priv == PRIV_S && (ms & MS_TVM) != 0)) return trap(hb, CAUSE_ILLEGAL, raw, pc, raw);
    tlbFlush(hb);
    next(hb, pc, len);
    return S_NEXT | S_CTX;
  }
  return trap(hb, CAUSE_ILLEGAL, raw, pc, raw);
}

/** Executes the instruction decoded at ep (at guest pc) completely; see S_* for the result. */
export function step(hb: usize, ep: usize, pc: u64): i32 {
  const op = <u32>load<u8>(ep, E_OP);
  const raw = load<u32>(ep, E_RAW);
  if (op >= OP_LB && op <= OP_LWU) return execLoad(hb, op, ep, pc);
  if (op >= OP_SB && op <= OP_SD) return execStore(hb, op, ep, pc);
  if (op == OP_AMO) return execAmo(hb, raw, pc);
  if (op >= OP_FLW && op <= OP_FP) return fpStep(hb, ep, pc);
  if (op == OP_SYSTEM) return execSystem(hb, raw, pc, (<u32>load<u8>(ep, E_ADV) >> E_SHIFT));
  if (op == OP_FENCE_I) {
    if (watching(WATCH_FENCE_I)) watchEvent(hb, WEV_FENCE_I, 0, pc, 0);
    store<u32>(hb + H_GEN, load<u32>(hb + H_GEN) + 1);
    next(hb, pc, 4);
    return S_NEXT | S_CTX;
  }
  return trap(hb, CAUSE_ILLEGAL, raw, pc, raw);
}

