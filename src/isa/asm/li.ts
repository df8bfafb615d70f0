// Materialising a 64-bit constant in a register (the `li` pseudo-instruction): a short
// lui/addi(w)/slli/srli chain, chosen like GNU as / LLVM do.

/** One step of the sequence; every step reads and writes the destination (the first reads x0). */
export interface LiStep {
  op: 'lui' | 'addi' | 'addiw' | 'slli' | 'srli';
  imm: number;
}

const sext = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);

function trailingZeros(v: bigint): number {
  let n = 0;
  let x = BigInt.asUintN(64, v);
  if (x === 0n) return 64;
  while ((x & 1n) === 0n) {
    x >>= 1n;
    n++;
  }
  return n;
}

function leadingZeros(v: bigint): number {
  let x = BigInt.asUintN(64, v);
  let n = 64;
  while (x !== 0n) {
    x >>= 1n;
    n--;
  }
  return n;
}

function generate(val: bigint, out: LiStep[]): void {
  if (val === sext(val, 32)) {
    const hi20 = Number(((val + 0x800n) >> 12n) & 0xfffffn);
    const lo12 = Number(sext(val, 12));
    if (hi20) out.push({ op: 'lui', imm: hi20 });
    if (lo12 || !hi20) out.push({ op: hi20 ? 'addiw' : 'addi', imm: lo12 });
    return;
  }
  const lo12 = sext(val, 12);
  let hi52 = BigInt.asUintN(64, val - lo12) >> 12n;
  let shift = 12 + trailingZeros(hi52);
  hi52 = sext(hi52 >> BigInt(shift - 12), 64 - shift);
  // when the rest needs more than 12 bits, shifting 12 less lets lui supply the low zeros
  if (shift > 12 && hi52 !== sext(hi52, 12) && sext(hi52 << 12n, 64) === sext(hi52 << 12n, 32)) {
    shift -= 12;
    hi52 = sext(hi52 << 12n, 64);
  }
  generate(hi52, out);
  out.push({ op: 'slli', imm: shift });
  if (lo12) out.push({ op: 'addi', imm: Number(lo12) });
}

/** The instruction steps that leave `value` (taken modulo 2^64) in a register. */
export function liSequence(value: bigint): LiStep[] {
  const val = sext(value, 64);
  const best: LiStep[] = [];
  generate(val, best);
  if (best.length <= 2) return best;
  // Alternative: build the value shifted left over its leading zeros, then shift right logically.
  const lz = leadingZeros(val);
  if (lz > 0 && lz < 64) {
    for (const fill of [(1n << BigInt(lz)) - 1n, 0n]) {
      const shifted = sext((BigInt.asUintN(64, val) << BigInt(lz)) | fill, 64);
      const alt: LiStep[] = [];
      generate(shifted, alt);
      alt.push({ op: 'srli', imm: lz });
      if (alt.length < best.length) best.splice(0, best.length, ...alt);
    }
  }
  return best;
}

/** Evaluate a step sequence (for tests and sanity checks): the final register value. */
export function runLiSequence(steps: readonly LiStep[]): bigint {
  let r = 0n;
  for (const s of steps) {
    const imm = BigInt(s.imm);
    switch (s.op) {
      case 'lui': r = sext(imm << 12n, 32); break;
      case 'addi': r = sext(r + imm, 64); break;
      case 'addiw': r = sext(r + imm, 32); break;
      case 'slli': r = sext(r << imm, 64); break;
      case 'srli': r = sext(BigInt.asUintN(64, r) >> imm, 64); break;
    }
  }
  return r;
}
