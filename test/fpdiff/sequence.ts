// Random F/D instruction sequences for the differential test, and the assembly program that runs a batch of them.
import { Rng, randomDouble, randomInt, randomSingle } from './values.js';

export const F_REGS = 16; // f0..f15 are loaded, used and dumped
export const X_REGS = 4; // a0..a3 are integer operands / results
/** Bytes of input per sequence: f registers then x registers. */
export const IN_BYTES = 8 * (F_REGS + X_REGS);
/** Bytes of output per sequence: f registers, x registers, then fflags. */
export const OUT_BYTES = IN_BYTES + 8;

export interface FpSequence {
  /** Initial f0..f15 then a0..a3 (raw 64-bit patterns). */
  inputs: bigint[];
  /** frm for the sequence (0..4). */
  frm: number;
  /** Instruction lines. */
  body: string[];
}

const RMS = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'dyn'];
const XR = ['a0', 'a1', 'a2', 'a3'];

function freg(rng: Rng, d: boolean): string {
  // doubles live in f0..f7, boxed singles in f8..f15; sometimes cross over
  const own = rng.chance(0.85);
  const base = d === own ? 0 : 8;
  return `f${base + rng.below(8)}`;
}

function anyF(rng: Rng): string {
  return `f${rng.below(F_REGS)}`;
}

function instruction(rng: Rng): string {
  const d = rng.chance(0.5);
  const t = d ? 'd' : 's';
  const rm = rng.pick(RMS);
  const f = () => freg(rng, d);
  const x = () => rng.pick(XR);
  switch (rng.below(17)) {
    case 0: case 1: case 2:
      return `${rng.pick(['fadd', 'fsub', 'fmul', 'fdiv'])}.${t} ${anyF(rng)}, ${f()}, ${f()}, ${rm}`;
    case 3: case 4:
      return `${rng.pick(['fmadd', 'fmsub', 'fnmsub', 'fnmadd'])}.${t} ${anyF(rng)}, ${f()}, ${f()}, ${f()}, ${rm}`;
    case 5: return `fsqrt.${t} ${anyF(rng)}, ${f()}, ${rm}`;
    case 6: return `${rng.pick(['fsgnj', 'fsgnjn', 'fsgnjx', 'fmin', 'fmax'])}.${t} ${anyF(rng)}, ${f()}, ${f()}`;
    case 7: return d ? `fcvt.d.s ${anyF(rng)}, ${freg(rng, false)}` : `fcvt.s.d ${anyF(rng)}, ${freg(rng, true)}, ${rm}`;
    case 8: case 9: return `fcvt.${rng.pick(['w', 'wu', 'l', 'lu'])}.${t} ${x()}, ${f()}, ${rm}`;
    case 10: {
      const src = rng.pick(['w', 'wu', 'l', 'lu']);
      const exact = d && src.startsWith('w'); // no rounding: no rm operand
      return `fcvt.${t}.${src} ${anyF(rng)}, ${x()}${exact ? '' : `, ${rm}`}`;
    }
    case 11: return rng.chance(0.5) ? `fmv.x.${d ? 'd' : 'w'} ${x()}, ${f()}` : `fmv.${d ? 'd' : 'w'}.x ${anyF(rng)}, ${x()}`;
    case 12: return `${rng.pick(['feq', 'flt', 'fle'])}.${t} ${x()}, ${f()}, ${f()}`;
    case 13: return `fclass.${t} ${x()}, ${f()}`;
    case 14: {
      const off = 8 * rng.below(8);
      const w = d ? 'd' : 'w';
      return `fs${w} ${f()}, ${off}(a4)\n  fl${w} ${anyF(rng)}, ${off}(a4)`;
    }
    case 16: {
      // multiply, then the fused residual a*b - round(a*b): massive cancellation, tiny results
      const a = f();
      const b = f();
      const p = anyF(rng);
      return `fmul.${t} ${p}, ${a}, ${b}, ${rm}\n  ${rng.pick(['fmsub', 'fnmadd'])}.${t} ${anyF(rng)}, ${a}, ${b}, ${p}, ${rng.pick(RMS)}`;
    }
    default: {
      // compressed FP loads/stores: c.fsd/c.fld use f8..f15 and a4; c.fsdsp/c.fldsp use sp
      const off = 8 * rng.below(8);
      const a = `f${8 + rng.below(8)}`;
      const b = `f${8 + rng.below(8)}`;
      return rng.chance(0.5) ? `c.fsd ${a}, ${off}(a4)\n  c.fld ${b}, ${off}(a4)` : `c.fsdsp ${anyF(rng)}, ${off}(sp)\n  c.fldsp ${anyF(rng)}, ${off}(sp)`;
    }
  }
}

/** A sequence of `length` random instructions with random operands and frm. */
export function randomSequence(rng: Rng, length: number): FpSequence {
  const inputs: bigint[] = [];
  for (let i = 0; i < F_REGS; i++) {
    let v = i < 8 ? randomDouble(rng) : 0xffffffff00000000n | randomSingle(rng);
    if (rng.chance(0.04)) v = rng.u64(); // not NaN-boxed (for singles)
    inputs.push(v);
  }
  for (let i = 0; i < X_REGS; i++) inputs.push(rng.chance(0.3) ? randomSingle(rng) : randomInt(rng));
  const body: string[] = [];
  for (let i = 0; i < length; i++) body.push(instruction(rng));
  return { inputs, frm: rng.below(5), body };
}

export type Flavour = 'bare' | 'linux';

const PROLOGUE: Record<Flavour, string> = {
  bare: `  la t0, on_trap
  csrw mtvec, t0
  li t0, 0x6000
  csrs mstatus, t0`,
  linux: '',
};

const EPILOGUE: Record<Flavour, (n: number) => string> = {
  bare: () => `  li t0, 1
  la t1, tohost
  sd t0, 0(t1)
1: j 1b
  .align 2
on_trap: // exit value (mepc << 8 | mcause) << 1 | 1
  csrr t0, mepc
  slli t0, t0, 8
  csrr t1, mcause
  or t0, t0, t1
  slli t0, t0, 1
  ori t0, t0, 1
  la t1, tohost
  sd t0, 0(t1)
2: j 2b`,
  linux: (n) => `  li a7, 64
  li a0, 1
  la a1, outbuf
  li a2, ${n * OUT_BYTES}
  ecall
  li a7, 93
  li a0, 0
  ecall`,
};

/** The program that runs every sequence in turn (inputs from `inbuf`, results to `outbuf`). */
export function batchSource(seqs: FpSequence[], flavour: Flavour): string {
  const lines: string[] = ['  .text', '  .globl _start', '_start:', PROLOGUE[flavour], '  la s0, inbuf', '  la s1, outbuf', '  la a4, scratch', '  mv sp, a4'];
  for (const seq of seqs) {
    for (let i = 0; i < F_REGS; i++) lines.push(`  fld f${i}, ${8 * i}(s0)`);
    for (let i = 0; i < X_REGS; i++) lines.push(`  ld ${XR[i]}, ${8 * (F_REGS + i)}(s0)`);
    lines.push(`  li t0, ${seq.frm}`, '  fsrm t0', '  fsflags zero');
    for (const l of seq.body) lines.push(`  ${l}`);
    for (let i = 0; i < F_REGS; i++) lines.push(`  fsd f${i}, ${8 * i}(s1)`);
    for (let i = 0; i < X_REGS; i++) lines.push(`  sd ${XR[i]}, ${8 * (F_REGS + i)}(s1)`);
    lines.push('  frflags t0', `  sd t0, ${IN_BYTES}(s1)`, `  addi s0, s0, ${IN_BYTES}`, `  addi s1, s1, ${OUT_BYTES}`);
  }
  lines.push(EPILOGUE[flavour](seqs.length));
  lines.push('  .data', '  .align 12', 'tohost: .dword 0', 'fromhost: .dword 0', '  .align 6', 'scratch: .zero 64', 'inbuf:');
  for (const seq of seqs) lines.push(`  .dword ${seq.inputs.map((v) => '0x' + v.toString(16)).join(', ')}`);
  lines.push('  .align 3', `outbuf: .zero ${seqs.length * OUT_BYTES}`);
  return lines.join('\n') + '\n';
}
