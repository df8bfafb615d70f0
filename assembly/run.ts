// The hart run loop: dispatches predecoded entries with a dense switch; fast paths inline, everything rare goes to step().
import {
  CTRL_BASE, CTRL_EXIT, CTRL_FLAG_COHERENT, CTRL_FLAGS, CTRL_PAUSE, CTRL_RAM_SIZE, CTRL_TOHOST, H_BREAKPOINT, H_BREAKPOINT_ON, H_LAST_RUN,
  H_RETIRED, H_STOP, H_XSINK, RAM_GUEST_BASE, RAM_WASM_BASE, STOP_BREAKPOINT, STOP_BUDGET, STOP_FAULT_LOOP,
  STOP_HALTED, STOP_PAUSE, STOP_UART_FULL, STOP_WFI,
} from '../src/machine/layout';
import { div, divu, divuw, divw, mulh, mulhsu, mulhu, rem, remu, remuw, remw } from './alu';
import { INTERRUPT } from './causes';
import { dcacheBase, decodeAt, fetchPage, fetchPagePa, fetchStorm } from './dcache';
import { getPc, hartBase, retire, setPc } from './hart';
import { dataPriv, translated } from './mmu';
import * as O from './ops';
import { S_CTX, S_HALT, S_NEXT, S_STORM, S_UART_FULL, S_WFI, step } from './step';
import { pendingInterrupt, takeTrap } from './trap';

// why the inner loop stopped before its budget
const REQ_NONE: i32 = 0; // budget exhausted
const REQ_LOOKUP: i32 = 1; // ran off the end of the page: pc derived from ep
const REQ_JUMP: i32 = 2; // control transfer to another page: pc set explicitly
const REQ_SLOW: i32 = 3; // the entry at ep needs step()
const REQ_DECODE: i32 = 4; // the entry at ep is not decoded yet

// data-path parameters derived from machine state (per-instance scratch)
let gRamLim: u64 = 0;
let gThLo: u64 = 0;
let gStLim: u64 = 0;

/** Derives the fast-path RAM limit (0 when data accesses are translated) and the tohost window. */
function deriveDataPath(hb: usize): void {
  const ram = load<u64>(CTRL_BASE + CTRL_RAM_SIZE);
  gRamLim = translated(hb, dataPriv(hb)) || ram < 8 ? 0 : ram - 7;
  const th = load<u64>(CTRL_BASE + CTRL_TOHOST);
  gThLo = th == 0 ? 0xffffffffffffff00 : th - <u64>RAM_GUEST_BASE - 8;
  // coherent mode: every store goes through the slow path, which invalidates decoded copies
  gStLim = (load<u32>(CTRL_BASE + CTRL_FLAGS) & CTRL_FLAG_COHERENT) != 0 ? 0 : gRamLim;
}

/** Takes a pending enabled interrupt, if any; true if that made a trap storm. */
function checkInterrupts(hb: usize): bool {
  const code = pendingInterrupt(hb);
  if (code == 0) return false;
  return takeTrap(hb, INTERRUPT | <u64>(code - 1), 0, getPc(hb), 0);
}

@inline function sxw(v: u64): u64 {
  return <u64><i64><i32>v;
}

/** Runs hart for at most budget instructions; returns a STOP_* reason. */
export function runHart(hart: i32, budget: i32): i32 {
  const hb = hartBase(hart);
  const dc = dcacheBase(hart);
  store<u64>(hb + H_LAST_RUN, 0);
  if (atomic.load<u32>(CTRL_BASE + CTRL_EXIT) != 0) { store<u32>(hb + H_STOP, STOP_HALTED); return STOP_HALTED; }
  // CTRL_PAUSE is not checked here: workers check it before each slice, and the host single-steps paused harts.
  const retired0 = load<u64>(hb + H_RETIRED);
  let stop = STOP_BUDGET;
  if (checkInterrupts(hb)) return finish(hb, retired0, STOP_FAULT_LOOP);
  deriveDataPath(hb);
  let ramLim = gRamLim;
  let thLo = gThLo;
  let stLim = gStLim;
  const bpOn = load<u32>(hb + H_BREAKPOINT_ON) != 0;
  const bp = load<u64>(hb + H_BREAKPOINT);
  let pc = getPc(hb);
  const bpSkip = bpOn && pc == bp; // resuming at the breakpoint executes it once
  let bpEp: usize = 0;
  let left: i32 = budget;
  let mark: i32 = budget;
  let saved: i32 = 0;
  let reserve: i32 = 0; // budget held back while single-stepping the breakpoint's page
  let req: i32 = REQ_NONE;
  let vpage: u64 = 0xffffffffffffffff;
  let pageVa: u64 = 0;
  let pagePa: u64 = 0;
  let pageBase: usize = 0;
  let ep: usize = 0;

  while (true) {
    if ((pc >> 12) != vpage) {
      const base = fetchPage(hb, dc, pc);
      if (base == 0) {
        pc = getPc(hb);
        if (fetchStorm) { stop = STOP_FAULT_LOOP; break; }
        deriveDataPath(hb); ramLim = gRamLim; thLo = gThLo; stLim = gStLim;
        continue;
      }
      vpage = pc >> 12;
      pageVa = vpage << 12;
      pagePa = fetchPagePa;
      pageBase = base;
      bpEp = bpOn && (bp >> 12) == vpage ? base + (<usize>(bp & 0xfff) << 4) : 0;
    }
    ep = pageBase + (<usize>(pc & 0xfff) << 4);
    if (left <= 0) break;
    req = REQ_NONE;
    if (bpEp != 0) { // the breakpoint's page runs one instruction per inner loop
      // resuming at the breakpoint: it does not fire again until an instruction retired in this run
      if (ep == bpEp && !(bpSkip && left == budget)) { stop = STOP_BREAKPOINT; break; }
      reserve = left - 1;
      left = 1;
    }

    // ---- hot loop
    while (left > 0) {
      const op = <u32>load<u8>(ep);
      left--;
      switch (op) {
        case O.OP_DECODE: { req = REQ_DECODE; saved = left + 1; left = 0; continue; }
        case O.OP_PAGE_END: { req = REQ_LOOKUP; saved = left + 1; left = 0; continue; }
        case O.OP_LUI: { store<u64>(<usize>load<u32>(ep, 4), <u64>load<i32>(ep, 16)); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_AUIPC: {
          store<u64>(<usize>load<u32>(ep, 4), pageVa + <u64>((ep - pageBase) >> 4) + <u64>load<i32>(ep, 16));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_ADDI: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) + <u64>load<i32>(ep, 16));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SLTI: {
          store<u64>(<usize>load<u32>(ep, 4), <u64>(<i64>load<u64>(<usize>load<u32>(ep, 8)) < <i64>load<i32>(ep, 16)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SLTIU: {
          store<u64>(<usize>load<u32>(ep, 4), <u64>(load<u64>(<usize>load<u32>(ep, 8)) < <u64>load<i32>(ep, 16)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_XORI: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) ^ <u64>load<i32>(ep, 16));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_ORI: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) | <u64>load<i32>(ep, 16));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_ANDI: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) & <u64>load<i32>(ep, 16));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SLLI: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) << <u64>load<i32>(ep, 16));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SRLI: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) >> <u64>load<i32>(ep, 16));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SRAI: {
          store<u64>(<usize>load<u32>(ep, 4), <u64>(<i64>load<u64>(<usize>load<u32>(ep, 8)) >> <i64>load<i32>(ep, 16)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_ADDIW: {
          store<u64>(<usize>load<u32>(ep, 4), sxw(load<u64>(<usize>load<u32>(ep, 8)) + <u64>load<i32>(ep, 16)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SLLIW: {
          store<u64>(<usize>load<u32>(ep, 4), sxw(<u64>(<u32>load<u64>(<usize>load<u32>(ep, 8)) << <u32>load<i32>(ep, 16))));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SRLIW: {
          store<u64>(<usize>load<u32>(ep, 4), sxw(<u64>(<u32>load<u64>(<usize>load<u32>(ep, 8)) >> <u32>load<i32>(ep, 16))));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SRAIW: {
          store<u64>(<usize>load<u32>(ep, 4), <u64><i64>(<i32>load<u64>(<usize>load<u32>(ep, 8)) >> load<i32>(ep, 16)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_ADD: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(<usize>load<u32>(ep, 12)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SUB: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) - load<u64>(<usize>load<u32>(ep, 12)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SLL: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) << load<u64>(<usize>load<u32>(ep, 12)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SLT: {
          store<u64>(<usize>load<u32>(ep, 4), <u64>(<i64>load<u64>(<usize>load<u32>(ep, 8)) < <i64>load<u64>(<usize>load<u32>(ep, 12))));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SLTU: {
          store<u64>(<usize>load<u32>(ep, 4), <u64>(load<u64>(<usize>load<u32>(ep, 8)) < load<u64>(<usize>load<u32>(ep, 12))));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_XOR: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) ^ load<u64>(<usize>load<u32>(ep, 12)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SRL: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) >> load<u64>(<usize>load<u32>(ep, 12)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SRA: {
          store<u64>(<usize>load<u32>(ep, 4), <u64>(<i64>load<u64>(<usize>load<u32>(ep, 8)) >> <i64>load<u64>(<usize>load<u32>(ep, 12))));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_OR: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) | load<u64>(<usize>load<u32>(ep, 12)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_AND: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) & load<u64>(<usize>load<u32>(ep, 12)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_ADDW: {
          store<u64>(<usize>load<u32>(ep, 4), sxw(load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(<usize>load<u32>(ep, 12))));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SUBW: {
          store<u64>(<usize>load<u32>(ep, 4), sxw(load<u64>(<usize>load<u32>(ep, 8)) - load<u64>(<usize>load<u32>(ep, 12))));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SLLW: {
          store<u64>(<usize>load<u32>(ep, 4), sxw(<u64>(<u32>load<u64>(<usize>load<u32>(ep, 8)) << <u32>load<u64>(<usize>load<u32>(ep, 12)))));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SRLW: {
          store<u64>(<usize>load<u32>(ep, 4), sxw(<u64>(<u32>load<u64>(<usize>load<u32>(ep, 8)) >> <u32>load<u64>(<usize>load<u32>(ep, 12)))));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SRAW: {
          store<u64>(<usize>load<u32>(ep, 4), <u64><i64>(<i32>load<u64>(<usize>load<u32>(ep, 8)) >> <i32>load<u64>(<usize>load<u32>(ep, 12))));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_MUL: {
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(<usize>load<u32>(ep, 8)) * load<u64>(<usize>load<u32>(ep, 12)));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_MULH: { store<u64>(<usize>load<u32>(ep, 4), mulh(load<u64>(<usize>load<u32>(ep, 8)), load<u64>(<usize>load<u32>(ep, 12)))); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_MULHSU: { store<u64>(<usize>load<u32>(ep, 4), mulhsu(load<u64>(<usize>load<u32>(ep, 8)), load<u64>(<usize>load<u32>(ep, 12)))); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_MULHU: { store<u64>(<usize>load<u32>(ep, 4), mulhu(load<u64>(<usize>load<u32>(ep, 8)), load<u64>(<usize>load<u32>(ep, 12)))); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_DIV: { store<u64>(<usize>load<u32>(ep, 4), div(load<u64>(<usize>load<u32>(ep, 8)), load<u64>(<usize>load<u32>(ep, 12)))); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_DIVU: { store<u64>(<usize>load<u32>(ep, 4), divu(load<u64>(<usize>load<u32>(ep, 8)), load<u64>(<usize>load<u32>(ep, 12)))); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_REM: { store<u64>(<usize>load<u32>(ep, 4), rem(load<u64>(<usize>load<u32>(ep, 8)), load<u64>(<usize>load<u32>(ep, 12)))); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_REMU: { store<u64>(<usize>load<u32>(ep, 4), remu(load<u64>(<usize>load<u32>(ep, 8)), load<u64>(<usize>load<u32>(ep, 12)))); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_MULW: {
          store<u64>(<usize>load<u32>(ep, 4), sxw(load<u64>(<usize>load<u32>(ep, 8)) * load<u64>(<usize>load<u32>(ep, 12))));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_DIVW: { store<u64>(<usize>load<u32>(ep, 4), divw(load<u64>(<usize>load<u32>(ep, 8)), load<u64>(<usize>load<u32>(ep, 12)))); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_DIVUW: { store<u64>(<usize>load<u32>(ep, 4), divuw(load<u64>(<usize>load<u32>(ep, 8)), load<u64>(<usize>load<u32>(ep, 12)))); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_REMW: { store<u64>(<usize>load<u32>(ep, 4), remw(load<u64>(<usize>load<u32>(ep, 8)), load<u64>(<usize>load<u32>(ep, 12)))); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_REMUW: { store<u64>(<usize>load<u32>(ep, 4), remuw(load<u64>(<usize>load<u32>(ep, 8)), load<u64>(<usize>load<u32>(ep, 12)))); ep += <usize>load<u8>(ep, 1); continue; }
        case O.OP_JAL: {
          const off = <u32>((ep - pageBase) >> 4);
          store<u64>(<usize>load<u32>(ep, 4), pageVa + <u64>(off + (<u32>load<u8>(ep, 1) >> 4)));
          const t = off + <u32>load<i32>(ep, 16);
          if (t < 0x1000) { ep = pageBase + (<usize>t << 4); continue; }
          pc = pageVa + <u64><i64><i32>t;
          req = REQ_JUMP; saved = left; left = 0; continue;
        }
        case O.OP_JALR: {
          const t = (load<u64>(<usize>load<u32>(ep, 8)) + <u64>load<i32>(ep, 16)) & ~(<u64>1);
          store<u64>(<usize>load<u32>(ep, 4), pageVa + <u64>(((ep - pageBase) >> 4) + (<usize>load<u8>(ep, 1) >> 4)));
          if ((t >> 12) == vpage) { ep = pageBase + (<usize>(t & 0xfff) << 4); continue; }
          pc = t;
          req = REQ_JUMP; saved = left; left = 0; continue;
        }
        case O.OP_BEQ: {
          const a = load<u64>(<usize>load<u32>(ep, 8));
          const b = load<u64>(<usize>load<u32>(ep, 12));
          if (!(a == b)) { ep += <usize>load<u8>(ep, 1); continue; }
          const nep = ep + <usize>(load<i32>(ep, 16) << 4);
          if (nep - pageBase < 0x10000) { ep = nep; continue; }
          pc = pageVa + <u64>((ep - pageBase) >> 4) + <u64>load<i32>(ep, 16);
          req = REQ_JUMP; saved = left; left = 0; continue;
        }
        case O.OP_BNE: {
          const a = load<u64>(<usize>load<u32>(ep, 8));
          const b = load<u64>(<usize>load<u32>(ep, 12));
          if (!(a != b)) { ep += <usize>load<u8>(ep, 1); continue; }
          const nep = ep + <usize>(load<i32>(ep, 16) << 4);
          if (nep - pageBase < 0x10000) { ep = nep; continue; }
          pc = pageVa + <u64>((ep - pageBase) >> 4) + <u64>load<i32>(ep, 16);
          req = REQ_JUMP; saved = left; left = 0; continue;
        }
        case O.OP_BLT: {
          const a = load<u64>(<usize>load<u32>(ep, 8));
          const b = load<u64>(<usize>load<u32>(ep, 12));
          if (!(<i64>a < <i64>b)) { ep += <usize>load<u8>(ep, 1); continue; }
          const nep = ep + <usize>(load<i32>(ep, 16) << 4);
          if (nep - pageBase < 0x10000) { ep = nep; continue; }
          pc = pageVa + <u64>((ep - pageBase) >> 4) + <u64>load<i32>(ep, 16);
          req = REQ_JUMP; saved = left; left = 0; continue;
        }
        case O.OP_BGE: {
          const a = load<u64>(<usize>load<u32>(ep, 8));
          const b = load<u64>(<usize>load<u32>(ep, 12));
          if (!(<i64>a >= <i64>b)) { ep += <usize>load<u8>(ep, 1); continue; }
          const nep = ep + <usize>(load<i32>(ep, 16) << 4);
          if (nep - pageBase < 0x10000) { ep = nep; continue; }
          pc = pageVa + <u64>((ep - pageBase) >> 4) + <u64>load<i32>(ep, 16);
          req = REQ_JUMP; saved = left; left = 0; continue;
        }
        case O.OP_BLTU: {
          const a = load<u64>(<usize>load<u32>(ep, 8));
          const b = load<u64>(<usize>load<u32>(ep, 12));
          if (!(a < b)) { ep += <usize>load<u8>(ep, 1); continue; }
          const nep = ep + <usize>(load<i32>(ep, 16) << 4);
          if (nep - pageBase < 0x10000) { ep = nep; continue; }
          pc = pageVa + <u64>((ep - pageBase) >> 4) + <u64>load<i32>(ep, 16);
          req = REQ_JUMP; saved = left; left = 0; continue;
        }
        case O.OP_BGEU: {
          const a = load<u64>(<usize>load<u32>(ep, 8));
          const b = load<u64>(<usize>load<u32>(ep, 12));
          if (!(a >= b)) { ep += <usize>load<u8>(ep, 1); continue; }
          const nep = ep + <usize>(load<i32>(ep, 16) << 4);
          if (nep - pageBase < 0x10000) { ep = nep; continue; }
          pc = pageVa + <u64>((ep - pageBase) >> 4) + <u64>load<i32>(ep, 16);
          req = REQ_JUMP; saved = left; left = 0; continue;
        }
        case O.OP_LD: {
          const off = load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(ep, 24);
          if (off >= ramLim) { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
          const at = <usize>off;
          store<u64>(<usize>load<u32>(ep, 4), load<u64>(at, RAM_WASM_BASE));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_LW: {
          const off = load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(ep, 24);
          if (off >= ramLim) { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
          const at = <usize>off;
          store<u64>(<usize>load<u32>(ep, 4), <u64>load<i32>(at, RAM_WASM_BASE));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_LWU: {
          const off = load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(ep, 24);
          if (off >= ramLim) { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
          const at = <usize>off;
          store<u64>(<usize>load<u32>(ep, 4), <u64>load<u32>(at, RAM_WASM_BASE));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_LBU: {
          const off = load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(ep, 24);
          if (off >= ramLim) { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
          const at = <usize>off;
          store<u64>(<usize>load<u32>(ep, 4), <u64>load<u8>(at, RAM_WASM_BASE));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_LB: {
          const off = load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(ep, 24);
          if (off >= ramLim) { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
          const at = <usize>off;
          store<u64>(<usize>load<u32>(ep, 4), <u64>load<i8>(at, RAM_WASM_BASE));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_LHU: {
          const off = load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(ep, 24);
          if (off >= ramLim) { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
          const at = <usize>off;
          store<u64>(<usize>load<u32>(ep, 4), <u64>load<u16>(at, RAM_WASM_BASE));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_LH: {
          const off = load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(ep, 24);
          if (off >= ramLim) { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
          const at = <usize>off;
          store<u64>(<usize>load<u32>(ep, 4), <u64>load<i16>(at, RAM_WASM_BASE));
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SD: {
          const off = load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(ep, 24);
          if (off >= stLim || off - thLo < 16) { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
          const at = <usize>off;
          const v = load<u64>(<usize>load<u32>(ep, 12));
          store<u64>(at, v, RAM_WASM_BASE);
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SW: {
          const off = load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(ep, 24);
          if (off >= stLim || off - thLo < 16) { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
          const at = <usize>off;
          const v = load<u64>(<usize>load<u32>(ep, 12));
          store<u32>(at, <u32>v, RAM_WASM_BASE);
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SH: {
          const off = load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(ep, 24);
          if (off >= stLim || off - thLo < 16) { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
          const at = <usize>off;
          const v = load<u64>(<usize>load<u32>(ep, 12));
          store<u16>(at, <u16>v, RAM_WASM_BASE);
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_SB: {
          const off = load<u64>(<usize>load<u32>(ep, 8)) + load<u64>(ep, 24);
          if (off >= stLim || off - thLo < 16) { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
          const at = <usize>off;
          const v = load<u64>(<usize>load<u32>(ep, 12));
          store<u8>(at, <u8>v, RAM_WASM_BASE);
          ep += <usize>load<u8>(ep, 1); continue;
        }
        case O.OP_FENCE: { atomic.add<u64>(hb + H_XSINK, 0); ep += <usize>load<u8>(ep, 1); continue; } // full barrier (a locked RMW on this hart's sink slot)
        default: { req = REQ_SLOW; saved = left + 1; left = 0; continue; }
      }
      ep += <usize>load<u8>(ep, 1);
    }
    // ---- end of hot loop

    if (req != REQ_JUMP) pc = pageVa + <u64>((ep - pageBase) >> 4);
    if (req == REQ_NONE) {
      if (reserve == 0) break;
      left = reserve;
      reserve = 0;
      continue;
    }
    left = saved + reserve;
    reserve = 0;
    retire(hb, <u64>(mark - left));
    mark = left;
    if (req == REQ_DECODE) {
      if (!decodeAt(hb, ep, pc, pagePa)) {
        pc = getPc(hb);
        if (fetchStorm) { stop = STOP_FAULT_LOOP; break; }
        vpage = 0xffffffffffffffff;
        deriveDataPath(hb); ramLim = gRamLim; thLo = gThLo; stLim = gStLim;
      }
      continue;
    }
    if (req == REQ_SLOW) {
      setPc(hb, pc);
      const r = step(hb, ep, pc);
      const kind = r & 0xff;
      if (kind == S_NEXT || kind == S_HALT || kind == S_WFI) { left--; mark = left; }
      pc = getPc(hb);
      if ((r & S_CTX) != 0 || kind != S_NEXT) {
        vpage = 0xffffffffffffffff;
        deriveDataPath(hb); ramLim = gRamLim; thLo = gThLo; stLim = gStLim;
      }
      if (kind == S_HALT) { stop = STOP_HALTED; break; }
      if (kind == S_WFI) { stop = STOP_WFI; break; }
      if (kind == S_STORM) { stop = STOP_FAULT_LOOP; break; }
      if (kind == S_UART_FULL) { stop = STOP_UART_FULL; break; }
      if ((r & S_CTX) != 0 && kind == S_NEXT) {
        setPc(hb, pc);
        if (checkInterrupts(hb)) { pc = getPc(hb); stop = STOP_FAULT_LOOP; break; }
        pc = getPc(hb);
        deriveDataPath(hb); ramLim = gRamLim; thLo = gThLo; stLim = gStLim;
      }
      if (atomic.load<u32>(CTRL_BASE + CTRL_PAUSE) != 0) { stop = STOP_PAUSE; break; }
    }
  }
  setPc(hb, pc);
  retire(hb, <u64>(mark - left));
  return finish(hb, retired0, stop);
}

function finish(hb: usize, retired0: u64, stop: i32): i32 {
  store<u64>(hb + H_LAST_RUN, load<u64>(hb + H_RETIRED) - retired0);
  store<u32>(hb + H_STOP, stop);
  return stop;
}
