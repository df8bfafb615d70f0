// Hart state accessors: the hart block in shared memory (registers, pc, privilege, counters) and CSR storage offsets.
import {
  H_CSR, H_CYCLE, H_F, H_INSTRET, H_PC, H_PRIV, H_RETIRED, H_X, HART_BASE, HART_STATE_SIZE,
} from '../src/machine/layout';

export const PRIV_U: u32 = 0;
export const PRIV_S: u32 = 1;
export const PRIV_M: u32 = 3;

// Engine-private CSR storage inside the hart block (u64 each, from H_CSR).
export const C_MSTATUS: usize = H_CSR + 0x00;
export const C_MEDELEG: usize = H_CSR + 0x08;
export const C_MIDELEG: usize = H_CSR + 0x10;
export const C_MIE: usize = H_CSR + 0x18;
export const C_MIP: usize = H_CSR + 0x20; // software-writable bits only (SSIP/STIP/SEIP)
export const C_MTVEC: usize = H_CSR + 0x28;
export const C_MCOUNTEREN: usize = H_CSR + 0x30;
export const C_MSCRATCH: usize = H_CSR + 0x38;
export const C_MEPC: usize = H_CSR + 0x40;
export const C_MCAUSE: usize = H_CSR + 0x48;
export const C_MTVAL: usize = H_CSR + 0x50;
export const C_STVEC: usize = H_CSR + 0x58;
export const C_SCOUNTEREN: usize = H_CSR + 0x60;
export const C_SSCRATCH: usize = H_CSR + 0x68;
export const C_SEPC: usize = H_CSR + 0x70;
export const C_SCAUSE: usize = H_CSR + 0x78;
export const C_STVAL: usize = H_CSR + 0x80;
export const C_SATP: usize = H_CSR + 0x88;
export const C_MENVCFG: usize = H_CSR + 0x90;
export const C_SENVCFG: usize = H_CSR + 0x98;
export const C_MCOUNTINHIBIT: usize = H_CSR + 0xa0;
export const C_FCSR: usize = H_CSR + 0xf8; // fcsr: fflags (bits 4:0) | frm << 5
export const C_PMPCFG: usize = H_CSR + 0x100; // u64[8]: pmpcfg0, 2, ..., 14
export const C_PMPADDR: usize = H_CSR + 0x200; // u64[64]

// mstatus bits
export const MS_SIE: u64 = 1 << 1;
export const MS_MIE: u64 = 1 << 3;
export const MS_SPIE: u64 = 1 << 5;
export const MS_MPIE: u64 = 1 << 7;
export const MS_SPP: u64 = 1 << 8;
export const MS_MPP_SHIFT: u64 = 11;
export const MS_MPP: u64 = 3 << 11;
export const MS_MPRV: u64 = 1 << 17;
export const MS_SUM: u64 = 1 << 18;
export const MS_MXR: u64 = 1 << 19;
export const MS_TVM: u64 = 1 << 20;
export const MS_TW: u64 = 1 << 21;
export const MS_TSR: u64 = 1 << 22;
export const MS_XL: u64 = 0xa00000000; // UXL = SXL = 2 (64-bit), read-only
export const MS_FS: u64 = 3 << 13; // floating-point unit state: 0 Off, 1 Initial, 2 Clean, 3 Dirty
export const MS_SD: u64 = 0x8000000000000000; // read-only summary: FS == Dirty

@inline export function hartBase(hart: i32): usize {
  return <usize>HART_BASE + (<usize>hart) * <usize>HART_STATE_SIZE;
}

@inline export function hartIndex(hb: usize): u32 {
  return <u32>((hb - HART_BASE) / HART_STATE_SIZE);
}

@inline export function getX(hb: usize, r: u32): u64 {
  return load<u64>(hb + H_X + (<usize>r << 3));
}

@inline export function setX(hb: usize, r: u32, v: u64): void {
  if (r != 0) store<u64>(hb + H_X + (<usize>r << 3), v);
}

@inline export function getPc(hb: usize): u64 {
  return load<u64>(hb + H_PC);
}

@inline export function setPc(hb: usize, pc: u64): void {
  store<u64>(hb + H_PC, pc);
}

@inline export function getPriv(hb: usize): u32 {
  return load<u32>(hb + H_PRIV);
}

@inline export function setPriv(hb: usize, p: u32): void {
  store<u32>(hb + H_PRIV, p);
}

@inline export function getF(hb: usize, r: u32): u64 {
  return load<u64>(hb + H_F + (<usize>r << 3));
}

@inline export function setF(hb: usize, r: u32, v: u64): void {
  store<u64>(hb + H_F + (<usize>r << 3), v);
}

@inline export function csr(hb: usize, at: usize): u64 {
  return load<u64>(hb + at);
}

@inline export function setCsr(hb: usize, at: usize, v: u64): void {
  store<u64>(hb + at, v);
}

/** Retires n instructions: bumps the retired total and, unless inhibited, minstret and mcycle. */
export function retire(hb: usize, n: u64): void {
  if (n == 0) return;
  store<u64>(hb + H_RETIRED, load<u64>(hb + H_RETIRED) + n);
  const inhibit = load<u64>(hb + C_MCOUNTINHIBIT);
  if ((inhibit & 4) == 0) store<u64>(hb + H_INSTRET, load<u64>(hb + H_INSTRET) + n);
  if ((inhibit & 1) == 0) store<u64>(hb + H_CYCLE, load<u64>(hb + H_CYCLE) + n);
}
