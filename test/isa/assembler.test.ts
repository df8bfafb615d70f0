// Unit tests of the assembler: pseudo-instruction expansions (evaluated by a tiny interpreter), labels,
// relocation operators, directives, sections/symbols, options and error reporting.
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/reader.js';
import {
  AsmError, type AssembledProgram, assemble, decode, expandCompressed, findSection, liSequence, runLiSequence, toElf, toFlatBinary,
} from '../../src/isa/index.js';
import { prng } from './oracle-helpers.js';

/** Split .text into instruction words. */
function words(prog: AssembledProgram, section = '.text'): number[] {
  const b = findSection(prog, section)!.data;
  const out: number[] = [];
  for (let off = 0; off < b.length; ) {
    const half = b[off]! | (b[off + 1]! << 8);
    if ((half & 3) === 3) {
      out.push((half | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0);
      off += 4;
    } else {
      out.push(half);
      off += 2;
    }
  }
  return out;
}

/** The program with .text cut to its first `n` bytes (to interpret code followed by data). */
function prefix(prog: AssembledProgram, n: number): AssembledProgram {
  const text = findSection(prog, '.text')!;
  return { ...prog, sections: [{ ...text, data: text.data.subarray(0, n) }] };
}

/**
 * Tiny interpreter of the straight-line integer subset pseudo-instructions expand to
 * (lui, auipc, addi, addiw, slli, srli, andi, xori, add, sub, jalr as "jump target" probe).
 */
function run(prog: AssembledProgram): { regs: bigint[]; jumps: Array<{ target: bigint; link: number }> } {
  const regs = Array<bigint>(32).fill(0n);
  const jumps: Array<{ target: bigint; link: number }> = [];
  let pc = BigInt(findSection(prog, '.text')!.addr);
  const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
  for (const w of words(prog)) {
    const d = decode(w)!;
    expect(d, `decodes ${w.toString(16)}`).toBeDefined();
    const { row, fields: f } = expandCompressed(d);
    const rs1 = regs[f.rs1 ?? 0]!;
    const rs2 = regs[f.rs2 ?? 0]!;
    const imm = BigInt(f.imm ?? 0);
    let v: bigint | undefined;
    switch (row.mnemonic) {
      case 'lui': v = BigInt.asIntN(32, imm << 12n); break;
      case 'auipc': v = s64(pc + BigInt.asIntN(32, imm << 12n)); break;
      case 'addi': v = s64(rs1 + imm); break;
      case 'addiw': v = BigInt.asIntN(32, rs1 + imm); break;
      case 'slli': v = s64(rs1 << imm); break;
      case 'srli': v = s64(BigInt.asUintN(64, rs1) >> imm); break;
      case 'andi': v = s64(rs1 & imm); break;
      case 'xori': v = s64(rs1 ^ imm); break;
      case 'add': v = s64(rs1 + rs2); break;
      case 'sub': v = s64(rs1 - rs2); break;
      case 'jalr': jumps.push({ target: s64(rs1 + imm), link: f.rd ?? 0 }); v = pc + BigInt(d.length); break;
      default: throw new Error(`interpreter: unsupported ${row.mnemonic}`);
    }
    if (f.rd) regs[f.rd] = v;
    pc += BigInt(d.length);
  }
  return { regs, jumps };
}

describe('li', () => {
  const corner = [0n, -1n, 1n, 0x7ffn, 0x800n, -0x800n, -0x801n, 0xfffn, 0x7ffff7ffn, 0x7ffff800n, 0x80000000n, 0xffffffffn, 0x100000000n,
    0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffff80000000n, 0x123456789abcdef0n, 0xdeadbeefn, 0xfffffffffffff800n];
  const rnd = prng(42);
  const random = Array.from({ length: 300 }, () => BigInt.asIntN(64, (BigInt(Math.floor(rnd() * 2 ** 32)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32))));
  for (const march of ['rv64imac', 'rv64ima']) {
    it(`loads every 64-bit value exactly (${march})`, () => {
      for (const v of [...corner, ...random]) {
        const prog = assemble(`li a5, ${v}`, { march });
        expect(run(prog).regs[15], `li ${v}`).toBe(BigInt.asIntN(64, v));
        expect(words(prog).length).toBeLessThanOrEqual(8);
      }
    });
  }
  it('uses one instruction for 12-bit values and two for 32-bit ones', () => {
    expect(liSequence(0x7ffn)).toHaveLength(1);
    expect(liSequence(0x12345678n)).toHaveLength(2);
    expect(runLiSequence(liSequence(0x8000000000000000n))).toBe(-0x8000000000000000n);
    expect(words(assemble('li a0, 5'))).toEqual([0x4515]); // c.li a0,5
    expect(words(assemble('li a0, 5', { march: 'rv64ima' }))).toEqual([0x00500513]);
  });
  it('accepts .equ constants and expressions, also forward ones', () => {
    const prog = assemble('li a0, N*2+1\n.equ N, 0x40000000');
    expect(run(prog).regs[10]).toBe(0x80000001n);
  });
});

describe('addresses: la, call, tail, %pcrel_hi/%pcrel_lo, %hi/%lo, load/store of a symbol', () => {
  it('la/lla compute the address pc-relatively', () => {
    const prog = assemble('la a0, target\nlla a1, target+8\n.skip 5000\ntarget: .word 0', { base: 0x80000000 });
    const { regs } = run(prefix(prog, 16));
    const target = prog.symbols.find((s) => s.name === 'target')!.value;
    expect(regs[10]).toBe(BigInt(target));
    expect(regs[11]).toBe(BigInt(target + 8));
  });
  it('call uses ra and tail uses t1 like gas', () => {
    const prog = assemble('call far\ntail far\n.space 0x3000\nfar: ret', { march: 'rv64ima' });
    const far = BigInt(prog.symbols.find((s) => s.name === 'far')!.value);
    const w = words(prog);
    expect(w[0]! & 0xfff).toBe(0x097); // auipc ra
    expect(w[2]! & 0xfff).toBe(0x317); // auipc t1
    // the interpreter stops at the first jalr only logically: both jumps reach far
    const jumps = run(prefix(prog, 16)).jumps;
    expect(jumps).toEqual([{ target: far, link: 1 }, { target: far, link: 0 }]);
  });
  it('%pcrel_lo names the label of its auipc', () => {
    const src = `
1:  auipc a0, %pcrel_hi(msg)
    addi  a0, a0, %pcrel_lo(1b)
.Lhi: auipc a1, %pcrel_hi(msg+4)
    nop
    addi a1, a1, %pcrel_lo(.Lhi)
    .space 0x1234
msg: .asciz "hello"`;
    const prog = assemble(src);
    const msg = BigInt(prog.symbols.find((s) => s.name === 'msg')!.value);
    const { regs } = run(prefix(prog, 18));
    expect(regs[10]).toBe(msg);
    expect(regs[11]).toBe(msg + 4n);
  });
  it('%hi/%lo build an absolute address', () => {
    const prog = assemble('lui a0, %hi(sym)\naddi a0, a0, %lo(sym)\n.equ sym, 0x12345fff', { march: 'rv64ima' });
    expect(run(prog).regs[10]).toBe(0x12345fffn);
  });
  it('loads and stores of a symbol go through auipc', () => {
    const prog = assemble('lw a0, val\nsw a0, val, t0\nval: .word 7', { march: 'rv64ima' });
    const w = words(prog);
    expect(decode(w[0]!)!.row.mnemonic).toBe('auipc');
    expect(decode(w[1]!)!.row.mnemonic).toBe('lw');
    expect(decode(w[2]!)!.fields.rd).toBe(5); // auipc t0
    const val = prog.symbols.find((s) => s.name === 'val')!.value;
    const lw = decode(w[1]!)!.fields.imm!;
    const auipc = decode(w[0]!)!.fields.imm!;
    expect(0x80000000 + auipc * 4096 + lw).toBe(val);
  });
});

describe('labels and branches', () => {
  it('numeric local labels resolve backwards and forwards', () => {
    const prog = assemble('1: nop\n j 1f\n j 1b\n1: j 1b', { march: 'rv64ima' });
    const offs = words(prog).slice(1).map((w) => decode(w)!.fields.imm);
    expect(offs).toEqual([8, -8, 0]); // the last `1b` names the label on its own line
  });
  it('compresses short branches to labels and keeps far ones 32-bit', () => {
    const prog = assemble('beqz a0, near\nbeqz a0, far\nnear: nop\n.space 400\nfar: nop');
    const w = words(prog);
    expect(decode(w[0]!)!.row.mnemonic).toBe('c.beqz');
    expect(decode(w[1]!)!.row.mnemonic).toBe('beq');
    const far = prog.symbols.find((s) => s.name === 'far')!.value;
    expect(0x80000002 + decode(w[1]!)!.fields.imm!).toBe(far);
  });
  it('relaxation converges on long files (every short forward branch compressed)', () => {
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) lines.push(`f${i}:`, ' beqz a0, 1f', ` call f${(i * 7) % 2000}`, `1: li a1, ${i * 12345}`, ' ret');
    const prog = assemble(lines.join('\n'));
    const mnemonics = words(prog).map((w) => decode(w)!.row.mnemonic);
    expect(mnemonics.filter((m) => m === 'c.beqz')).toHaveLength(2000);
    expect(mnemonics.filter((m) => m === 'beq')).toHaveLength(0);
  });
  it('pseudo branches swap operands as gas does', () => {
    const w = words(assemble('bgt a0, a1, 1f\nbleu a2, a3, 1f\n1:', { march: 'rv64ima' }));
    expect(decode(w[0]!)!.row.mnemonic).toBe('blt');
    expect(decode(w[0]!)!.fields).toMatchObject({ rs1: 11, rs2: 10, imm: 8 });
    expect(decode(w[1]!)!.row.mnemonic).toBe('bgeu');
    expect(decode(w[1]!)!.fields).toMatchObject({ rs1: 13, rs2: 12, imm: 4 });
  });
});

describe('directives', () => {
  it('pads .align in code with c.nop then nops, and in data with zeros', () => {
    const prog = assemble('c.nop\n.align 3\nret\n.data\n.byte 1\n.balign 4\n.byte 2\n.p2align 3, 0xee\n.byte 3');
    expect(Array.from(toFlatBinary(prog).subarray(0, 10))).toEqual([0x01, 0x00, 0x01, 0x00, 0x13, 0, 0, 0, 0x82, 0x80]);
    expect(Array.from(findSection(prog, '.data')!.data)).toEqual([1, 0, 0, 0, 2, 0xee, 0xee, 0xee, 3]);
    expect(Array.from(toFlatBinary(assemble('.option norvc\nnop\n.align 4\nret')).subarray(4, 16))).toEqual([0x13, 0, 0, 0, 0x13, 0, 0, 0, 0x13, 0, 0, 0]);
  });
  it('emits data of every width, strings and fills', () => {
    const prog = assemble(`.data
      .byte 1, -1, 'A'
      .half 0x1234
      .2byte 0x5678
      .word 0xdeadbeef
      .4byte -2
      .dword 0x1122334455667788
      .quad 1<<40
      .ascii "ab"
      .asciz "c\\n"
      .string "d"
      .zero 2
      .fill 2, 2, 0x0102`);
    expect(Array.from(findSection(prog, '.data')!.data)).toEqual([
      1, 255, 65, 0x34, 0x12, 0x78, 0x56, 0xef, 0xbe, 0xad, 0xde, 0xfe, 0xff, 0xff, 0xff,
      0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0, 0, 0, 0, 0, 1, 0, 0,
      97, 98, 99, 10, 0, 100, 0, 0, 0, 2, 1, 2, 1,
    ]);
  });
  it('strips #, // and /* */ comments but not inside strings; ; separates statements', () => {
    const prog = assemble('.data\n.ascii "a#b//c" # comment\n/* multi\nline */ .byte 1; .byte 2 // more\n.byte \'#\', 3 /* x */ ; .byte 4');
    expect(new TextDecoder().decode(findSection(prog, '.data')!.data.subarray(0, 6))).toBe('a#b//c');
    expect(Array.from(findSection(prog, '.data')!.data.subarray(6))).toEqual([1, 2, 35, 3, 4]);
    expect(() => assemble('nop\n/* never closed\nli a0, zzz')).not.toThrow();
  });
  it('evaluates expressions with gas precedence and symbols', () => {
    const prog = assemble('.data\n.equ A, 3\nB = A << 4\n.set C, (B | 1) - ~0\n.word A*2+1, B, C, -A, 17 % 5, 1 + 2 * 3, (10 - 4) / 2');
    const d = new DataView(findSection(prog, '.data')!.data.buffer);
    expect([0, 4, 8, 12, 16, 20, 24].map((o) => d.getInt32(o, true))).toEqual([7, 48, 50, -3, 2, 7, 3]);
  });
  it('.option push/pop restores compression; norvc never compresses; c.* needs rvc', () => {
    const w = words(assemble('addi a0, a0, 1\n.option push\n.option norvc\naddi a0, a0, 1\n.option pop\naddi a0, a0, 1'));
    expect(w).toEqual([0x0505, 0x00150513, 0x0505]);
    expect(() => assemble('.option norvc\nc.addi a0, 1')).toThrow(/requires extension C/);
    expect(words(assemble('.option arch, +c\nc.addi a0, 1', { march: 'rv64ima' }))).toEqual([0x0505]);
  });
  it('builds sections, symbols, sizes and the entry point', () => {
    const prog = assemble(`
      .section .text.boot, "ax", @progbits
      .text
      .globl _start
      .type _start, @function
      nop
_start: call f
      .size _start, .-_start
      .local f
      .type f, @function
f:    ret
      .size f, .-f
      .data
      .type counter, @object
      .weak counter
counter: .dword 0
      .size counter, 8
      .bss
buf:  .zero 64
      .section __patchable_function_entries, "awo", @progbits
      .dword f
      .file "x.c"
      .ident "test"
      .attribute arch, "rv64imac"
`, { base: 0x80200000 });
    const names = prog.sections.map((s) => s.name);
    expect(names).toEqual(['.text', '.data', '.bss', '__patchable_function_entries']);
    const text = findSection(prog, '.text')!;
    expect(text.addr).toBe(0x80200000);
    const sym = (n: string) => prog.symbols.find((s) => s.name === n)!;
    expect(sym('_start')).toMatchObject({ value: 0x80200002, size: 8, type: 'func', binding: 'global', section: '.text' });
    expect(sym('f')).toMatchObject({ size: 2, type: 'func', binding: 'local' });
    expect(sym('counter')).toMatchObject({ size: 8, type: 'object', binding: 'weak', section: '.data' });
    expect(findSection(prog, '.bss')).toMatchObject({ nobits: true, size: 64 });
    expect(findSection(prog, '.data')!.addr % 16).toBe(0);
    expect(prog.entry).toBe(0x80200002);
    const pfe = new DataView(findSection(prog, '__patchable_function_entries')!.data.buffer).getBigUint64(0, true);
    expect(Number(pfe)).toBe(sym('f').value);
  });
  it('keeps a section that only holds labels (symbols must have their section)', () => {
    const prog = assemble('.globl _start\n_start: nop\n.data\nend_marker:');
    expect(findSection(prog, '.data')).toMatchObject({ size: 0 });
    expect(parseElf(toElf(prog)).symbols.find((s) => s.name === 'end_marker')).toBeDefined();
  });
  it('places sections at caller-given addresses', () => {
    const prog = assemble('nop\n.data\n.word 1', { sectionAddrs: { '.data': 0x90000000 } });
    expect(findSection(prog, '.data')!.addr).toBe(0x90000000);
  });
});

describe('ELF output', () => {
  it('round-trips through the ELF reader with RVC e_flags', () => {
    const prog = assemble('.globl _start\n_start: li a0, 1\n ret\n.data\nx: .word 5');
    const img = parseElf(toElf(prog));
    expect(img.entry).toBe(0x80000000);
    expect(img.eFlags & 1).toBe(1);
    expect(img.symbols.find((s) => s.name === '_start')?.bind).toBe('global');
    expect(parseElf(toElf(assemble('nop', { march: 'rv64ima' }))).eFlags & 1).toBe(0);
  });
});

describe('errors', () => {
  function errorOf(src: string): AsmError {
    try {
      assemble(src, { file: 'prog.s' });
    } catch (e) {
      expect(e).toBeInstanceOf(AsmError);
      return e as AsmError;
    }
    throw new Error('expected an AsmError');
  }
  it('reports file:line:column and what was expected', () => {
    const e = errorOf('nop\n  addi a0, a9, 1');
    expect(e.code).toBe('ASM_SYNTAX');
    expect(e.message).toBe("prog.s:2:12: error: expected an integer register, got 'a9'");
    expect(errorOf('frobnicate a0').message).toMatch(/prog\.s:1:1: error: unknown instruction 'frobnicate'/);
    expect(errorOf('  .wibble 3').message).toMatch(/1:3: error: unknown directive '\.wibble'/);
    expect(errorOf('addi a0, a0').message).toMatch(/expects 3 operand/);
    expect(errorOf('lw a0, 4(a1').message).toMatch(/1:1|1:8/);
    expect(errorOf('li a0, 1 +').message).toMatch(/expected an expression/);
  });
  it('distinguishes undefined symbols and out-of-range values, listing every problem', () => {
    const e = errorOf('j nowhere\naddi a0, a0, 5000\n.byte 300\nbeqz a0, 1b');
    expect(e.code).toBe('ASM_UNDEFINED_SYMBOL');
    expect(e.diagnostics.map((d) => [d.line, d.code])).toEqual([
      [1, 'ASM_UNDEFINED_SYMBOL'], [2, 'ASM_RANGE'], [3, 'ASM_RANGE'], [4, 'ASM_UNDEFINED_SYMBOL'],
    ]);
    expect(e.diagnostics[0]!.message).toBe("undefined symbol 'nowhere'");
    expect(e.diagnostics[1]!.message).toMatch(/immediate 5000 out of range \[-2048, 2047\]/);
  });
  it('rejects duplicate labels, bad -march and branches out of range', () => {
    expect(errorOf('a: nop\na: nop').code).toBe('ASM_DUPLICATE_SYMBOL');
    expect(() => assemble('nop', { march: 'x86' })).toThrow(AsmError);
    expect(errorOf('beq a0, a1, far\n.space 5000\nfar: nop').code).toBe('ASM_RANGE');
  });
  it('never crashes on mutated valid programs or absurd nesting', () => {
    const base = `.globl _start
_start: li a0, 0x12345678
  la a1, msg
  call f
1: beqz a0, 1b
  lw a2, %lo(msg)(a1)
  auipc t0, %pcrel_hi(msg)
  addi t0, t0, %pcrel_lo(1b)
  csrr a0, mstatus
  .align 3
  .size _start, .-_start
f: amoadd.w.aq a0, a1, (a2)
  fadd.s fa0, fa1, fa2, rtz
  ret
  .data
msg: .asciz "hi"
  .word 1, 2, 'c'
  .equ X, 5 * (3 + 4)
  .fill 3, 2, X
  .option push
  .option norvc
  .option pop`;
    const tokens = ['(', ')', ',', '%hi', '%pcrel_lo', '1b', '1f', '.', ':', '"', "'", '0x', '-', '<<', '.align', '.option', 'c.', 'zero', '99999999999999999999', '\n', ';', '#', '/*', '*/', '.bss', '.section x,"a"'];
    const rnd = prng(11);
    for (let k = 0; k < 1500; k++) {
      let src = base;
      for (let m = 0; m < 1 + Math.floor(rnd() * 4); m++) {
        const pos = Math.floor(rnd() * src.length);
        const r = rnd();
        if (r < 0.3) src = src.slice(0, pos) + src.slice(pos + 1 + Math.floor(rnd() * 5));
        else if (r < 0.7) src = src.slice(0, pos) + tokens[Math.floor(rnd() * tokens.length)] + src.slice(pos);
        else src = src.slice(0, pos) + String.fromCharCode(32 + Math.floor(rnd() * 95)) + src.slice(pos);
      }
      try {
        assemble(src, { march: 'rv64imafdc' });
      } catch (e) {
        expect(e, JSON.stringify(src)).toBeInstanceOf(AsmError);
      }
    }
    expect(() => assemble(`li a0, ${'('.repeat(5000)}1${')'.repeat(5000)}`)).toThrow(/nested more than 256/);
    expect(() => assemble(`li a0, ${'-'.repeat(5000)}1`)).toThrow(AsmError);
  });
  it('never crashes on garbage lines', () => {
    const rnd = prng(7);
    const alphabet = 'abcx0129 ,()%.:;#"\'+-*/<>|&^~!@\\\n\tlisw';
    for (let k = 0; k < 300; k++) {
      const src = Array.from({ length: 40 }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      try {
        assemble(src);
      } catch (e) {
        expect(e, JSON.stringify(src)).toBeInstanceOf(AsmError);
      }
    }
  });
});

describe('pc-relative expansions after relaxation', () => {
  it('re-expands call/tail/la to an absolute symbol when code before them shrinks', () => {
    const prog = assemble('.set foo, 0x80001000\n_start:\n  beqz a0, 1f\n  nop\n1: call foo\n  tail foo\n  la a1, foo\n');
    const text = prog.sections.find((s) => s.name === '.text')!;
    const view = new DataView(text.data.buffer, text.data.byteOffset);
    // beqz and nop are compressed (2 + 2 bytes): the call's auipc is at +4 and must reach exactly 0x80001000.
    for (const at of [4, 12, 20]) {
      const auipc = view.getUint32(at, true);
      const second = view.getUint32(at + 4, true);
      const hi = auipc & 0xfffff000;
      const lo = second >> 20; // I-type immediate, sign-extended by the arithmetic shift
      expect(text.addr + at + (hi | 0) + lo).toBe(0x80001000);
    }
  });
});
