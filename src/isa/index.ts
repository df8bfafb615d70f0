// Public API of the RISC-V ISA toolkit: instruction table, encoder, decoder, assembler, disassembler.
export { INSN_TABLE, insnRow, type InsnRow, type Extension, type SyntaxGroup, type Expansion } from './table.js';
export { OPERAND_KINDS, ROUNDING_MODES, type FieldName, type Fields, type OperandKind, type OperandClass } from './operands.js';
export { X_ABI_NAMES, F_ABI_NAMES, xRegNumber, fRegNumber, xRegName, fRegName } from './registers.js';
export { CSR_TABLE, csrNumber, csrName } from './csrs.js';
export {
  encode, encodeRow, insnBytes, encodeAuipc, encodeJalr, encodeJal, encodeAddi, nop, cNop, splitHiLo, fenceSet,
  type EncodedInsn, type OperandValues,
} from './encode.js';
export { decode, insnLength, type DecodedInsn } from './decode.js';
export { compress, expandCompressed, type RowFields } from './compress.js';
export { EncodeError, AsmError, type AsmDiagnostic, formatDiagnostic } from './errors.js';
export { assemble, type AssembleOptions } from './asm/assembler.js';
export { toElf, toFlatBinary, findSection, type AssembledProgram, type AssembledSection, type AssembledSymbol } from './asm/program.js';
export { liSequence, runLiSequence, type LiStep } from './asm/li.js';
export { parseMarch, DEFAULT_MARCH } from './asm/march.js';
export { disassembleWord, disassembleRange, symbolizer, type DisasmInsn, type DisasmOptions, type DisasmSymbol } from './disasm.js';
