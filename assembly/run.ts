// The hart run loop: dispatches predecoded entries with a dense switch; fast paths inline, everything rare goes to step().
import {
  CTRL_BASE, CTRL_BP_COUNT, CTRL_BP_LIST, CTRL_EXIT, CTRL_FLAG_COHERENT, CTRL_FLAG_JIT, CTRL_FLAGS, CTRL_MSIP, DC_JIT_DIR, DTLB_EMPTY,
  DTLB_SET_SIZE, H_DTLB_MXR, H_JIT_LDTLB, H_JIT_N, H_JIT_PC, H_JIT_RAMLIM, H_JIT_STLIM, H_JIT_STTLB, H_JIT_THLO, JIT_DIR_ENTRIES,
  CTRL_PAUSE, CTRL_RAM_SIZE, CTRL_TOHOST, H_BREAKPOINT, H_BREAKPOINT_ON, H_LAST_RUN,
  H_RESV, H_RETIRED, H_STOP, H_XSINK, RAM_GUEST_BASE, RAM_WASM_BASE, STOP_BREAKPOINT, STOP_BUDGET, STOP_FAULT_LOOP,
  STOP_HALTED, STOP_PAUSE, STOP_UART_FULL, STOP_WFI,
} from '../src/machine/layout';
import { CTRL_WATCH_FLAGS, H_BP_STOPPED, H_BP_STOPPED_ON, WATCH_STORES } from '../src/machine/layout';
import { div, divu, divuw, divw, mulh, mulhsu, mulhu, rem, remu, remuw, remw } from './alu';
import { INTERRUPT } from './causes';
import { dcacheBase, decodeAt, fetchPage, fetchPagePa, fetchStorm } from './dcache';
import * as D from './dispatch';
import { ADV2, ADV4, E_HANDLER, E_HEAT, H_DECODE, H_JIT, H_PAGE_END, stampHandler } from './dispatch';
import { C_MSTATUS, MS_MXR, getPc, hartBase, retire, setPc } from './hart';
import { dataPriv, dtlbSet, tlbFlush, translated } from './mmu';
import * as O from './ops';
import { S_CTX, S_HALT, S_NEXT, S_STORM, S_UART_FULL, S_WFI, step } from './step';
import { pendingInterrupt, takeTrap } from './trap';

// why the inner loop stopped before its budget
const REQ_NONE: i32 = 0; // budget exhausted
const REQ_LOOKUP: i32 = 1; // ran off the end of the page: pc derived from ep
const REQ_JUMP: i32 = 2; // control transfer to another page: pc set explicitly
const REQ_SLOW: i32 = 3; // the entry at ep needs step()
const REQ_DECODE: i32 = 4; // the entry at ep is not decoded yet
const REQ_HOT: i32 = 5; // a taken branch made the entry at ep hot: report it to the block compiler, then go on
const REQ_JIT_HEAD: i32 = 6; // the compiled block at ep cannot run (budget, directory miss): interpret its head once

/** The host's block compiler (src/machine/jit/): compiles the block headed by entry ep of hart's decode cache. */
@external("env", "jitCompile")
declare function jitCompile(hart: i32, ep: u32): void;

/** Taken-branch arrivals (mod 256) at which an entry is reported as a hot block head (engine 'jit'). */
const JIT_HOT: u32 = 32;

// data-path parameters derived from machine state (per-instance scratch)
let gRamLim: u64 = 0;
let gThLo: u64 = 0;
let gStLim: u64 = 0;
// data TLB sets the hot loop looks in when an access is not a Bare RAM access (DTLB_EMPTY: always miss)
let gLdTlb: usize = DTLB_EMPTY;
let gStTlb: usize = DTLB_EMPTY;
// page context and results of runEntries (globals, so the hot loop's registers hold only ep and the budget)
let gHb: usize = 0;
let gPageVa: u64 = 0;
let gPageBase: usize = 0;
let gVpage: u64 = 0;
let gReq: i32 = REQ_NONE;
let gLeft: i32 = 0;
let gPc: u64 = 0;
let gEp: usize = 0;
// block compiler: heat count that reports an entry (never reached with engine 'interp'), this hart's directory
let gHot: u32 = 0x1000;
let gJitDir: usize = 0;
let gHotEp: usize = 0;

/**
 * Derives the data path from machine state: the Bare fast-path RAM limit (0 when data accesses are translated),
 * the tohost window, and the data TLB sets of the current translation context (privilege, SUM; the TLB is
 * flushed when MXR changed since it was filled).
 */
function deriveDataPath(hb: usize): void {
  const ram = load<u64>(CTRL_BASE + CTRL_RAM_SIZE);
  const priv = dataPriv(hb);
  const tr = translated(hb, priv);
  gRamLim = tr || ram < 8 ? 0 : ram - 7;
  const th = load<u64>(CTRL_BASE + CTRL_TOHOST);
  gThLo = th == 0 ? 0xffffffffffffff00 : th - <u64>RAM_GUEST_BASE - 8;
  // coherent mode: every store goes through the slow path, which invalidates decoded copies; so does every
  // store while an LR reservation is held (the slow path drops it: a hart's own store ends its reservation)
  const coherent = (load<u32>(CTRL_BASE + CTRL_FLAGS) & CTRL_FLAG_COHERENT) != 0;
  // so does every store while the watch log wants stores (watch.ts sees only slow-path stores)
  const stSlow = coherent || (load<u32>(CTRL_BASE + CTRL_WATCH_FLAGS) & WATCH_STORES) != 0 || load<u64>(hb + H_RESV) != 0xffffffffffffffff;
  gStLim = stSlow ? 0 : gRamLim;
  gLdTlb = DTLB_EMPTY;
  gStTlb = DTLB_EMPTY;
  if (tr) {
    const mxr = <u32>((load<u64>(hb + C_MSTATUS) & MS_MXR) != 0);
    if (load<u32>(hb + H_DTLB_MXR) != mxr) { tlbFlush(hb); store<u32>(hb + H_DTLB_MXR, mxr); }
    gLdTlb = dtlbSet(hb, priv);
    if (!stSlow) gStTlb = gLdTlb + DTLB_SET_SIZE;
  }
  // the same words for compiled blocks, which read them from the hart block at entry
  store<u64>(hb + H_JIT_RAMLIM, gRamLim);
  store<u64>(hb + H_JIT_STLIM, gStLim);
  store<u64>(hb + H_JIT_THLO, gThLo);
  store<u32>(hb + H_JIT_LDTLB, <u32>gLdTlb);
  store<u32>(hb + H_JIT_STTLB, <u32>gStTlb);
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

/**
 * Guest 8-byte RAM access at RAM offset `off`. Naturally aligned ones are Wasm atomic accesses: the JS/Wasm memory
 * model promises no tear-freedom for plain 8-byte accesses, and an 8-byte ops literal read by one hart while another
 * hart or the host rewrites it must never be seen half old, half new. Misaligned ones may tear, as on hardware.
 */
@inline function ramLoad64(off: usize): u64 {
  return (off & 7) == 0 ? atomic.load<u64>(off, RAM_WASM_BASE) : load<u64>(off, RAM_WASM_BASE);
}

@inline function ramStore64(off: usize, v: u64): void {
  if ((off & 7) == 0) atomic.store<u64>(off, v, RAM_WASM_BASE);
  else store<u64>(off, v, RAM_WASM_BASE);
}

/** Is one of the n debugger breakpoints (CTRL_BP_LIST) on the 4 KiB page vpage? (Checked at page changes only.) */
function bpListOnPage(n: u32, vpage: u64): bool {
  for (let i: u32 = 0; i < n; i++) if ((load<u64>(<usize>(CTRL_BASE + CTRL_BP_LIST) + (<usize>i << 3)) >> 12) == vpage) return true;
  return false;
}

/** Is pc one of the n debugger breakpoints? (Checked per instruction on breakpoint pages only.) */
function bpListHas(n: u32, pc: u64): bool {
  for (let i: u32 = 0; i < n; i++) if (load<u64>(<usize>(CTRL_BASE + CTRL_BP_LIST) + (<usize>i << 3)) == pc) return true;
  return false;
}

/** Runs hart for at most budget instructions; returns a STOP_* reason. */
export function runHart(hart: i32, budget: i32): i32 {
  const hb = hartBase(hart);
  const dc = dcacheBase(hart);
  gHb = hb;
  store<u64>(hb + H_LAST_RUN, 0);
  if (atomic.load<u32>(CTRL_BASE + CTRL_EXIT) != 0) { store<u32>(hb + H_STOP, STOP_HALTED); return STOP_HALTED; }
  // CTRL_PAUSE is not checked here: workers check it before each slice, and the host single-steps paused harts.
  const retired0 = load<u64>(hb + H_RETIRED);
  // A CLINT msip (an IPI) raised while this hart runs is noticed at the next page change or slow-path instruction,
  // not only at the next run() call: IPI latency is bounded by straight-line code within one page.
  const msipAt = <usize>(CTRL_BASE + CTRL_MSIP) + (<usize>hart << 2);
  let stop = STOP_BUDGET;
  if (checkInterrupts(hb)) return finish(hb, retired0, STOP_FAULT_LOOP);
  deriveDataPath(hb);
  gHot = (load<u32>(CTRL_BASE + CTRL_FLAGS) & CTRL_FLAG_JIT) != 0 ? JIT_HOT : 0x1000;
  gJitDir = dc + DC_JIT_DIR;
  let jitHead: usize = 0; // a compiled head being interpreted once (REQ_JIT_HEAD): marked compiled again afterwards
  const bpOn = load<u32>(hb + H_BREAKPOINT_ON) != 0;
  const bp = load<u64>(hb + H_BREAKPOINT);
  const nbp = load<u32>(CTRL_BASE + CTRL_BP_COUNT); // debugger breakpoints (all harts)
  let pc = getPc(hb);
  // resuming at the breakpoint this hart last stopped at executes it once; a slice that merely starts at a breakpoint
  // address (the previous slice's budget ended there) stops there
  const resumeBp = load<u32>(hb + H_BP_STOPPED_ON) != 0 && load<u64>(hb + H_BP_STOPPED) == pc;
  store<u32>(hb + H_BP_STOPPED_ON, 0);
  const pc0 = pc;
  let bpEp: usize = 0;
  let bpPage = false; // this page holds a breakpoint: run it one instruction at a time
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
      if (atomic.load<u32>(msipAt) != 0) {
        setPc(hb, pc);
        if (checkInterrupts(hb)) { pc = getPc(hb); stop = STOP_FAULT_LOOP; break; }
        pc = getPc(hb);
        deriveDataPath(hb);
      }
      const base = fetchPage(hb, dc, pc);
      if (base == 0) {
        pc = getPc(hb);
        if (fetchStorm) { stop = STOP_FAULT_LOOP; break; }
        deriveDataPath(hb);
        continue;
      }
      vpage = pc >> 12;
      pageVa = vpage << 12;
      pagePa = fetchPagePa;
      pageBase = base;
      bpEp = bpOn && (bp >> 12) == vpage ? base + (<usize>(bp & 0xfff) << 4) : 0;
      bpPage = bpEp != 0 || (nbp != 0 && bpListOnPage(nbp, vpage));
    }
    ep = pageBase + (<usize>(pc & 0xfff) << 4);
    if (left <= 0) break;
    req = REQ_NONE;
    if (bpPage) { // a breakpoint's page runs one instruction per inner loop
      // resuming at a breakpoint: it does not fire again until an instruction retired (or a trap moved pc) in this run
      if (!(resumeBp && left == budget && pc == pc0) && (ep == bpEp || (nbp != 0 && bpListHas(nbp, pc)))) { stop = STOP_BREAKPOINT; break; }
      // budget already held back (a compiled head interpreted once) stays held back: it is not retired
      reserve += left - 1;
      left = 1;
    }

    gPageVa = pageVa; gPageBase = pageBase; gVpage = vpage;
    ep = runEntries(ep, left);
    req = gReq;
    saved = gLeft;
    left = 0;
    if (jitHead != 0) {
      if (load<u32>(jitDirEntry(jitHead)) == <u32>jitHead) store<u8>(jitHead, <u8>H_JIT, E_HANDLER);
      jitHead = 0;
    }
    if (req == REQ_JUMP) pc = gPc;

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
    if (req == REQ_HOT) {
      // the host compiles the block now (synchronously; it may mark ep compiled), then the entry is dispatched again
      if (load<u8>(ep, E_HANDLER) != <u8>H_JIT) jitCompile(hart, <u32>ep);
      continue;
    }
    if (req == REQ_JIT_HEAD) {
      if (left <= 0) continue; // the block used up the budget: stop before the head
      // run the head's own handler for one instruction, then mark it compiled again (above)
      stampHandler(ep, hb, pc, <u32>load<u8>(ep, O.E_ADV) >> O.E_SHIFT);
      jitHead = ep;
      // a breakpoint page (the hart's own or the debugger list's) single-steps at the top of the loop anyway
      if (!bpPage) { reserve = left - 1; left = 1; }
      continue;
    }
    if (req == REQ_DECODE) {
      if (!decodeAt(hb, ep, pc, pagePa)) {
        pc = getPc(hb);
        if (fetchStorm) { stop = STOP_FAULT_LOOP; break; }
        vpage = 0xffffffffffffffff;
        deriveDataPath(hb);
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
        deriveDataPath(hb);
      }
      if (kind == S_HALT) { stop = STOP_HALTED; break; }
      if (kind == S_WFI) { stop = STOP_WFI; break; }
      if (kind == S_STORM) { stop = STOP_FAULT_LOOP; break; }
      if (kind == S_UART_FULL) { stop = STOP_UART_FULL; break; }
      if ((r & S_CTX) != 0 && kind == S_NEXT) {
        setPc(hb, pc);
        if (checkInterrupts(hb)) { pc = getPc(hb); stop = STOP_FAULT_LOOP; break; }
        pc = getPc(hb);
        deriveDataPath(hb);
      }
      if (atomic.load<u32>(CTRL_BASE + CTRL_PAUSE) != 0) { stop = STOP_PAUSE; break; }
    }
  }
  setPc(hb, pc);
  retire(hb, <u64>(mark - left));
  if (stop == STOP_BREAKPOINT) {
    store<u64>(hb + H_BP_STOPPED, pc);
    store<u32>(hb + H_BP_STOPPED_ON, 1);
  }
  return finish(hb, retired0, stop);
}

// ---- entry fields (absolute register addresses, see ops.ts)
@inline function rs1v(ep: usize): u64 { return load<u64>(<usize>load<u32>(ep, O.E_RS1)); }
@inline function rs2v(ep: usize): u64 { return load<u64>(<usize>load<u32>(ep, O.E_RS2)); }
@inline function immv(ep: usize): u64 { return <u64>load<i32>(ep, O.E_IMM); }
@inline function setRd(ep: usize, v: u64): void { store<u64>(<usize>load<u32>(ep, O.E_RD), v); }
/** RAM offset of a load/store's address (rs1 + imm - RAM base). */
@inline function ramOff(ep: usize): u64 { return rs1v(ep) + load<u64>(ep, O.E_IMM_RAM); }
/** The entry's decode-time i64 (see E_WIDE): the sign-extended immediate of register-immediate ops. */
@inline function wide(ep: usize): u64 { return load<u64>(ep, D.E_WIDE); }
/** Page va + the entry's decode-time pc-relative value (auipc result, jal/jalr link). */
@inline function pcRel(ep: usize): u64 { return gPageVa + load<u64>(ep, D.E_WIDE); }
/** Guest pc of the entry at ep (on the current page). */
@inline function pcOf(ep: usize): u64 { return gPageVa + <u64>((ep - gPageBase) >> O.E_SHIFT); }

/** xlate's miss result. */
const XMISS: u64 = 0xffffffffffffffff;

/**
 * RAM offset of a translated data access from the data TLB set tlb, or XMISS. `off` is the access's address minus
 * RAM_GUEST_BASE (what ramOff computes); m = size - 1, so a misaligned access never matches (step() completes it).
 */
@inline function xlate(off: u64, m: u64, tlb: usize): u64 {
  const va = off + <u64>RAM_GUEST_BASE;
  const e = tlb + <usize>((va >> 8) & 0xff0);
  if ((va & (0xfffffffffffff000 | m)) != load<u64>(e)) return XMISS;
  return va + load<u64>(e, 8);
}

/** Leaves the hot loop: records why and how much budget is left. */
@inline function leave(ep: usize, left: i32, req: i32): usize {
  gLeft = left;
  gReq = req;
  return ep;
}

/**
 * Entry of a taken branch/jal target at pc-relative imm; 0 (target pc in gPc) when it is on another page; 1 when the
 * arrival made the target hot (its entry in gHotEp: report it, REQ_HOT). Arrivals are counted in the target's E_HEAT.
 */
@inline function relTarget(ep: usize): usize {
  const nep = ep + <usize>(load<i32>(ep, O.E_IMM) << O.E_SHIFT);
  if (nep - gPageBase < (0x1000 << O.E_SHIFT)) {
    const heat = <u32>load<u8>(nep, E_HEAT) + 1;
    store<u8>(nep, <u8>heat, E_HEAT);
    if (heat != gHot) return nep;
    gHotEp = nep;
    return 1;
  }
  gPc = pcOf(ep) + immv(ep);
  return 0;
}

/** This hart's compiled-block directory entry for the entry at ep. */
@inline function jitDirEntry(ep: usize): usize {
  return gJitDir + (<usize>((ep >> 5) & (JIT_DIR_ENTRIES - 1)) << 4);
}

/**
 * Runs the compiled block whose head is gEp with gLeft + 1 instructions of budget (the head's own count included).
 * Returns the next entry on this page; 0 when the block left the page (next pc in gPc); 1 when the head must be
 * interpreted instead (budget shorter than the block, directory entry taken by another head, or the block stopped
 * at its first instruction). gLeft = the budget left afterwards. Out of line: the call must not spill the hot loop.
 */
function jitEnter(): usize {
  const ep = gEp;
  const avail = gLeft + 1;
  gLeft = avail;
  const d = jitDirEntry(ep);
  if (load<u32>(d) != <u32>ep) return 1;
  if (<u32>avail < load<u32>(d, 8)) return 1;
  const hb = gHb;
  const next = call_indirect<usize>(load<u32>(d, 4), hb, gPageVa, ep, avail);
  gLeft = avail - <i32>load<u32>(hb + H_JIT_N);
  if (next == 0) gPc = load<u64>(hb + H_JIT_PC);
  return next;
}

/** Entry of a jalr target (rs1 + imm) & ~1, or 0 (target pc in gPc) when it is on another page. */
@inline function jalrTarget(ep: usize): usize {
  const t = rs1v(ep) + immv(ep); // bit 0 is cleared below (it does not affect the page)
  if ((t >> 12) == gVpage) return gPageBase + (<usize>(t & 0xffe) << O.E_SHIFT);
  gPc = t & ~(<u64>1);
  return 0;
}

/** Executes the high-multiply entry ep (op h); out of line, so its temporaries stay out of the hot loop. */
function mulHigh(h: u32, ep: usize): void {
  const a = rs1v(ep);
  const b = rs2v(ep);
  setRd(ep, h == O.OP_MULHU ? mulhu(a, b) : h == O.OP_MULH ? mulh(a, b) : mulhsu(a, b));
}

/**
 * The hot loop: runs decoded entries from ep while the budget lasts; returns the entry it stopped at
 * (why: gReq, budget left: gLeft). Each case is one (handler, length) pair, so ep advances by a constant.
 */
function runEntries(ep: usize, left: i32): usize {
  while (left > 0) {
    const h = <u32>load<u8>(ep, E_HANDLER);
    left--;
    switch (h) {
      case H_DECODE: return leave(ep, left + 1, REQ_DECODE);
      case H_PAGE_END: return leave(ep, left + 1, REQ_LOOKUP);
      // ---- register-immediate
      case O.OP_LUI: { setRd(ep, wide(ep)); ep += ADV4; continue; }
      case D.HC_LUI: { setRd(ep, wide(ep)); ep += ADV2; continue; }
      case O.OP_AUIPC: { setRd(ep, pcRel(ep)); ep += ADV4; continue; }
      case D.H_LI: { setRd(ep, wide(ep)); ep += ADV4; continue; }
      case D.HC_LI: { setRd(ep, wide(ep)); ep += ADV2; continue; }
      case D.H_MV: { setRd(ep, rs1v(ep)); ep += ADV4; continue; }
      case D.HC_MV: { setRd(ep, rs2v(ep)); ep += ADV2; continue; }
      case O.OP_ADDI: { setRd(ep, rs1v(ep) + wide(ep)); ep += ADV4; continue; }
      case D.HC_ADDI: { setRd(ep, rs1v(ep) + wide(ep)); ep += ADV2; continue; }
      case O.OP_SLTI: { setRd(ep, <u64>(<i64>rs1v(ep) < <i64>wide(ep))); ep += ADV4; continue; }
      case O.OP_SLTIU: { setRd(ep, <u64>(rs1v(ep) < wide(ep))); ep += ADV4; continue; }
      case O.OP_XORI: { setRd(ep, rs1v(ep) ^ wide(ep)); ep += ADV4; continue; }
      case O.OP_ORI: { setRd(ep, rs1v(ep) | wide(ep)); ep += ADV4; continue; }
      case O.OP_ANDI: { setRd(ep, rs1v(ep) & wide(ep)); ep += ADV4; continue; }
      case D.HC_ANDI: { setRd(ep, rs1v(ep) & wide(ep)); ep += ADV2; continue; }
      case O.OP_SLLI: { setRd(ep, rs1v(ep) << wide(ep)); ep += ADV4; continue; }
      case D.HC_SLLI: { setRd(ep, rs1v(ep) << wide(ep)); ep += ADV2; continue; }
      case O.OP_SRLI: { setRd(ep, rs1v(ep) >> wide(ep)); ep += ADV4; continue; }
      case D.HC_SRLI: { setRd(ep, rs1v(ep) >> wide(ep)); ep += ADV2; continue; }
      case O.OP_SRAI: { setRd(ep, <u64>(<i64>rs1v(ep) >> <i64>wide(ep))); ep += ADV4; continue; }
      case D.HC_SRAI: { setRd(ep, <u64>(<i64>rs1v(ep) >> <i64>wide(ep))); ep += ADV2; continue; }
      case O.OP_ADDIW: { setRd(ep, sxw(rs1v(ep) + wide(ep))); ep += ADV4; continue; }
      case D.HC_ADDIW: { setRd(ep, sxw(rs1v(ep) + wide(ep))); ep += ADV2; continue; }
      case O.OP_SLLIW: { setRd(ep, sxw(<u64>(<u32>rs1v(ep) << <u32>wide(ep)))); ep += ADV4; continue; }
      case O.OP_SRLIW: { setRd(ep, sxw(<u64>(<u32>rs1v(ep) >> <u32>wide(ep)))); ep += ADV4; continue; }
      case O.OP_SRAIW: { setRd(ep, <u64><i64>(<i32>rs1v(ep) >> <i32>wide(ep))); ep += ADV4; continue; }
      // ---- register-register
      case O.OP_ADD: { setRd(ep, rs1v(ep) + rs2v(ep)); ep += ADV4; continue; }
      case D.HC_ADD: { setRd(ep, rs1v(ep) + rs2v(ep)); ep += ADV2; continue; }
      case O.OP_SUB: { setRd(ep, rs1v(ep) - rs2v(ep)); ep += ADV4; continue; }
      case D.HC_SUB: { setRd(ep, rs1v(ep) - rs2v(ep)); ep += ADV2; continue; }
      case O.OP_SLL: { setRd(ep, rs1v(ep) << rs2v(ep)); ep += ADV4; continue; }
      case O.OP_SLT: { setRd(ep, <u64>(<i64>rs1v(ep) < <i64>rs2v(ep))); ep += ADV4; continue; }
      case O.OP_SLTU: { setRd(ep, <u64>(rs1v(ep) < rs2v(ep))); ep += ADV4; continue; }
      case O.OP_XOR: { setRd(ep, rs1v(ep) ^ rs2v(ep)); ep += ADV4; continue; }
      case D.HC_XOR: { setRd(ep, rs1v(ep) ^ rs2v(ep)); ep += ADV2; continue; }
      case O.OP_SRL: { setRd(ep, rs1v(ep) >> rs2v(ep)); ep += ADV4; continue; }
      case O.OP_SRA: { setRd(ep, <u64>(<i64>rs1v(ep) >> <i64>rs2v(ep))); ep += ADV4; continue; }
      case O.OP_OR: { setRd(ep, rs1v(ep) | rs2v(ep)); ep += ADV4; continue; }
      case D.HC_OR: { setRd(ep, rs1v(ep) | rs2v(ep)); ep += ADV2; continue; }
      case O.OP_AND: { setRd(ep, rs1v(ep) & rs2v(ep)); ep += ADV4; continue; }
      case D.HC_AND: { setRd(ep, rs1v(ep) & rs2v(ep)); ep += ADV2; continue; }
      case O.OP_ADDW: { setRd(ep, sxw(rs1v(ep) + rs2v(ep))); ep += ADV4; continue; }
      case D.HC_ADDW: { setRd(ep, sxw(rs1v(ep) + rs2v(ep))); ep += ADV2; continue; }
      case O.OP_SUBW: { setRd(ep, sxw(rs1v(ep) - rs2v(ep))); ep += ADV4; continue; }
      case D.HC_SUBW: { setRd(ep, sxw(rs1v(ep) - rs2v(ep))); ep += ADV2; continue; }
      case O.OP_SLLW: { setRd(ep, sxw(<u64>(<u32>rs1v(ep) << <u32>rs2v(ep)))); ep += ADV4; continue; }
      case O.OP_SRLW: { setRd(ep, sxw(<u64>(<u32>rs1v(ep) >> <u32>rs2v(ep)))); ep += ADV4; continue; }
      case O.OP_SRAW: { setRd(ep, <u64><i64>(<i32>rs1v(ep) >> <i32>rs2v(ep))); ep += ADV4; continue; }
      // ---- M
      case O.OP_MUL: { setRd(ep, rs1v(ep) * rs2v(ep)); ep += ADV4; continue; }
      case O.OP_MULW: { setRd(ep, sxw(rs1v(ep) * rs2v(ep))); ep += ADV4; continue; }
      // divisions: the budget passes through a global around the divide (x86 div needs fixed registers)
      case O.OP_DIV: { gLeft = left; setRd(ep, div(rs1v(ep), rs2v(ep))); left = gLeft; ep += ADV4; continue; }
      case O.OP_DIVU: { gLeft = left; setRd(ep, divu(rs1v(ep), rs2v(ep))); left = gLeft; ep += ADV4; continue; }
      case O.OP_REM: { gLeft = left; setRd(ep, rem(rs1v(ep), rs2v(ep))); left = gLeft; ep += ADV4; continue; }
      case O.OP_REMU: { gLeft = left; setRd(ep, remu(rs1v(ep), rs2v(ep))); left = gLeft; ep += ADV4; continue; }
      case O.OP_DIVW: { gLeft = left; setRd(ep, divw(rs1v(ep), rs2v(ep))); left = gLeft; ep += ADV4; continue; }
      case O.OP_DIVUW: { gLeft = left; setRd(ep, divuw(rs1v(ep), rs2v(ep))); left = gLeft; ep += ADV4; continue; }
      case O.OP_REMW: { gLeft = left; setRd(ep, remw(rs1v(ep), rs2v(ep))); left = gLeft; ep += ADV4; continue; }
      case O.OP_REMUW: { gLeft = left; setRd(ep, remuw(rs1v(ep), rs2v(ep))); left = gLeft; ep += ADV4; continue; }
      // high multiplies: out of line (their temporaries would spill the loop state); ep and the budget pass
      // through globals so that neither is live across the call. Two call sites keep Binaryen from inlining it.
      case O.OP_MULHU: {
        gEp = ep; gLeft = left;
        mulHigh(h, ep);
        ep = gEp + ADV4; left = gLeft;
        continue;
      }
      case O.OP_MULH: case O.OP_MULHSU: {
        gEp = ep; gLeft = left;
        mulHigh(h, ep);
        ep = gEp + ADV4; left = gLeft;
        continue;
      }
      // ---- jumps (the link is written after the target is computed: rd may equal rs1)
      case O.OP_JAL: {
        setRd(ep, pcRel(ep));
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case D.HC_JAL: {
        setRd(ep, pcRel(ep));
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case D.H_J: {
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case D.H_JR: {
        const n = jalrTarget(ep);
        if (n != 0) { ep = n; continue; }
        return leave(ep, left, REQ_JUMP);
      }
      case O.OP_JALR: {
        const n = jalrTarget(ep);
        setRd(ep, pcRel(ep));
        if (n != 0) { ep = n; continue; }
        return leave(ep, left, REQ_JUMP);
      }
      case D.HC_JALR: {
        const n = jalrTarget(ep);
        setRd(ep, pcRel(ep));
        if (n != 0) { ep = n; continue; }
        return leave(ep, left, REQ_JUMP);
      }
      // ---- branches: fall through by a constant, taken by the decoded delta
      case O.OP_BEQ: {
        if (rs1v(ep) != rs2v(ep)) { ep += ADV4; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case D.HC_BEQ: {
        if (rs1v(ep) != rs2v(ep)) { ep += ADV2; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case D.H_BEQZ: {
        if (rs1v(ep) != 0) { ep += ADV4; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case D.HC_BEQZ: {
        if (rs1v(ep) != 0) { ep += ADV2; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case D.H_BNEZ: {
        if (rs1v(ep) == 0) { ep += ADV4; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case D.HC_BNEZ: {
        if (rs1v(ep) == 0) { ep += ADV2; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case O.OP_BNE: {
        if (rs1v(ep) == rs2v(ep)) { ep += ADV4; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case D.HC_BNE: {
        if (rs1v(ep) == rs2v(ep)) { ep += ADV2; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case O.OP_BLT: {
        if (!(<i64>rs1v(ep) < <i64>rs2v(ep))) { ep += ADV4; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case O.OP_BGE: {
        if (<i64>rs1v(ep) < <i64>rs2v(ep)) { ep += ADV4; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case O.OP_BLTU: {
        if (!(rs1v(ep) < rs2v(ep))) { ep += ADV4; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      case O.OP_BGEU: {
        if (rs1v(ep) < rs2v(ep)) { ep += ADV4; continue; }
        const n = relTarget(ep);
        if (n > 1) { ep = n; continue; }
        if (n == 1) return leave(gHotEp, left, REQ_HOT);
        return leave(ep, left, REQ_JUMP);
      }
      // ---- loads: one unsigned compare against a limit that is 0 when data accesses are translated
      case O.OP_LD: {
        let off = ramOff(ep);
        if (off >= gRamLim) { off = xlate(off, 7, gLdTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        setRd(ep, ramLoad64(<usize>off)); ep += ADV4; continue;
      }
      case D.HC_LD: {
        let off = ramOff(ep);
        if (off >= gRamLim) { off = xlate(off, 7, gLdTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        setRd(ep, ramLoad64(<usize>off)); ep += ADV2; continue;
      }
      case O.OP_LW: {
        let off = ramOff(ep);
        if (off >= gRamLim) { off = xlate(off, 3, gLdTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        setRd(ep, <u64>load<i32>(<usize>off, RAM_WASM_BASE)); ep += ADV4; continue;
      }
      case D.HC_LW: {
        let off = ramOff(ep);
        if (off >= gRamLim) { off = xlate(off, 3, gLdTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        setRd(ep, <u64>load<i32>(<usize>off, RAM_WASM_BASE)); ep += ADV2; continue;
      }
      case O.OP_LWU: {
        let off = ramOff(ep);
        if (off >= gRamLim) { off = xlate(off, 3, gLdTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        setRd(ep, <u64>load<u32>(<usize>off, RAM_WASM_BASE)); ep += ADV4; continue;
      }
      case O.OP_LH: {
        let off = ramOff(ep);
        if (off >= gRamLim) { off = xlate(off, 1, gLdTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        setRd(ep, <u64>load<i16>(<usize>off, RAM_WASM_BASE)); ep += ADV4; continue;
      }
      case O.OP_LHU: {
        let off = ramOff(ep);
        if (off >= gRamLim) { off = xlate(off, 1, gLdTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        setRd(ep, <u64>load<u16>(<usize>off, RAM_WASM_BASE)); ep += ADV4; continue;
      }
      case O.OP_LB: {
        let off = ramOff(ep);
        if (off >= gRamLim) { off = xlate(off, 0, gLdTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        setRd(ep, <u64>load<i8>(<usize>off, RAM_WASM_BASE)); ep += ADV4; continue;
      }
      case O.OP_LBU: {
        let off = ramOff(ep);
        if (off >= gRamLim) { off = xlate(off, 0, gLdTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        setRd(ep, <u64>load<u8>(<usize>off, RAM_WASM_BASE)); ep += ADV4; continue;
      }
      // ---- stores
      case O.OP_SD: {
        let off = ramOff(ep);
        if (off >= gStLim) { off = xlate(off, 7, gStTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        else if (off - gThLo < 16) return leave(ep, left + 1, REQ_SLOW);
        ramStore64(<usize>off, rs2v(ep)); ep += ADV4; continue;
      }
      case D.HC_SD: {
        let off = ramOff(ep);
        if (off >= gStLim) { off = xlate(off, 7, gStTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        else if (off - gThLo < 16) return leave(ep, left + 1, REQ_SLOW);
        ramStore64(<usize>off, rs2v(ep)); ep += ADV2; continue;
      }
      case O.OP_SW: {
        let off = ramOff(ep);
        if (off >= gStLim) { off = xlate(off, 3, gStTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        else if (off - gThLo < 16) return leave(ep, left + 1, REQ_SLOW);
        store<u32>(<usize>off, <u32>rs2v(ep), RAM_WASM_BASE); ep += ADV4; continue;
      }
      case D.HC_SW: {
        let off = ramOff(ep);
        if (off >= gStLim) { off = xlate(off, 3, gStTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        else if (off - gThLo < 16) return leave(ep, left + 1, REQ_SLOW);
        store<u32>(<usize>off, <u32>rs2v(ep), RAM_WASM_BASE); ep += ADV2; continue;
      }
      case O.OP_SH: {
        let off = ramOff(ep);
        if (off >= gStLim) { off = xlate(off, 1, gStTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        else if (off - gThLo < 16) return leave(ep, left + 1, REQ_SLOW);
        store<u16>(<usize>off, <u16>rs2v(ep), RAM_WASM_BASE); ep += ADV4; continue;
      }
      case O.OP_SB: {
        let off = ramOff(ep);
        if (off >= gStLim) { off = xlate(off, 0, gStTlb); if (off == XMISS) return leave(ep, left + 1, REQ_SLOW); }
        else if (off - gThLo < 16) return leave(ep, left + 1, REQ_SLOW);
        store<u8>(<usize>off, <u8>rs2v(ep), RAM_WASM_BASE); ep += ADV4; continue;
      }
      // head of a compiled block
      case H_JIT: {
        gEp = ep; gLeft = left;
        const n = jitEnter();
        left = gLeft;
        if (n > 1) { ep = n; continue; }
        return leave(gEp, left, n == 1 ? REQ_JIT_HEAD : REQ_JUMP);
      }
      // full barrier: a locked RMW on this hart's sink slot
      case O.OP_FENCE: { atomic.add<u64>(gHb + H_XSINK, 0); ep += ADV4; continue; }
      default: return leave(ep, left + 1, REQ_SLOW);
    }
  }
  return leave(ep, 0, REQ_NONE);
}

function finish(hb: usize, retired0: u64, stop: i32): i32 {
  store<u64>(hb + H_LAST_RUN, load<u64>(hb + H_RETIRED) - retired0);
  store<u32>(hb + H_STOP, stop);
  return stop;
}
