// Test helpers shared by the ISA oracle tests: seeded PRNG, llvm tool runner, random operands per row.
import { Prng } from '../../src/util/prng.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSR_TABLE, type InsnRow, type OperandKind, ROUNDING_MODES, X_ABI_NAMES, F_ABI_NAMES } from '../../src/isa/index.js';

export const LLVM_MATTR = '+m,+a,+c,+f,+d';

export function has(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

export const hasLlvm = has('llvm-mc') && has('llvm-objdump');

/** Seeded uniform floats in [0, 1) from the project's PRNG (every failure is reproducible from its seed). */
export function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.float();
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'isa-oracle-'));
}

/** Assemble with llvm-mc into an object file and return `llvm-objdump -d` lines as {addr, bytes, text}. */
export function llvmAssemble(source: string): Array<{ addr: number; bytes: number[]; text: string }> {
  const dir = tempDir();
  writeFileSync(join(dir, 'in.s'), source);
  execFileSync('llvm-mc', ['-triple=riscv64', `-mattr=${LLVM_MATTR}`, '-filetype=obj', join(dir, 'in.s'), '-o', join(dir, 'in.o')]);
  return objdumpLines(join(dir, 'in.o'), []);
}

/** `llvm-objdump -d` of a file: one entry per instruction line. */
export function objdumpLines(path: string, extra: string[]): Array<{ addr: number; bytes: number[]; text: string }> {
  const out = execFileSync('llvm-objdump', ['-d', '-z', `--mattr=${LLVM_MATTR}`, ...extra, path], { maxBuffer: 64 << 20 }).toString();
  const lines: Array<{ addr: number; bytes: number[]; text: string }> = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\s((?:[0-9a-f]{2} )+)\s*(.*)$/.exec(line);
    if (!m) continue;
    lines.push({ addr: parseInt(m[1]!, 16), bytes: m[2]!.trim().split(' ').map((b) => parseInt(b, 16)), text: m[3]!.trim() });
  }
  return lines;
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

/** A random value the operand kind accepts (drawn by rejection from its value range). */
export function randomValue(kind: OperandKind, rnd: () => number): number {
  for (let tries = 0; tries < 1000; tries++) {
    let v: number;
    switch (kind.cls) {
      case 'xreg':
      case 'freg':
        v = Math.floor(rnd() * 32);
        break;
      case 'csr':
        v = Math.floor(rnd() * 4096);
        break;
      case 'fence':
        v = 1 + Math.floor(rnd() * 15);
        break;
      case 'rm':
        v = Math.floor(rnd() * 8);
        break;
      default: {
        // immediates: random bit pattern through the encoder's own field layout, biased to small values
        const w = kind.decode(Math.floor(rnd() * 2 ** 32));
        v = rnd() < 0.3 ? kind.decode(kind.encode(Math.floor(rnd() * 64) - 32)) : w;
      }
    }
    if (kind.check(v) === null) return v;
  }
  throw new Error(`no random value for ${kind.id}`);
}

/** Assembly text of one operand value (registers by ABI or numeric name, CSRs by number, immediates decimal). */
export function operandText(kind: OperandKind, v: number, rnd: () => number): string {
  switch (kind.cls) {
    case 'xreg':
      return rnd() < 0.5 ? X_ABI_NAMES[v]! : `x${v}`;
    case 'freg':
      return rnd() < 0.5 ? F_ABI_NAMES[v]! : `f${v}`;
    case 'csr': {
      const named = CSR_TABLE.filter(([, n]) => n === v && ['mstatus', 'mepc', 'sstatus', 'satp', 'cycle', 'mhartid', 'fcsr'].includes(CSR_TABLE.find(([, m]) => m === n)![0]));
      return named.length ? named[0]![0] : `${v}`;
    }
    case 'fence': {
      const s = (v & 8 ? 'i' : '') + (v & 4 ? 'o' : '') + (v & 2 ? 'r' : '') + (v & 1 ? 'w' : '');
      return s;
    }
    case 'rm':
      return ROUNDING_MODES[v]!;
    default:
      return `${v}`;
  }
}

/** A random instance of a row as assembly text plus its field values. */
export function randomInsnText(row: InsnRow, rnd: () => number): string {
  const parts: string[] = [];
  for (const g of row.syntax) {
    if (g.optional && rnd() < 0.5) continue;
    const texts = g.kinds.map((k) => operandText(k, randomValue(k, rnd), rnd));
    if (g.form === 'plain') parts.push(texts[0]!);
    else if (g.form === 'paren') parts.push(`(${texts[0]})`);
    else parts.push(`${texts[0]}(${texts[1]})`);
  }
  return `${row.mnemonic} ${parts.join(', ')}`.trim();
}

export { pick };
