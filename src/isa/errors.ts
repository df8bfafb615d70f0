// Typed errors of the ISA toolkit: bad operands given to the encoder, assembly source errors.
import { FtraceLabError } from '../errors.js';

/** An instruction cannot be encoded as asked (unknown mnemonic, operand out of range, wrong register). */
export class EncodeError extends FtraceLabError {
  constructor(message: string, code = 'ISA_ENCODE') {
    super(code, message);
  }
}

/** One problem found in assembly source, with its position. */
export interface AsmDiagnostic {
  code: string;
  file: string;
  line: number;
  column: number;
  message: string;
}

export function formatDiagnostic(d: AsmDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: error: ${d.message}`;
}

/**
 * Assembly failed. `code` is the code of the first problem ('ASM_SYNTAX', 'ASM_UNDEFINED_SYMBOL',
 * 'ASM_RANGE', ...); `diagnostics` lists all of them; the message shows them one per line.
 */
export class AsmError extends FtraceLabError {
  readonly diagnostics: readonly AsmDiagnostic[];
  constructor(diagnostics: AsmDiagnostic[]) {
    const first = diagnostics[0] ?? { code: 'ASM_SYNTAX', file: '<input>', line: 0, column: 0, message: 'assembly failed' };
    super(first.code, diagnostics.map(formatDiagnostic).join('\n'));
    this.diagnostics = diagnostics;
  }
}
