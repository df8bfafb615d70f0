// Oracle tests: our encoder/assembler and disassembler against llvm-mc / llvm-objdump (LLVM 14+).
//
// Normalisation applied before comparing disassembly text (ours with noAliases vs `llvm-objdump -d -M no-aliases`):
//  - whitespace collapsed and ", " -> ","; symbol annotations `<...>` dropped;
//  - every hexadecimal number (0x...) converted to decimal (objdump prints lui/shift amounts in hex);
//  - branch/jump targets: both sides show the absolute target address (ours: DisasmInsn.target);
//  - CSR operands: names from our CSR table are replaced by their numbers (LLVM 14 lacks some names);
//  - a trailing ",dyn" rounding mode is dropped (LLVM prints it, objdump style omits it);
//  - undecodable words: ours `.2byte/.4byte`, LLVM `<unknown>` -> both `<unknown>`;
//  - an empty fence predecessor/successor set: LLVM prints `unknown`, we print `0`.
// Reserved C encodings with a zero immediate (c.lui rd,0, c.addi16sp sp,0, c.addi4spn rd,sp,0) are decoded by LLVM
// 14 but illegal by the spec and our decoder: skipped like the HINTs below.
// Encodings the RISC-V spec calls HINTs (e.g. c.li zero,5, c.addi a0,0, c.slli zero,..) are decoded by LLVM
// but rejected by our decoder (objdump treats them as illegal too); such words are counted and skipped.
// CSR instructions whose CSR number has no name in our table are skipped (LLVM 14 still names the retired
// N-extension CSRs such as ustatus).
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeElfExecutable } from '../../src/elf/writer.js';
import { INSN_TABLE, assemble, csrName, csrNumber, decode, disassembleWord, findSection } from '../../src/isa/index.js';
import { hasLlvm, llvmAssemble, objdumpLines, prng, randomInsnText, tempDir } from './oracle-helpers.js';

const BASE = 0x80000000;

function hexToDec(s: string): string {
  return s.replace(/\b0x([0-9a-f]+)\b/gi, (_, h: string) => BigInt('0x' + h).toString());
}

function normalise(text: string): string {
  if (text.trim() === '<unknown>' || /^\.(2|4)byte/.test(text)) return '<unknown>';
  let t = text.replace(/\s*<[^>]*>/g, '').replace(/\s+/g, ' ').replace(/, /g, ',').trim();
  t = t.replace(/,dyn$/, '');
  t = t.replace(/^(fence \w*),unknown$/, '$1,0').replace(/^fence unknown,/, 'fence 0,'); // empty fence set
  const sp = t.indexOf(' ');
  if (sp > 0) {
    const ops = t
      .slice(sp + 1)
      .split(',')
      .map((o) => (csrNumber(o) !== undefined && !/^[fx]?\d/.test(o) ? `${csrNumber(o)}` : o));
    t = `${t.slice(0, sp)} ${ops.join(',')}`;
  }
  return hexToDec(t);
}

/** Our noAliases text with the branch target shown as an absolute 0x address (like llvm-objdump). */
function ourText(word: number, pc: number): string {
  const d = disassembleWord(word, pc, { noAliases: true });
  if (d.target === undefined) return d.text;
  const parts = d.text.split(',');
  parts[parts.length - 1] = parts.length === 1 ? `${d.mnemonic}\t0x${d.target.toString(16)}` : `0x${d.target.toString(16)}`;
  return parts.join(',');
}

/** Random words drawn per table row (match bits fixed, the rest random), plus fully random words. */
function drawWords(seed: number, perRow: number, random: number): number[] {
  const rnd = prng(seed);
  const words: number[] = [];
  for (const row of INSN_TABLE) {
    for (let k = 0; k < perRow; k++) {
      const r = Math.floor(rnd() * 2 ** 32);
      const w = (row.match | (r & ~row.mask)) >>> 0;
      words.push(row.length === 2 ? w & 0xffff : w);
    }
  }
  for (let k = 0; k < random; k++) {
    const r = Math.floor(rnd() * 2 ** 32);
    words.push(rnd() < 0.5 ? (r & 0xffff) | 0 : r | 3);
  }
  return words.map((w) => ((w & 3) === 3 ? w >>> 0 : w & 0xffff));
}

function layoutWords(words: number[]): { bytes: Uint8Array; addrs: number[] } {
  const bytes: number[] = [];
  const addrs: number[] = [];
  for (const w of words) {
    addrs.push(BASE + bytes.length);
    const n = (w & 3) === 3 ? 4 : 2;
    for (let k = 0; k < n; k++) bytes.push((w >>> (8 * k)) & 0xff);
  }
  return { bytes: Uint8Array.from(bytes), addrs };
}

const isHintLike = (llvmText: string): boolean =>
  /^c\.\w+\s+zero\b|^c\.(addi|nop|slli|srli|srai|addiw)(64)?\b/.test(llvmText) ||
  // reserved encodings LLVM 14 still decodes: c.lui / c.addi16sp / c.addi4spn with a zero immediate
  /^c\.(lui\s+\w+|addi16sp\s+sp|addi4spn\s+\w+,\s*sp),\s*0$/.test(llvmText.trim());

/** CSR instructions whose CSR has no name in our table (LLVM knows a few more, e.g. the retired N-extension ones). */
function unnamedCsr(word: number): boolean {
  const d = decode(word);
  return d !== undefined && d.fields.csr !== undefined && csrName(d.fields.csr) === undefined;
}

describe.skipIf(!hasLlvm && !process.env.CI)('oracle: llvm-mc / llvm-objdump', () => {
  it('assembles random operands of every table row to the same bytes as llvm-mc (with C compression)', () => {
    const rnd = prng(0x15a);
    const lines: string[] = [];
    for (const row of INSN_TABLE) for (let k = 0; k < 14; k++) lines.push(randomInsnText(row, rnd));
    const source = lines.join('\n') + '\n';
    if (process.env.ISA_ORACLE_DUMP) writeFileSync(process.env.ISA_ORACLE_DUMP, source);
    const ref = llvmAssemble(source);
    const prog = assemble(source, { march: 'rv64imafdc' });
    const text = findSection(prog, '.text')!.data;
    expect(ref.length).toBe(lines.length);
    const mismatches: string[] = [];
    let off = 0;
    ref.forEach((r, idx) => {
      const n = (text[off]! & 3) === 3 ? 4 : 2;
      const ours = Array.from(text.subarray(off, off + n));
      if (ours.join() !== r.bytes.join()) mismatches.push(`${lines[idx]}: ours ${ours.map((b) => b.toString(16)).join(' ')} llvm ${r.bytes.map((b) => b.toString(16)).join(' ')} (${r.text})`);
      off += n;
    });
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(off).toBe(text.length);
  });

  it('expands pseudo-instructions with register/number operands like llvm-mc', () => {
    const rnd = prng(0x95e);
    const reg = (): string => ['a0', 'a1', 's0', 's1', 't0', 't1', 'ra', 'sp', 'a5', 's11', 't6', 'zero'][Math.floor(rnd() * 12)]!;
    const nz = (): string => ['a0', 'a1', 's0', 's1', 't0', 't1', 'ra', 'a5', 's11', 't6'][Math.floor(rnd() * 10)]!;
    const freg = (): string => `f${Math.floor(rnd() * 32)}`;
    const off = (range: number): number => 2 * (Math.floor(rnd() * range) - range / 2);
    const forms: Array<() => string> = [
      () => 'nop', () => 'ret', () => 'fence', () => 'unimp', () => `fence.i`, () => `mv ${nz()}, ${nz()}`, () => `not ${reg()}, ${reg()}`,
      () => `neg ${reg()}, ${reg()}`, () => `negw ${reg()}, ${reg()}`, () => `sext.w ${reg()}, ${reg()}`, () => `seqz ${reg()}, ${reg()}`,
      () => `snez ${reg()}, ${reg()}`, () => `sltz ${reg()}, ${reg()}`, () => `sgtz ${reg()}, ${reg()}`,
      () => `beqz ${reg()}, ${off(400)}`, () => `bnez ${reg()}, ${off(400)}`, () => `blez ${reg()}, ${off(4000)}`, () => `bgez ${reg()}, ${off(4000)}`,
      () => `bltz ${reg()}, ${off(4000)}`, () => `bgtz ${reg()}, ${off(4000)}`, () => `bgt ${reg()}, ${reg()}, ${off(4000)}`,
      () => `ble ${reg()}, ${reg()}, ${off(4000)}`, () => `bgtu ${reg()}, ${reg()}, ${off(4000)}`, () => `bleu ${reg()}, ${reg()}, ${off(4000)}`,
      () => `j ${off(5000)}`, () => `jal ${off(100000)}`, () => `jr ${nz()}`, () => `jalr ${nz()}`, () => `csrr ${reg()}, mstatus`,
      () => `csrw mtvec, ${reg()}`, () => `csrs mie, ${reg()}`, () => `csrc mip, ${reg()}`, () => `csrwi mstatus, ${Math.floor(rnd() * 32)}`,
      () => `csrsi sstatus, ${Math.floor(rnd() * 32)}`, () => `csrci sie, ${Math.floor(rnd() * 32)}`, () => `rdcycle ${reg()}`,
      () => `rdtime ${reg()}`, () => `rdinstret ${reg()}`, () => `sfence.vma`, () => `sfence.vma ${reg()}`, () => `fmv.s ${freg()}, ${freg()}`,
      () => `fneg.d ${freg()}, ${freg()}`, () => `fabs.s ${freg()}, ${freg()}`, () => `frcsr ${reg()}`, () => `fscsr ${reg()}`,
      () => `frrm ${reg()}`, () => `fsflags ${reg()}, ${reg()}`, () => `li ${reg()}, ${Math.floor(rnd() * 70000) - 35000}`,
    ];
    const lines = Array.from({ length: 1500 }, () => forms[Math.floor(rnd() * forms.length)]!());
    const source = lines.join('\n') + '\n';
    const ref = llvmAssemble(source).flatMap((l) => l.bytes);
    const ours = Array.from(findSection(assemble(source, { march: 'rv64imafdc' }), '.text')!.data);
    if (ours.join() !== ref.join()) {
      // locate the first differing line for the failure message
      let off = 0;
      for (const line of lines) {
        const one = Array.from(findSection(assemble(line, { march: 'rv64imafdc' }), '.text')!.data);
        expect(one, line).toEqual(ref.slice(off, off + one.length));
        off += one.length;
      }
    }
    expect(ours).toEqual(ref);
  });

  it('expands li of random 64-bit constants to the same instructions as llvm-mc', () => {
    const rnd = prng(0x11);
    const r32 = (): bigint => BigInt(Math.floor(rnd() * 2 ** 32));
    const values: bigint[] = [];
    for (let i = 0; i < 400; i++) {
      const shape = i % 4;
      const v = shape === 0 ? (r32() << 32n) | r32() : shape === 1 ? r32() << BigInt(Math.floor(rnd() * 32)) : shape === 2 ? BigInt(Math.floor(rnd() * 4096)) << BigInt(Math.floor(rnd() * 52)) : -(r32() << 8n);
      values.push(BigInt.asIntN(64, v));
    }
    // one register per value so every li's instructions can be told apart in the listing
    const source = values.map((v, i) => `li ${['a0', 'a1', 'a2', 'a3'][i % 4]}, ${v}`).join('\n') + '\n';
    const ref = llvmAssemble(source).flatMap((l) => l.bytes);
    const ours = Array.from(findSection(assemble(source), '.text')!.data);
    expect(ours.length).toBe(ref.length);
    expect(ours).toEqual(ref);
  });

  it('disassembles random 16- and 32-bit words like llvm-objdump -M no-aliases', () => {
    const words = drawWords(0xd15a, 12, 3000);
    const { bytes, addrs } = layoutWords(words);
    const path = join(tempDir(), 'words.elf');
    writeFileSync(path, writeElfExecutable({ entry: BASE, sections: [{ name: '.text', addr: BASE, data: bytes, exec: true }], symbols: [] }));
    const ref = new Map(objdumpLines(path, ['-M', 'no-aliases']).map((l) => [l.addr, l.text]));
    const mismatches: string[] = [];
    let hints = 0;
    let compared = 0;
    words.forEach((w, idx) => {
      const theirs = ref.get(addrs[idx]!);
      if (theirs === undefined || unnamedCsr(w)) return;
      const a = normalise(ourText(w, addrs[idx]!));
      const b = normalise(theirs);
      if (a === '<unknown>' && b !== '<unknown>' && isHintLike(theirs)) {
        hints++;
        return;
      }
      compared++;
      if (a !== b) mismatches.push(`${w.toString(16)}: ours '${a}' llvm '${b}'`);
    });
    expect(mismatches.slice(0, 30)).toEqual([]);
    expect(compared).toBeGreaterThan(5000);
    expect(hints).toBeLessThan(compared / 10);
  });
});

const FIXTURES = new URL('../fixtures/bin/', import.meta.url).pathname;
const fixtureFiles = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.elf') && (!f.includes('.linux.') || f === 'calls.linux.elf')) : [];

describe.skipIf((!hasLlvm && !process.env.CI) || fixtureFiles.length === 0)('oracle: GCC-built fixtures', () => {
  it('disassembles every instruction of the GCC/glibc-built fixture ELFs like llvm-objdump -M no-aliases', () => {
    let total = 0;
    const mismatches: string[] = [];
    for (const f of fixtureFiles) {
      for (const l of objdumpLines(join(FIXTURES, f), ['-M', 'no-aliases'])) {
        if (l.bytes.length !== 2 && l.bytes.length !== 4) continue;
        const w = l.bytes.reduce((acc, b, k) => acc + b * 2 ** (8 * k), 0);
        total++;
        const a = normalise(ourText(w, l.addr));
        const b = normalise(l.text);
        if (a !== b) mismatches.push(`${f} ${l.addr.toString(16)} ${w.toString(16)}: ours '${a}' llvm '${b}'`);
      }
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(total).toBeGreaterThan(1000);
  });
});

describe('round trip: disassemble -> assemble', () => {
  const words = drawWords(0x7007, 12, 0).filter((w) => decode(w) !== undefined);

  function reassemble(text: string, word: number, pc: number, target: number | undefined): number {
    let t = text;
    if (target !== undefined) t = t.replace(/[0-9a-f]+( <[^>]*>)?$/, `.${target - pc >= 0 ? '+' : ''}${target - pc}`);
    const rvc = (word & 3) !== 3;
    const prog = assemble(`.option ${rvc ? 'rvc' : 'norvc'}\n${t}\n`, { march: 'rv64imafdc', base: pc });
    const b = findSection(prog, '.text')!.data;
    return b.length === 2 ? b[0]! | (b[1]! << 8) : (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  it('gives back the same word for every valid encoding drawn (noAliases text)', () => {
    const bad: string[] = [];
    for (const w of words) {
      const pc = BASE + 0x1000;
      const d = disassembleWord(w, pc, { noAliases: true });
      const back = reassemble(d.text, w, pc, d.target);
      if (back !== w) bad.push(`${w.toString(16)} '${d.text}' -> ${back.toString(16)}`);
    }
    expect(words.length).toBeGreaterThan(2000);
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it('gives back the same word for 32-bit encodings printed with aliases', () => {
    const bad: string[] = [];
    for (const w of words.filter((x) => (x & 3) === 3)) {
      const pc = BASE + 0x1000;
      const d = disassembleWord(w, pc);
      const back = reassemble(d.text, w, pc, d.target);
      if (back !== w) bad.push(`${w.toString(16)} '${d.text}' -> ${back.toString(16)}`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });
});
