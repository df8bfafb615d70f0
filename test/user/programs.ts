// Test helpers for Linux-user mode: tiny static user programs written in the project's assembler (syscalls by hand).
import { assemble, toElf } from '../../src/isa/index.js';
import { runUserProgram, type UserProcessOptions, type UserRunResult } from '../../src/user/index.js';

/** Assembles a user program linked at 0x10000 (like `gcc -static`); `_start` is the entry. */
export function userElf(source: string, march = 'rv64imac'): Uint8Array {
  return toElf(assemble(`  .globl _start\n${source}`, { base: 0x10000, march, file: 'user.s' }));
}

/** Assembly for `syscall nr` with up to 6 argument registers already set by the caller. */
export const sys = (nr: number): string => `  li a7, ${nr}\n  ecall\n`;

/** Exit with a0 (exit_group). */
export const EXIT_A0 = sys(94);

export interface TextRun extends UserRunResult {
  out: string;
  err: string;
}

export function runUser(source: string, opts: UserProcessOptions & { maxInsns?: number } = {}): TextRun {
  const r = runUserProgram(userElf(source), { maxInsns: 1e7, ...opts });
  const dec = new TextDecoder();
  return { ...r, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

/**
 * Program that prints a0 of each listed syscall as 16 hex digits + '\n' (a helper routine), then exits 0.
 * `calls` is assembly that sets up arguments and ends with `call report` after each ecall.
 */
export function reportingProgram(calls: string, data = ''): string {
  return `
_start:
${calls}
  li a0, 0
${EXIT_A0}
# report: prints a0 as 16 hex digits and a newline on stdout; keeps s-registers
report:
  la t0, hexbuf
  li t1, 60
1:
  srl t2, a0, t1
  andi t2, t2, 15
  la t3, digits
  add t3, t3, t2
  lbu t3, 0(t3)
  sb t3, 0(t0)
  addi t0, t0, 1
  addi t1, t1, -4
  bgez t1, 1b
  li t3, 10
  sb t3, 0(t0)
  li a0, 1
  la a1, hexbuf
  li a2, 17
  li a7, 64
  ecall
  ret
  .data
digits: .ascii "0123456789abcdef"
hexbuf: .zero 24
${data}
`;
}

/** The reported a0 values as signed bigints. */
export function reported(out: string): bigint[] {
  return out.trim().split('\n').filter(Boolean).map((l) => BigInt.asIntN(64, BigInt('0x' + l)));
}
