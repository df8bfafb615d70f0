// Test harness for engine tests: riscv-tests style self-checking guest programs written in the project's assembler.
import { assemble } from '../../src/isa/index.js';
import { Machine, type MachineOptions, type RunResult } from '../../src/machine/index.js';

/** riscv-tests style verdict: `fail` writes (gp<<1)|1 to tohost, `pass` writes 1 (both spin afterwards). */
export const PASS_FAIL = `
fail:
  slli gp, gp, 1
  ori gp, gp, 1
  j write_tohost
pass:
  li gp, 1
write_tohost:
  la t5, tohost
  sd gp, 0(t5)
1: j 1b
`;

/** Wraps test cases: M-mode start, fail writes (gp<<1)|1 to tohost, pass writes 1. Unexpected traps fail with gp|1337. */
export function testProgram(body: string, extra = ''): string {
  return `
  .globl _start
_start:
  la t0, unexpected_trap
  csrw mtvec, t0
  li sp, 0x80080000
${body}
  j pass
${PASS_FAIL}  .align 2
unexpected_trap:
  ori gp, gp, 1337
  j write_tohost
${extra}
  .data
  .align 6
  .globl tohost
tohost: .dword 0
  .align 6
scratch: .zero 256
`;
}

export interface GuestRun {
  machine: Machine;
  result: RunResult;
}

/** Assembles and runs source on a fresh machine (1 MiB RAM by default). */
export function runSource(source: string, opts: MachineOptions & { maxInsns?: number } = {}): GuestRun {
  const machine = Machine.create({ ram: opts.ram ?? 0x100000, harts: opts.harts ?? 1, coherent: opts.coherent ?? false });
  machine.loadProgram(assemble(source, { file: 'test.s' }));
  const result = machine.run({ maxInsns: opts.maxInsns ?? 1e6 });
  return { machine, result };
}

/** Runs a testProgram body and returns "pass" or a description of the failing case, for readable assertions. */
export function outcome(body: string, extra = '', opts: MachineOptions = {}): string {
  const { machine, result } = runSource(testProgram(body, extra), opts);
  if (result.reason !== 'halted') {
    const h = machine.hart(0);
    return `stopped: ${result.reason} at pc 0x${h.pc.toString(16)} priv ${h.priv} gp ${h.x('gp')} mcause 0x${h.csr('mcause').toString(16)} mepc 0x${h.csr('mepc').toString(16)} mstatus 0x${h.csr('mstatus').toString(16)} mip 0x${h.csr('mip').toString(16)} mie 0x${h.csr('mie').toString(16)}`;
  }
  if (result.exitValue === 1n) return 'pass';
  const v = result.exitValue ?? 0n;
  const h = machine.hart(0);
  return (
    `failed case ${v >> 1n} x14=${h.x(14).toString(16)} x3=${h.x(3).toString(16)} x20=${h.x(20).toString(16)} x21=${h.x(21).toString(16)} (tohost 0x${v.toString(16)}; last trap mcause 0x${h.csr('mcause').toString(16)} ` +
    `mepc 0x${h.csr('mepc').toString(16)})`
  );
}

// ---- case generators (like riscv-tests' TEST_* macros); registers: x14 result, x1/x2 operands, x7 expected

/** An operand or expected value: number, bigint, or assembler literal text such as 0x7fffffffffffffff. */
export type Val = bigint | number | string;

let caseNo = 1;
export function resetCases(): void {
  caseNo = 1;
}
const next = (): number => ++caseNo;

/** rd = op rs1, rs2 */
export const rr = (op: string, a: Val, b: Val, expect: Val): string => `
  li gp, ${next()}
  li x1, ${a}
  li x2, ${b}
  ${op} x14, x1, x2
  li x7, ${expect}
  bne x14, x7, fail`;

/** rd = op rs1, imm */
export const ri = (op: string, a: Val, imm: number, expect: Val): string => `
  li gp, ${next()}
  li x1, ${a}
  ${op} x14, x1, ${imm}
  li x7, ${expect}
  bne x14, x7, fail`;

/** Checks register reg equals expect (after arbitrary code). */
export const check = (code: string, reg: string, expect: Val): string => `
  li gp, ${next()}
${code}
  li x7, ${expect}
  bne ${reg}, x7, fail`;

/** A branch that must (or must not) be taken. */
export const br = (op: string, a: Val, b: Val, taken: boolean): string => {
  const n = next();
  return `
  li gp, ${n}
  li x1, ${a}
  li x2, ${b}
  ${op} x1, x2, 10${n}f
  ${taken ? 'j fail' : 'j 11' + n + 'f'}
10${n}:
  ${taken ? '' : 'j fail'}
11${n}:`;
};

/** Current case number (for tests that compute expectations). */
export const currentCase = (): number => caseNo;
