// Wasm entry points of the hart engine: machine/hart initialisation, run slices (one, or a batch of scheduling decisions), decode-cache flush and host CSR access.
import {
  CTRL_BASE, CTRL_MAGIC, DTLB_EMPTY, DTLB_SET_SIZE, CTRL_MTIMECMP, CTRL_NHARTS, CTRL_RAM_SIZE, DC_SLOTS, DC_TAGS, H_GEN, H_PRIV, H_RESV,
  H_FAULT_CAUSE, H_HOST_TRAP, H_STOP, H_STORM_RET, HART_STATE_SIZE, MAX_HARTS, STOP_ECALL, STOP_FAULT_LOOP,
  STOP_USER_TRAP,
} from '../src/machine/layout';
import {
  CTRL_MTIME, H_LAST_RUN, SB_CAP, SB_ENTRIES, SB_HART_INSNS, SB_MTIME_DIV, SB_MTIME_REM, SB_PARTIES, SB_PRNG, SB_QUANTUM, SB_RUNNABLE,
  SCHED_BATCH_BASE, STOP_BUDGET,
} from '../src/machine/layout';
import { CAUSE_ECALL_U } from './causes';
import { csrRead, csrValue, csrWrite } from './csr';
import { dcacheBase } from './dcache';
import { PRIV_M, hartBase, setPc } from './hart';
import { tlbFlush } from './mmu';
import { runHart } from './run';

/** Initialises the control block for nharts harts and ramSize bytes of RAM (the host zeroed the memory). */
export function init(nharts: i32, ramSize: u64): void {
  store<u32>(CTRL_BASE + CTRL_MAGIC, 0x424c5446); // 'FTLB'
  store<u32>(CTRL_BASE + CTRL_NHARTS, <u32>nharts);
  store<u64>(CTRL_BASE + CTRL_RAM_SIZE, ramSize);
  memory.fill(DTLB_EMPTY, 0xff, DTLB_SET_SIZE); // the data TLB set that never hits
  for (let h = 0; h < MAX_HARTS; h++) store<u64>(<usize>(CTRL_BASE + CTRL_MTIMECMP) + (<usize>h << 3), 0xffffffffffffffff);
  for (let h = 0; h < nharts; h++) resetHart(h, 0x80000000);
}

/** Resets a hart: registers and CSRs zero, M-mode, pc, empty decode cache and TLB. */
export function resetHart(hart: i32, pc: u64): void {
  const hb = hartBase(hart);
  memory.fill(hb, 0, HART_STATE_SIZE);
  memory.fill(dcacheBase(hart) + DC_TAGS, 0, DC_SLOTS * 16);
  store<u32>(hb + H_PRIV, PRIV_M);
  store<u32>(hb + H_GEN, 1);
  store<u64>(hb + H_RESV, 0xffffffffffffffff);
  store<u64>(hb + H_STORM_RET, 0xffffffffffffffff);
  tlbFlush(hb);
  setPc(hb, pc);
}

/** Runs at most budget instructions on hart; returns a STOP_* reason (layout.ts). */
export function run(hart: i32, budget: i32): i32 {
  const stop = runHart(hart, budget);
  if (stop != STOP_FAULT_LOOP) return stop;
  const hb = hartBase(hart);
  if (load<u32>(hb + H_HOST_TRAP) == 0) return stop;
  // a U-mode exception handed to the host (CTRL_FLAG_HOST_ECALL; see trap.ts)
  store<u32>(hb + H_HOST_TRAP, 0);
  const s = load<u64>(hb + H_FAULT_CAUSE) == CAUSE_ECALL_U ? STOP_ECALL : STOP_USER_TRAP;
  store<u32>(hb + H_STOP, s);
  return s;
}

// sfc32 state of the host scheduler's PRNG while a batch draws (src/util/prng.ts: the same generator, bit for bit)
let sa: u32 = 0;
let sb: u32 = 0;
let sc: u32 = 0;
let sd: u32 = 0;

/** Next 32-bit value of the scheduler's generator (Prng.u32). */
function prngU32(): u32 {
  const t = sa + sb + sd;
  sd = sd + 1;
  sa = sb ^ (sb >> 9);
  sb = sc + (sc << 3);
  sc = rotl<u32>(sc, 21) + t;
  return t;
}

/** Uniform integer in [0, n) by rejection sampling, exactly as Prng.below(n). */
function prngBelow(n: u32): u32 {
  if (n <= 1) return 0;
  const limit = (<u64>0x100000000 / <u64>n) * <u64>n;
  let v = prngU32();
  while (<u64>v >= limit) v = prngU32();
  return v % n;
}

/**
 * Deterministic mode: draws and runs up to n scheduling decisions back to back, as the host's scheduler would one at
 * a time (DeterministicScheduler.next with no host agent: a runnable hart, then a budget of 1 + below(quantum),
 * capped; then run(hart, budget); then mtime advances one tick per SB_MTIME_DIV instructions). Stops after the first
 * decision that did not end with STOP_BUDGET. Writes every decision into its entry, each runnable hart's retired
 * count, the PRNG state and the mtime remainder back into the header; returns the number of decisions run.
 */
export function runBatch(n: i32): i32 {
  const hdr = <usize>SCHED_BATCH_BASE;
  sa = load<u32>(hdr + SB_PRNG);
  sb = load<u32>(hdr + SB_PRNG + 4);
  sc = load<u32>(hdr + SB_PRNG + 8);
  sd = load<u32>(hdr + SB_PRNG + 12);
  const quantum = load<u32>(hdr + SB_QUANTUM);
  const cap = load<u32>(hdr + SB_CAP);
  const parties = load<u32>(hdr + SB_PARTIES);
  const div = <u64>load<u32>(hdr + SB_MTIME_DIV);
  let rem = <u64>load<u32>(hdr + SB_MTIME_REM);
  for (let p: u32 = 0; p < parties; p++) store<f64>(hdr + SB_HART_INSNS + (<usize>load<u32>(hdr + SB_RUNNABLE + (<usize>p << 2)) << 3), 0);
  let i = 0;
  while (i < n) {
    const hart = load<i32>(hdr + SB_RUNNABLE + (<usize>prngBelow(parties) << 2));
    const drawn: u32 = prngBelow(quantum) + 1;
    const budget = drawn < cap ? drawn : cap;
    const stop = run(hart, <i32>budget);
    const retired = load<u64>(hartBase(hart) + H_LAST_RUN);
    const e = hdr + SB_ENTRIES + (<usize>i << 4);
    store<u32>(e, <u32>hart);
    store<u32>(e, budget, 4);
    store<u32>(e, <u32>retired, 8);
    store<u32>(e, <u32>stop, 12);
    const sum = hdr + SB_HART_INSNS + (<usize>hart << 3);
    store<f64>(sum, load<f64>(sum) + <f64>retired);
    i++;
    const t = rem + retired;
    if (t < div) rem = t;
    else {
      rem = t % div;
      atomic.store<u64>(CTRL_BASE + CTRL_MTIME, atomic.load<u64>(CTRL_BASE + CTRL_MTIME) + t / div);
    }
    if (stop != STOP_BUDGET) break;
  }
  store<u32>(hdr + SB_PRNG, sa);
  store<u32>(hdr + SB_PRNG + 4, sb);
  store<u32>(hdr + SB_PRNG + 8, sc);
  store<u32>(hdr + SB_PRNG + 12, sd);
  store<u32>(hdr + SB_MTIME_REM, <u32>rem);
  return i;
}

/** Empties the hart's TLB (the host changed page tables it may have cached). */
export function flushTlb(hart: i32): void {
  tlbFlush(hartBase(hart));
}

/** Empties the hart's decoded-instruction cache (like the hart executing fence.i). */
export function flushIcache(hart: i32): void {
  const hb = hartBase(hart);
  store<u32>(hb + H_GEN, load<u32>(hb + H_GEN) + 1);
}

/** Host CSR read without privilege checks: 1 and the value in csrResult(), or 0 if no such CSR. */
export function csrGet(hart: i32, num: i32): i32 {
  return csrRead(hartBase(hart), <u32>num) ? 1 : 0;
}

export function csrResult(): u64 {
  return csrValue;
}

/** Host CSR write (WARL masks apply, no privilege checks); 0 if no such CSR. */
export function csrSet(hart: i32, num: i32, value: u64): i32 {
  const hb = hartBase(hart);
  if (!csrRead(hb, <u32>num)) return 0;
  return csrWrite(hb, <u32>num, value) ? 1 : 0;
}
