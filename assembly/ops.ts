// Decoded-operation numbers: the dense bytecode the decoder writes into decode-cache entries and run() dispatches on.

// Control ops (not instructions)
export const OP_DECODE: u32 = 0; // entry not decoded yet (zeroed slot)
export const OP_PAGE_END: u32 = 1; // sentinel after the last entry of a page: look up the next page

// Integer register-immediate / upper-immediate
export const OP_LUI: u32 = 2;
export const OP_AUIPC: u32 = 3;
export const OP_ADDI: u32 = 4;
export const OP_SLTI: u32 = 5;
export const OP_SLTIU: u32 = 6;
export const OP_XORI: u32 = 7;
export const OP_ORI: u32 = 8;
export const OP_ANDI: u32 = 9;
export const OP_SLLI: u32 = 10;
export const OP_SRLI: u32 = 11;
export const OP_SRAI: u32 = 12;
export const OP_ADDIW: u32 = 13;
export const OP_SLLIW: u32 = 14;
export const OP_SRLIW: u32 = 15;
export const OP_SRAIW: u32 = 16;
// register-register
export const OP_ADD: u32 = 17;
export const OP_SUB: u32 = 18;
export const OP_SLL: u32 = 19;
export const OP_SLT: u32 = 20;
export const OP_SLTU: u32 = 21;
export const OP_XOR: u32 = 22;
export const OP_SRL: u32 = 23;
export const OP_SRA: u32 = 24;
export const OP_OR: u32 = 25;
export const OP_AND: u32 = 26;
export const OP_ADDW: u32 = 27;
export const OP_SUBW: u32 = 28;
export const OP_SLLW: u32 = 29;
export const OP_SRLW: u32 = 30;
export const OP_SRAW: u32 = 31;
// M extension
export const OP_MUL: u32 = 32;
export const OP_MULH: u32 = 33;
export const OP_MULHSU: u32 = 34;
export const OP_MULHU: u32 = 35;
export const OP_DIV: u32 = 36;
export const OP_DIVU: u32 = 37;
export const OP_REM: u32 = 38;
export const OP_REMU: u32 = 39;
export const OP_MULW: u32 = 40;
export const OP_DIVW: u32 = 41;
export const OP_DIVUW: u32 = 42;
export const OP_REMW: u32 = 43;
export const OP_REMUW: u32 = 44;
// control transfer
export const OP_JAL: u32 = 45;
export const OP_JALR: u32 = 46;
export const OP_BEQ: u32 = 47;
export const OP_BNE: u32 = 48;
export const OP_BLT: u32 = 49;
export const OP_BGE: u32 = 50;
export const OP_BLTU: u32 = 51;
export const OP_BGEU: u32 = 52;
// loads / stores (fast path in run(), everything else in step())
export const OP_LB: u32 = 53;
export const OP_LH: u32 = 54;
export const OP_LW: u32 = 55;
export const OP_LD: u32 = 56;
export const OP_LBU: u32 = 57;
export const OP_LHU: u32 = 58;
export const OP_LWU: u32 = 59;
export const OP_SB: u32 = 60;
export const OP_SH: u32 = 61;
export const OP_SW: u32 = 62;
export const OP_SD: u32 = 63;
export const OP_FENCE: u32 = 64;
// always executed by the slow stepper (step.ts)
export const OP_AMO: u32 = 65; // LR/SC/AMO*, details from the raw bits
export const OP_SYSTEM: u32 = 66; // ecall/ebreak/xret/wfi/sfence.vma/csr*, details from the raw bits
export const OP_FENCE_I: u32 = 67;
export const OP_ILLEGAL: u32 = 68;
// F/D extensions (fpexec.ts via step()): loads/stores carry f-register addresses in E_RD / E_RS2
export const OP_FLW: u32 = 69;
export const OP_FLD: u32 = 70;
export const OP_FSW: u32 = 71;
export const OP_FSD: u32 = 72;
export const OP_FP: u32 = 73; // every other F/D instruction, details from the raw bits
export const OP_COUNT: u32 = 74;

// Decode-cache entry layout (32 bytes; one entry per 2-byte offset of the page). Register fields hold
// absolute Wasm addresses of the owning hart's register slots, so the hot loop needs no base add.
export const E_OP = 0; // u8
export const E_ADV = 1; // u8 entry advance = instruction length * 16 (32 or 64 bytes: the next entry)
// byte 2: the run loop's handler byte (E_HANDLER, dispatch.ts), written after decoding
export const E_RD = 4; // u32 address of rd in the hart block (x0 -> the H_XSINK slot)
export const E_RS1 = 8; // u32 address of rs1
export const E_RS2 = 12; // u32 address of rs2
export const E_IMM = 16; // i32 immediate (sign-extended)
export const E_RAW = 20; // u32 raw instruction bits (16 bits for compressed)
export const E_IMM_RAM = 24; // i64 immediate - RAM_GUEST_BASE (loads/stores: RAM offset = rs1 + this); other fast ops: E_WIDE in dispatch.ts
export const E_SHIFT = 4; // log2(entry size / 2): entry = page slot + (page offset << E_SHIFT)
