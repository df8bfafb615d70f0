// Block → Wasm: one function per block with the guest registers in locals, the engine's data path inline, exact budget
// accounting and exits before anything the interpreter must do (assembly/README.md, "Compiled blocks").
import {
  H_JIT_LDTLB, H_JIT_N, H_JIT_PC, H_JIT_RAMLIM, H_JIT_STLIM, H_JIT_STTLB, H_JIT_THLO, H_X, RAM_GUEST_BASE, RAM_WASM_BASE,
} from '../layout.js';
import { type Block, type BlockInsn, ENTRY, JOP } from './block.js';
import { I32, I64, OP, oneFunctionModule, VOID, WasmBytes } from './wasm-writer.js';

// parameters: hart block, page va, head entry address, budget (>= block length)
const P_HB = 0;
const P_VA = 1;
const P_EP = 2;
const P_LEFT = 3;
// i32 locals
const L_N = 4; // instructions retired by completed passes (a block loops when a branch returns to its head)
const L_CNT = 5; // instructions retired in this pass at the exit
const L_RET = 6; // what the function returns: next entry, 0 (left the page, pc in H_JIT_PC) or 1 (interpret the head)
const L_LDTLB = 7;
const L_STTLB = 8;
const L_E = 9;
const N_I32 = 6;
// i64 locals
const L_RAMLIM = 10;
const L_STLIM = 11;
const L_THLO = 12;
const L_OFF = 13;
const L_T = 14;
const L_X0 = 15; // x_r lives in local L_X0 + r - 1 (r = 1..31)
const N_I64 = 5 + 31;

const xl = (r: number): number => L_X0 + r - 1;

/** The Wasm module of one block (exports `f(hb: i32, va: i64, ep: i32, left: i32) -> i32`). */
export function compileBlock(b: Block): Uint8Array<ArrayBuffer> {
  return new BlockCodegen(b).module();
}

class BlockCodegen {
  private readonly w = new WasmBytes();
  /** Labels between the current code and the exit block: 1 inside the loop, +1 per open `if`. */
  private depth = 1;
  private readonly insns: BlockInsn[];
  private readonly head: number;
  private readonly reads = new Set<number>();
  private readonly writes = new Set<number>();
  private readonly memory: boolean;

  constructor(private readonly block: Block) {
    this.insns = block.insns;
    this.head = this.insns[0]!.off;
    for (const i of this.insns) {
      if (usesRs1(i.op) && i.rs1) this.reads.add(i.rs1);
      if (usesRs2(i.op) && i.rs2) this.reads.add(i.rs2);
      if (writesRd(i.op) && i.rd) this.writes.add(i.rd);
    }
    this.memory = this.insns.some((i) => isLoad(i.op) || isStore(i.op));
  }

  module(): Uint8Array<ArrayBuffer> {
    const w = this.w;
    // prologue: registers used anywhere (written ones too: every exit writes all of them back), data-path words
    for (const r of new Set([...this.reads, ...this.writes])) {
      w.byte(OP.local_get).u32(P_HB).byte(OP.i64_load).u32(3).u32(H_X + 8 * r).byte(OP.local_set).u32(xl(r));
    }
    if (this.memory) {
      this.loadWord(OP.i64_load, H_JIT_RAMLIM, L_RAMLIM);
      this.loadWord(OP.i64_load, H_JIT_STLIM, L_STLIM);
      this.loadWord(OP.i64_load, H_JIT_THLO, L_THLO);
      this.loadWord(OP.i32_load, H_JIT_LDTLB, L_LDTLB);
      this.loadWord(OP.i32_load, H_JIT_STTLB, L_STTLB);
    }
    w.byte(OP.block).byte(VOID); // $exit
    w.byte(OP.loop).byte(VOID); // $pass
    let ended = false;
    for (let k = 0; k < this.insns.length && !ended; k++) ended = this.insn(k);
    if (!ended) this.exitBefore(this.insns.length);
    w.byte(OP.end).byte(OP.end);
    // epilogue: write back, report the count, return
    for (const r of this.writes) {
      w.byte(OP.local_get).u32(P_HB).byte(OP.local_get).u32(xl(r)).byte(OP.i64_store).u32(3).u32(H_X + 8 * r);
    }
    w.byte(OP.local_get).u32(P_HB);
    w.byte(OP.local_get).u32(L_N).byte(OP.local_get).u32(L_CNT).byte(OP.i32_add);
    w.byte(OP.i32_store).u32(2).u32(H_JIT_N);
    w.byte(OP.local_get).u32(L_RET);
    return oneFunctionModule([I32, I64, I32, I32], [I32], [[N_I32, I32], [N_I64, I64]], w);
  }

  private loadWord(op: number, at: number, local: number): void {
    this.w.byte(OP.local_get).u32(P_HB).byte(op).u32(op === OP.i64_load ? 3 : 2).u32(at).byte(OP.local_set).u32(local);
  }

  // ---- value helpers
  private rs(r: number): void {
    if (r === 0) this.w.byte(OP.i64_const).s64(0n);
    else this.w.byte(OP.local_get).u32(xl(r));
  }
  private i64c(v: bigint | number): void {
    this.w.byte(OP.i64_const).s64(BigInt(v));
  }
  private i32c(v: number): void {
    this.w.byte(OP.i32_const).s32(v);
  }
  /** Sets rd from the i64 on the stack (dropped for x0). */
  private setRd(rd: number): void {
    if (rd === 0) this.w.byte(OP.drop);
    else this.w.byte(OP.local_set).u32(xl(rd));
  }
  private openIf(): void {
    this.w.byte(OP.if).byte(VOID);
    this.depth++;
  }
  private close(): void {
    this.w.byte(OP.end);
    this.depth--;
  }
  private brExit(): void {
    this.w.byte(OP.br).u32(this.depth);
  }

  /** Exit before instruction k (it and what follows run in the interpreter); k = 0 means: interpret the head. */
  private exitBefore(k: number): void {
    if (k === 0) this.i32c(1);
    else this.entryAt(this.insns[k - 1]!.off + this.insns[k - 1]!.len);
    this.w.byte(OP.local_set).u32(L_RET);
    this.i32c(k);
    this.w.byte(OP.local_set).u32(L_CNT);
    this.brExit();
  }

  /** Pushes the entry address of page offset `off` (same page). */
  private entryAt(off: number): void {
    this.w.byte(OP.local_get).u32(P_EP);
    this.i32c((off - this.head) << ENTRY.SHIFT);
    this.w.byte(OP.i32_add);
  }

  /** After instruction k retired: continue at page offset `target` (pc-relative, constant). */
  private goTo(k: number, target: number): void {
    const w = this.w;
    if (target === this.head) {
      // back to the head: another pass if the budget covers a whole one, else the interpreter takes the head
      w.byte(OP.local_get).u32(L_N);
      this.i32c(k + 1);
      w.byte(OP.i32_add).byte(OP.local_set).u32(L_N);
      w.byte(OP.local_get).u32(P_LEFT).byte(OP.local_get).u32(L_N).byte(OP.i32_sub);
      this.i32c(this.insns.length);
      w.byte(OP.i32_ge_s).byte(OP.br_if).u32(this.depth - 1);
      this.i32c(1);
      w.byte(OP.local_set).u32(L_RET);
      this.i32c(0);
      w.byte(OP.local_set).u32(L_CNT);
      this.brExit();
      return;
    }
    if (target >= 0 && target < 0x1000) this.entryAt(target);
    else {
      w.byte(OP.local_get).u32(P_HB);
      w.byte(OP.local_get).u32(P_VA);
      this.i64c(target);
      w.byte(OP.i64_add).byte(OP.i64_store).u32(3).u32(H_JIT_PC);
      this.i32c(0);
    }
    w.byte(OP.local_set).u32(L_RET);
    this.i32c(k + 1);
    w.byte(OP.local_set).u32(L_CNT);
    this.brExit();
  }

  /** Emits instruction k; true when it ends the block (unconditional control transfer). */
  private insn(k: number): boolean {
    const i = this.insns[k]!;
    const w = this.w;
    const binop = (opc: number, imm?: bigint): void => {
      if (i.rd === 0) return;
      this.rs(i.rs1);
      if (imm !== undefined) this.i64c(imm);
      else this.rs(i.rs2);
      w.byte(opc);
      this.setRd(i.rd);
    };
    /** 32-bit op on the low halves, result sign-extended. */
    const wop = (opc: number, imm?: number): void => {
      if (i.rd === 0) return;
      this.rs(i.rs1);
      w.byte(OP.i32_wrap_i64);
      if (imm !== undefined) this.i32c(imm);
      else {
        this.rs(i.rs2);
        w.byte(OP.i32_wrap_i64);
      }
      w.byte(opc).byte(OP.i64_extend_i32_s);
      this.setRd(i.rd);
    };
    const sext = (opc: number, imm?: bigint): void => {
      if (i.rd === 0) return;
      this.rs(i.rs1);
      if (imm !== undefined) this.i64c(imm);
      else this.rs(i.rs2);
      w.byte(opc).byte(OP.i32_wrap_i64).byte(OP.i64_extend_i32_s);
      this.setRd(i.rd);
    };
    const cmp = (opc: number, imm?: bigint): void => {
      if (i.rd === 0) return;
      this.rs(i.rs1);
      if (imm !== undefined) this.i64c(imm);
      else this.rs(i.rs2);
      w.byte(opc).byte(OP.i64_extend_i32_u);
      this.setRd(i.rd);
    };
    const imm = BigInt(i.imm);
    switch (i.op) {
      case JOP.LUI:
        if (i.rd) { this.i64c(imm); this.setRd(i.rd); }
        return false;
      case JOP.AUIPC:
        if (i.rd) { w.byte(OP.local_get).u32(P_VA); this.i64c(i.off + i.imm); w.byte(OP.i64_add); this.setRd(i.rd); }
        return false;
      case JOP.ADDI: binop(OP.i64_add, imm); return false;
      case JOP.SLTI: cmp(OP.i64_lt_s, imm); return false;
      case JOP.SLTIU: cmp(OP.i64_lt_u, imm); return false;
      case JOP.XORI: binop(OP.i64_xor, imm); return false;
      case JOP.ORI: binop(OP.i64_or, imm); return false;
      case JOP.ANDI: binop(OP.i64_and, imm); return false;
      case JOP.SLLI: binop(OP.i64_shl, imm); return false;
      case JOP.SRLI: binop(OP.i64_shr_u, imm); return false;
      case JOP.SRAI: binop(OP.i64_shr_s, imm); return false;
      case JOP.ADDIW: sext(OP.i64_add, imm); return false;
      case JOP.SLLIW: wop(OP.i32_shl, i.imm); return false;
      case JOP.SRLIW: wop(OP.i32_shr_u, i.imm); return false;
      case JOP.SRAIW: wop(OP.i32_shr_s, i.imm); return false;
      case JOP.ADD: binop(OP.i64_add); return false;
      case JOP.SUB: binop(OP.i64_sub); return false;
      case JOP.SLL: binop(OP.i64_shl); return false;
      case JOP.SLT: cmp(OP.i64_lt_s); return false;
      case JOP.SLTU: cmp(OP.i64_lt_u); return false;
      case JOP.XOR: binop(OP.i64_xor); return false;
      case JOP.SRL: binop(OP.i64_shr_u); return false;
      case JOP.SRA: binop(OP.i64_shr_s); return false;
      case JOP.OR: binop(OP.i64_or); return false;
      case JOP.AND: binop(OP.i64_and); return false;
      case JOP.ADDW: sext(OP.i64_add); return false;
      case JOP.SUBW: sext(OP.i64_sub); return false;
      case JOP.SLLW: wop(OP.i32_shl); return false;
      case JOP.SRLW: wop(OP.i32_shr_u); return false;
      case JOP.SRAW: wop(OP.i32_shr_s); return false;
      case JOP.MUL: binop(OP.i64_mul); return false;
      case JOP.MULW: sext(OP.i64_mul); return false;
      case JOP.JAL:
        if (i.rd) { w.byte(OP.local_get).u32(P_VA); this.i64c(i.off + i.len); w.byte(OP.i64_add); this.setRd(i.rd); }
        this.goTo(k, i.off + i.imm);
        return true;
      case JOP.JALR:
        this.jalr(k, i);
        return true;
      case JOP.BEQ: case JOP.BNE: case JOP.BLT: case JOP.BGE: case JOP.BLTU: case JOP.BGEU:
        this.branch(k, i);
        return false;
      default:
        if (isLoad(i.op)) this.load(k, i);
        else this.store(k, i);
        return false;
    }
  }

  private branch(k: number, i: BlockInsn): void {
    const cond: Record<number, number> = {
      [JOP.BEQ]: OP.i64_eq, [JOP.BNE]: OP.i64_ne, [JOP.BLT]: OP.i64_lt_s, [JOP.BGE]: OP.i64_ge_s,
      [JOP.BLTU]: OP.i64_lt_u, [JOP.BGEU]: OP.i64_ge_u,
    };
    this.rs(i.rs1);
    this.rs(i.rs2);
    this.w.byte(cond[i.op]!);
    this.openIf();
    this.goTo(k, i.off + i.imm);
    this.close();
  }

  private jalr(k: number, i: BlockInsn): void {
    const w = this.w;
    // target first (rd may be rs1), then the link
    this.rs(i.rs1);
    this.i64c(i.imm);
    w.byte(OP.i64_add).byte(OP.local_set).u32(L_T);
    if (i.rd) { w.byte(OP.local_get).u32(P_VA); this.i64c(i.off + i.len); w.byte(OP.i64_add); this.setRd(i.rd); }
    // same page: the target's entry; else leave the page with pc = target & ~1
    w.byte(OP.local_get).u32(L_T);
    this.i64c(12);
    w.byte(OP.i64_shr_u);
    w.byte(OP.local_get).u32(P_VA);
    this.i64c(12);
    w.byte(OP.i64_shr_u).byte(OP.i64_eq);
    w.byte(OP.if).byte(I32);
    this.depth++;
    w.byte(OP.local_get).u32(P_EP);
    this.i32c(this.head << ENTRY.SHIFT);
    w.byte(OP.i32_sub);
    w.byte(OP.local_get).u32(L_T).byte(OP.i32_wrap_i64);
    this.i32c(0xffe);
    w.byte(OP.i32_and);
    this.i32c(ENTRY.SHIFT);
    w.byte(OP.i32_shl).byte(OP.i32_add);
    w.byte(OP.else);
    w.byte(OP.local_get).u32(P_HB);
    w.byte(OP.local_get).u32(L_T);
    this.i64c(-2);
    w.byte(OP.i64_and).byte(OP.i64_store).u32(3).u32(H_JIT_PC);
    this.i32c(0);
    this.close();
    w.byte(OP.local_set).u32(L_RET);
    this.i32c(k + 1);
    w.byte(OP.local_set).u32(L_CNT);
    this.brExit();
  }

  /** L_OFF = RAM offset of the access (rs1 + imm - RAM base), translated through the TLB set in tlbLocal if needed. */
  private address(k: number, i: BlockInsn, lim: number, tlbLocal: number, size: number, isStore: boolean): void {
    const w = this.w;
    this.rs(i.rs1);
    this.i64c(BigInt(i.imm) - BigInt(RAM_GUEST_BASE));
    w.byte(OP.i64_add).byte(OP.local_tee).u32(L_OFF);
    w.byte(OP.local_get).u32(lim).byte(OP.i64_ge_u);
    this.openIf();
    // translated (or outside Bare RAM): va = off + RAM base; entry = tlb + ((va >> 8) & 0xff0)
    w.byte(OP.local_get).u32(L_OFF);
    this.i64c(RAM_GUEST_BASE);
    w.byte(OP.i64_add).byte(OP.local_set).u32(L_T);
    w.byte(OP.local_get).u32(tlbLocal);
    w.byte(OP.local_get).u32(L_T);
    this.i64c(8);
    w.byte(OP.i64_shr_u).byte(OP.i32_wrap_i64);
    this.i32c(0xff0);
    w.byte(OP.i32_and).byte(OP.i32_add).byte(OP.local_set).u32(L_E);
    w.byte(OP.local_get).u32(L_T);
    this.i64c(BigInt.asIntN(64, 0xfffffffffffff000n | BigInt(size - 1)));
    w.byte(OP.i64_and);
    w.byte(OP.local_get).u32(L_E).byte(OP.i64_load).u32(3).u32(0);
    w.byte(OP.i64_ne);
    this.openIf();
    this.exitBefore(k);
    this.close();
    w.byte(OP.local_get).u32(L_T);
    w.byte(OP.local_get).u32(L_E).byte(OP.i64_load).u32(3).u32(8);
    w.byte(OP.i64_add).byte(OP.local_set).u32(L_OFF);
    if (isStore) {
      // Bare RAM: stores into the tohost window go to the interpreter
      w.byte(OP.else);
      w.byte(OP.local_get).u32(L_OFF).byte(OP.local_get).u32(L_THLO).byte(OP.i64_sub);
      this.i64c(16);
      w.byte(OP.i64_lt_u);
      this.openIf();
      this.exitBefore(k);
      this.close();
    }
    this.close();
    if (size === 8) {
      // 8-byte accesses are atomic, hence aligned; a misaligned one runs in the interpreter
      w.byte(OP.local_get).u32(L_OFF);
      this.i64c(7);
      w.byte(OP.i64_and).byte(OP.i64_eqz).byte(OP.i32_eqz);
      this.openIf();
      this.exitBefore(k);
      this.close();
    }
    w.byte(OP.local_get).u32(L_OFF).byte(OP.i32_wrap_i64);
  }

  private load(k: number, i: BlockInsn): void {
    const size = i.op === JOP.LD ? 8 : i.op === JOP.LW || i.op === JOP.LWU ? 4 : i.op === JOP.LH || i.op === JOP.LHU ? 2 : 1;
    this.address(k, i, L_RAMLIM, L_LDTLB, size, false);
    const w = this.w;
    const align = Math.log2(size);
    if (i.op === JOP.LD) w.byte(OP.atomic_prefix).u32(OP.i64_atomic_load).u32(3).u32(RAM_WASM_BASE);
    else {
      const opc = {
        [JOP.LW]: OP.i64_load32_s, [JOP.LWU]: OP.i64_load32_u, [JOP.LH]: OP.i64_load16_s, [JOP.LHU]: OP.i64_load16_u,
        [JOP.LB]: OP.i64_load8_s, [JOP.LBU]: OP.i64_load8_u,
      }[i.op]!;
      w.byte(opc).u32(align).u32(RAM_WASM_BASE);
    }
    this.setRd(i.rd);
  }

  private store(k: number, i: BlockInsn): void {
    const size = i.op === JOP.SD ? 8 : i.op === JOP.SW ? 4 : i.op === JOP.SH ? 2 : 1;
    this.address(k, i, L_STLIM, L_STTLB, size, true);
    const w = this.w;
    this.rs(i.rs2);
    if (i.op === JOP.SD) w.byte(OP.atomic_prefix).u32(OP.i64_atomic_store).u32(3).u32(RAM_WASM_BASE);
    else w.byte(i.op === JOP.SW ? OP.i64_store32 : i.op === JOP.SH ? OP.i64_store16 : OP.i64_store8).u32(Math.log2(size)).u32(RAM_WASM_BASE);
  }
}

function isLoad(op: number): boolean {
  return op >= JOP.LB && op <= JOP.LWU;
}
function isStore(op: number): boolean {
  return op >= JOP.SB && op <= JOP.SD;
}
function usesRs1(op: number): boolean {
  return op !== JOP.LUI && op !== JOP.AUIPC && op !== JOP.JAL;
}
function usesRs2(op: number): boolean {
  return (op >= JOP.ADD && op <= JOP.MULW) || (op >= JOP.BEQ && op <= JOP.BGEU) || isStore(op);
}
function writesRd(op: number): boolean {
  return !(op >= JOP.BEQ && op <= JOP.BGEU) && !isStore(op);
}
