// Arch safety profiles: which instruction changes another hart may execute concurrently, mapped onto RISC-V instruction classes, and the fetch granularity each profile gives the engine.
import { CheckError } from './errors.js';

/** What a profile says about one concurrent (old -> new) instruction change; null when it is allowed. */
export type PairVerdict = null | string;

export interface ArchProfile {
  readonly name: ProfileName;
  /** Engine fetch granularity under this profile (Machine option `fetch`). */
  readonly fetch: 'ziccif' | 'parcels';
  /** One line: the rule, for tables and replay output. */
  readonly rule: string;
  /** Where the rule comes from. */
  readonly source: string;
  /**
   * May an instruction at `addr` change from `old` to `new` (little-endian bytes of one instruction each) while
   * another hart may be executing it? Returns null when allowed, else the reason.
   */
  concurrent(addr: number, old: Uint8Array, nu: Uint8Array): PairVerdict;
}

export type ProfileName = 'riscv' | 'arm64' | 'armv7' | 's390';

/** RISC-V instruction classes the profiles speak of (the RISC-V counterparts of B, BL, NOP, BKPT, SVC...). */
export type InsnClass = 'nop' | 'jal' | 'jalr' | 'branch' | 'ebreak' | 'ecall' | 'auipc' | 'other';

function word(b: Uint8Array): number {
  let w = 0;
  for (let i = b.length - 1; i >= 0; i--) w = (w * 256 + b[i]!) >>> 0;
  return w >>> 0;
}

/** The class of a 16- or 32-bit RISC-V instruction given as bytes. */
export function insnClass(b: Uint8Array): InsnClass {
  const w = word(b);
  if (b.length === 2) {
    if (w === 0x0001) return 'nop'; // c.nop
    if (w === 0x9002) return 'ebreak'; // c.ebreak
    const op = w & 3;
    const f3 = w >>> 13;
    if (op === 1 && (f3 === 5 || f3 === 1)) return 'jal'; // c.j / c.jal
    if (op === 1 && (f3 === 6 || f3 === 7)) return 'branch'; // c.beqz / c.bnez
    if (op === 2 && f3 === 4 && ((w >>> 2) & 0x1f) === 0 && ((w >>> 7) & 0x1f) !== 0) return 'jalr'; // c.jr / c.jalr
    return 'other';
  }
  if (w === 0x00000013) return 'nop';
  if (w === 0x00100073) return 'ebreak';
  if (w === 0x00000073) return 'ecall';
  switch (w & 0x7f) {
    case 0x6f:
      return 'jal';
    case 0x67:
      return 'jalr';
    case 0x63:
      return 'branch';
    case 0x17:
      return 'auipc';
    default:
      return 'other';
  }
}

function listed(allowed: readonly InsnClass[], label: string) {
  return (addr: number, old: Uint8Array, nu: Uint8Array): PairVerdict => {
    const a = insnClass(old);
    const b = insnClass(nu);
    if (allowed.includes(a) && allowed.includes(b)) return null;
    const bad = !allowed.includes(a) ? `the old instruction (${a})` : `the new instruction (${b})`;
    return `${label} allows concurrent modification only between ${allowed.join(', ')}; ${bad} is not one of them`;
  };
}

const PROFILES: Record<ProfileName, ArchProfile> = {
  riscv: {
    name: 'riscv',
    fetch: 'ziccif',
    rule: 'Ziccif: a naturally aligned 32-bit fetch is atomic, so any aligned instruction word may change under a running hart; a 32-bit instruction at 2 mod 4 may tear',
    source: 'RVA20/22/23 profiles (Ziccif); Linux Documentation/arch/riscv/cmodx.rst (0e07200b2af6); reference ftrace-schemes.md §9.3',
    // every instruction class may change; whether a fetch can tear (2 mod 4) is the torn-fetch invariant's business
    concurrent: () => null,
  },
  arm64: {
    name: 'arm64',
    fetch: 'ziccif',
    rule: 'ARMv8-A B2.2.5: only B, BL, NOP, BRK, SVC/HVC/SMC, ISB may be modified while another PE executes them (RISC-V: jal, jalr, nop, ebreak, ecall)',
    source: 'ARM DDI0487 §B2.6.5 (Issue A.a) / B2.2.5, as quoted in arch/arm64/kernel/insn.c; reference ftrace-schemes.md §9.1',
    concurrent: listed(['nop', 'jal', 'jalr', 'ebreak', 'ecall'], 'arm64 (B2.2.5)'),
  },
  armv7: {
    name: 'armv7',
    fetch: 'parcels',
    rule: 'ARMv7 A3.5.4: ARM state B, BL, NOP, BKPT, SVC; Thumb 16-bit B, NOP, BKPT, SVC only; 32-bit Thumb-2 instructions are fetched as two parcels',
    source: 'ARM DDI 0406C §A3.5.4 "Concurrent modification and execution of instructions"; reference ftrace-schemes.md §9.2',
    concurrent: (addr, old, nu) => {
      // a 16-bit (Thumb) instruction: only B, NOP, BKPT, SVC (RISC-V: c.j, c.nop, c.ebreak); 32-bit: the ARM-state list
      if (old.length === 2 || nu.length === 2) return listed(['nop', 'jal', 'ebreak'], 'armv7 Thumb (A3.5.4)')(addr, old, nu);
      return listed(['nop', 'jal', 'jalr', 'ebreak', 'ecall'], 'armv7 ARM state (A3.5.4)')(addr, old, nu);
    },
  },
  s390: {
    name: 's390',
    fetch: 'ziccif',
    rule: 's390: the only on-the-fly change is the condition mask of a branch (RISC-V: a branch whose funct3 alone changes, e.g. bne x0,x0 <-> beq x0,x0)',
    source: 'seed 004 (s390 hotpatch, mask flip); reference ftrace-schemes.md §7 and §9.4',
    concurrent: (_addr, old, nu) => {
      if (old.length === 4 && nu.length === 4 && insnClass(old) === 'branch' && insnClass(nu) === 'branch') {
        if (((word(old) ^ word(nu)) & ~0x7000) === 0) return null; // only funct3 (bits 14:12) differs
        return 's390 allows only the condition of a branch to change; this change also moves its operands or offset';
      }
      return `s390 allows only a branch condition flip under a running CPU; this changes ${insnClass(old)} into ${insnClass(nu)}`;
    },
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES) as readonly ProfileName[];

export function profileByName(name: string): ArchProfile {
  const p = (PROFILES as Record<string, ArchProfile>)[name];
  if (!p) throw new CheckError('CHECK_UNKNOWN_PROFILE', `unknown arch profile '${name}' (valid: ${PROFILE_NAMES.join(', ')})`);
  return p;
}
