// The few instruction shapes generated kernel code uses, with one rendering as assembly text and one as machine code.
import { compress, encode, encodeRow, insnRow, parseMarch, splitHiLo, xRegNumber, type Extension } from '../isa/index.js';

export type AluOp = 'addi' | 'xori' | 'slli' | 'srli';
export type RegOp = 'add' | 'xor';

/** One generated instruction (registers as ABI names). */
export type KernelInsn =
  | { readonly k: 'imm'; readonly op: AluOp; readonly rd: string; readonly rs1: string; readonly imm: number }
  | { readonly k: 'reg'; readonly op: RegOp; readonly rd: string; readonly rs1: string; readonly rs2: string }
  | { readonly k: 'sd'; readonly rs2: string; readonly rs1: string; readonly imm: number }
  | { readonly k: 'ld'; readonly rd: string; readonly rs1: string; readonly imm: number }
  | { readonly k: 'call'; readonly target: string }
  | { readonly k: 'ret' };

export const I = {
  imm: (op: AluOp, rd: string, rs1: string, imm: number): KernelInsn => ({ k: 'imm', op, rd, rs1, imm }),
  reg: (op: RegOp, rd: string, rs1: string, rs2: string): KernelInsn => ({ k: 'reg', op, rd, rs1, rs2 }),
  sd: (rs2: string, imm: number, rs1: string): KernelInsn => ({ k: 'sd', rs2, rs1, imm }),
  ld: (rd: string, imm: number, rs1: string): KernelInsn => ({ k: 'ld', rd, rs1, imm }),
  call: (target: string): KernelInsn => ({ k: 'call', target }),
  ret: (): KernelInsn => ({ k: 'ret' }),
};

/** GNU as syntax of one instruction. */
export function insnText(i: KernelInsn): string {
  switch (i.k) {
    case 'imm':
      return `\t${i.op}\t${i.rd}, ${i.rs1}, ${i.imm}`;
    case 'reg':
      return `\t${i.op}\t${i.rd}, ${i.rs1}, ${i.rs2}`;
    case 'sd':
      return `\tsd\t${i.rs2}, ${i.imm}(${i.rs1})`;
    case 'ld':
      return `\tld\t${i.rd}, ${i.imm}(${i.rs1})`;
    case 'call':
      return `\tcall\t${i.target}`;
    case 'ret':
      return `\tret`;
  }
}

const RV64IMAC: ReadonlySet<Extension> = parseMarch('rv64imac')!;
const RV64IMA: ReadonlySet<Extension> = parseMarch('rv64ima')!;

type Encoded = { word: number; length: 2 | 4 }[];
const cache = new Map<string, Encoded>();

/** Machine code of one instruction at `pc`; compressed like the assembler does when `rvc`. Calls need `addrOf`. */
export function encodeInsn(i: KernelInsn, pc: number, rvc: boolean, addrOf: (name: string) => number): Encoded {
  if (i.k === 'call') return encodeUncached(i, pc, rvc, addrOf);
  const key = (rvc ? 'c' : 'n') + insnText(i);
  let e = cache.get(key);
  if (!e) cache.set(key, (e = encodeUncached(i, pc, rvc, addrOf)));
  return e;
}

function encodeUncached(i: KernelInsn, pc: number, rvc: boolean, addrOf: (name: string) => number): Encoded {
  const exts = rvc ? RV64IMAC : RV64IMA;
  const one = (mnemonic: string, ops: Record<string, string | number>) => {
    const full = encode(mnemonic, ops);
    if (!rvc) return [full];
    const row = insnRow(mnemonic)!;
    // decode the operand fields back from the operand values (registers by name) to try the compressed form
    const fields: Record<string, number> = {};
    for (const kind of row.operands) {
      const v = ops[kind.field];
      if (v !== undefined) fields[kind.field] = typeof v === 'number' ? v : xRegNumber(v)!;
    }
    const c = compress(mnemonic, fields, exts);
    return [c ? encodeRow(c.row, c.fields) : full];
  };
  switch (i.k) {
    case 'imm':
      return one(i.op, { rd: i.rd, rs1: i.rs1, imm: i.imm });
    case 'reg':
      return one(i.op, { rd: i.rd, rs1: i.rs1, rs2: i.rs2 });
    case 'sd':
      return one('sd', { rs2: i.rs2, rs1: i.rs1, imm: i.imm });
    case 'ld':
      return one('ld', { rd: i.rd, rs1: i.rs1, imm: i.imm });
    case 'ret':
      return one('jalr', { rd: 'zero', rs1: 'ra', imm: 0 });
    case 'call': {
      const { hi20, lo12 } = splitHiLo(addrOf(i.target) - pc);
      return [encode('auipc', { rd: 'ra', imm: hi20 }), encode('jalr', { rd: 'ra', rs1: 'ra', imm: lo12 })];
    }
  }
}

