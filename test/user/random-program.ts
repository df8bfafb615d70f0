// Random straight-line RV64IMC sequences as one static Linux-user program: each sequence loads x1..x31 from a
// seeded table, runs, then writes x0..x31 (256 bytes) to stdout; a differential oracle compares the dumps.
import { Prng as Rng } from '../../src/util/prng.js';
import { writeElfExecutable } from '../../src/elf/index.js';
import { encode, type OperandValues } from '../../src/isa/index.js';

export const TEXT_BASE = 0x10000;
export const DUMP_BYTES = 256;

/** The project's seeded PRNG (u32, below, range, pick). */
export { Rng };

const SPECIAL = [0n, 1n, 2n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0x8000000000000000n, 0x7fffffffffffffffn,
  0xffffffffn, 0x80000000n, 0x7fffffffn, 0xffffffff80000000n, 0x100000000n, 31n, 32n, 63n, 64n];

/** A register value: often an edge case (division, overflow, shifts), otherwise random 64 bits. */
function randomValue(rng: Rng): bigint {
  const k = rng.below(8);
  if (k < 2) return rng.pick(SPECIAL);
  if (k === 2) return BigInt.asUintN(64, BigInt(rng.range(-100, 100)));
  return (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
}

const R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];
const SHIFT64 = ['slli', 'srli', 'srai'];
const SHIFT32 = ['slliw', 'srliw', 'sraiw'];
const C_CA = ['c.and', 'c.or', 'c.xor', 'c.sub', 'c.addw', 'c.subw'];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];

interface Emitted {
  bytes: number[];
  text: string[];
}

function put(out: Emitted, mnemonic: string, ops: OperandValues): void {
  const e = encode(mnemonic, ops);
  for (let k = 0; k < e.length; k++) out.bytes.push((e.word >>> (8 * k)) & 0xff);
  out.text.push(`${mnemonic} ${Object.entries(ops).map(([f, v]) => `${f}=${v}`).join(',')}`);
}

/** One random ALU instruction (32-bit or compressed) that never writes `base` or x0. */
function randomInsn(rng: Rng, out: Emitted, base: number): void {
  const dest = (): number => {
    for (;;) {
      const r = rng.range(1, 31);
      if (r !== base) return r;
    }
  };
  const destC = (): number => rng.pick([8, 9, 10, 11, 12, 13, 14, 15].filter((r) => r !== base));
  const src = (): number => rng.range(0, 31);
  const k = rng.below(20);
  if (k < 6) put(out, rng.pick(R_OPS), { rd: dest(), rs1: src(), rs2: src() });
  else if (k < 9) put(out, rng.pick(I_OPS), { rd: dest(), rs1: src(), imm: rng.range(-2048, 2047) });
  else if (k < 10) put(out, rng.pick(SHIFT64), { rd: dest(), rs1: src(), imm: rng.range(0, 63) });
  else if (k < 11) put(out, rng.pick(SHIFT32), { rd: dest(), rs1: src(), imm: rng.range(0, 31) });
  else if (k < 12) put(out, rng.pick(['lui', 'auipc']), { rd: dest(), imm: rng.below(0x100000) });
  else if (k < 13) {
    const m = rng.pick(['c.addi', 'c.addiw', 'c.li']);
    put(out, m, { rd: dest(), imm: m === 'c.addi' ? rng.pick([-32, -7, -1, 1, 5, 31]) : rng.range(-32, 31) });
  } else if (k < 14) {
    let rd = dest();
    if (rd === 2) rd = base === 3 ? 4 : 3;
    put(out, 'c.lui', { rd, imm: rng.below(2) ? rng.range(1, 31) : rng.range(0xfffe0, 0xfffff) });
  } else if (k < 15) {
    const m = rng.pick(['c.slli', 'c.srli', 'c.srai', 'c.andi']);
    const rd = m === 'c.slli' ? dest() : destC();
    put(out, m, { rd, imm: m === 'c.andi' ? rng.range(-32, 31) : rng.range(1, 63) });
  } else if (k < 17) put(out, rng.pick(['c.mv', 'c.add']), { rd: dest(), rs2: rng.range(1, 31) });
  else if (k < 18) put(out, rng.pick(C_CA), { rd: destC(), rs2: rng.range(8, 15) });
  else {
    // a forward branch over one 32-bit instruction: control flow that stays inside the block
    put(out, rng.pick(BRANCHES), { rs1: src(), rs2: src(), imm: 8 });
    put(out, rng.pick(R_OPS), { rd: dest(), rs1: src(), rs2: src() });
  }
}

/** `length` random instructions that never write `base` or x0 (machine code and a readable listing). */
export function randomSequence(rng: Rng, length: number, base: number): Emitted {
  const out: Emitted = { bytes: [], text: [] };
  for (let i = 0; i < length; i++) randomInsn(rng, out, base);
  return out;
}

/** A seeded register value (edge cases often). */
export { randomValue };

export interface RandomBatch {
  elf: Uint8Array;
  /** Per sequence: its base register and instruction list (for failure messages). */
  sequences: { base: number; text: string[] }[];
}

/** `count` sequences of `length` random instructions each, from `seed`. */
export function randomBatch(seed: number, count: number, length: number): RandomBatch {
  const rng = new Rng(seed);
  const code: Emitted = { bytes: [], text: [] };
  const sequences: RandomBatch['sequences'] = [];
  // data layout (after the text, 4 KiB aligned): one 31-word table per sequence, then one dump buffer
  const tables: bigint[] = [];
  // the data address is only known after the code size: emit with a placeholder, then patch (fixed-size code)
  const fixups: { at: number; rd: number; target: (dataBase: number) => number }[] = [];
  const placeholder = (rd: number, target: (dataBase: number) => number): void => {
    fixups.push({ at: code.bytes.length, rd, target });
    code.bytes.push(0, 0, 0, 0, 0, 0, 0, 0);
  };
  for (let s = 0; s < count; s++) {
    const base = rng.range(1, 31);
    const seq: Emitted = { bytes: [], text: [] };
    const values = Array.from({ length: 31 }, () => randomValue(rng));
    const tableIndex = tables.length;
    tables.push(...values);
    placeholder(base, (d) => d + 8 * tableIndex);
    for (let r = 1; r <= 31; r++) if (r !== base) put(code, 'ld', { rd: r, rs1: base, imm: 8 * (r - 1) });
    placeholder(base, (d) => d + 8 * count * 31);
    for (let i = 0; i < length; i++) randomInsn(rng, seq, base);
    code.bytes.push(...seq.bytes);
    for (let r = 0; r <= 31; r++) put(code, 'sd', { rs1: base, rs2: r, imm: 8 * r });
    if (base !== 11) put(code, 'addi', { rd: 11, rs1: base, imm: 0 });
    put(code, 'addi', { rd: 10, rs1: 0, imm: 1 });
    put(code, 'addi', { rd: 12, rs1: 0, imm: DUMP_BYTES });
    put(code, 'addi', { rd: 17, rs1: 0, imm: 64 });
    put(code, 'ecall', {});
    sequences.push({ base, text: seq.text });
  }
  put(code, 'addi', { rd: 10, rs1: 0, imm: 0 });
  put(code, 'addi', { rd: 17, rs1: 0, imm: 94 });
  put(code, 'ecall', {});
  const dataBase = Math.ceil((TEXT_BASE + code.bytes.length) / 4096) * 4096;
  const text = new Uint8Array(code.bytes);
  for (const f of fixups) {
    const patch: Emitted = { bytes: [], text: [] };
    const pc = TEXT_BASE + f.at;
    const off = f.target(dataBase) - pc;
    const hi = Math.floor((off + 0x800) / 4096);
    put(patch, 'auipc', { rd: f.rd, imm: ((hi % 0x100000) + 0x100000) % 0x100000 });
    put(patch, 'addi', { rd: f.rd, rs1: f.rd, imm: off - hi * 4096 });
    text.set(patch.bytes, f.at);
  }
  const data = new Uint8Array(tables.length * 8 + DUMP_BYTES);
  const dv = new DataView(data.buffer);
  tables.forEach((v, i) => dv.setBigUint64(8 * i, v, true));
  const elf = writeElfExecutable({
    entry: TEXT_BASE,
    sections: [
      { name: '.text', addr: TEXT_BASE, data: text, exec: true, align: 4 },
      { name: '.data', addr: dataBase, data, write: true, align: 4096 },
    ],
    symbols: [{ name: '_start', value: TEXT_BASE, type: 'func', bind: 'global', section: '.text' }],
  });
  return { elf, sequences };
}

/** Splits a stdout of register dumps into per-sequence x0..x31 values. */
export function parseDumps(bytes: Uint8Array): bigint[][] {
  const out: bigint[][] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let o = 0; o + DUMP_BYTES <= bytes.length; o += DUMP_BYTES) {
    out.push(Array.from({ length: 32 }, (_, r) => v.getBigUint64(o + 8 * r, true)));
  }
  return out;
}
