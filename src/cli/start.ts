// `ftrace-lab start` (npm start): demo that assembles a small bundled guest program, runs it and prints its UART output and stats.
import { assemble } from '../isa/index.js';
import { Machine } from '../machine/index.js';
import { EXIT_GUEST_FAULT } from './exit-codes.js';

/** The bundled demo: prints a greeting, sums 1..N in a loop of calls, prints the sum in hex, exits 0. */
export const DEMO_SOURCE = `
  .globl _start
_start:
  li sp, 0x80100000
  la a0, greeting
  call puts
  li s0, 2000000          # N
  li s1, 0                # sum
1: mv a0, s0
  call add_to_sum
  addi s0, s0, -1
  bnez s0, 1b
  la a0, result
  call puts
  mv a0, s1
  call puthex
  li a0, 10
  call putc
  li gp, 1                # HTIF exit(0)
  la t0, tohost
  sd gp, 0(t0)
2: j 2b

add_to_sum:               # s1 += a0 (through the stack, like compiled code)
  addi sp, sp, -16
  sd ra, 8(sp)
  sd a0, 0(sp)
  ld t0, 0(sp)
  add s1, s1, t0
  ld ra, 8(sp)
  addi sp, sp, 16
  ret

putc:                     # 16550 THR
  li t0, 0x10000000
  sb a0, 0(t0)
  ret

puts:
  addi sp, sp, -16
  sd ra, 8(sp)
  sd s0, 0(sp)
  mv s0, a0
3: lbu a0, 0(s0)
  beqz a0, 4f
  call putc
  addi s0, s0, 1
  j 3b
4: ld s0, 0(sp)
  ld ra, 8(sp)
  addi sp, sp, 16
  ret

puthex:                   # 16 hex digits of a0
  addi sp, sp, -32
  sd ra, 24(sp)
  sd s0, 16(sp)
  sd s1, 8(sp)
  mv s0, a0
  li s1, 60
5: srl a0, s0, s1
  andi a0, a0, 15
  li t1, 10
  blt a0, t1, 6f
  addi a0, a0, 39         # 'a' - '0' - 10
6: addi a0, a0, 48
  call putc
  addi s1, s1, -4
  bgez s1, 5b
  ld s1, 8(sp)
  ld s0, 16(sp)
  ld ra, 24(sp)
  addi sp, sp, 32
  ret

greeting: .asciz "ftrace-lab: RV64IMAC hart engine demo\\n"
result: .asciz "sum of 1..2000000 = 0x"

  .data
  .align 3
  .globl tohost
tohost: .dword 0
`;

export async function main(_argv: string[]): Promise<number> {
  const machine = Machine.create({ onUart: (text) => process.stdout.write(text) });
  machine.loadProgram(assemble(DEMO_SOURCE, { file: 'demo.s' }));
  const t0 = performance.now();
  const r = machine.run({ maxInsns: 1e9 });
  const seconds = (performance.now() - t0) / 1000;
  const mips = r.instructions / seconds / 1e6;
  process.stdout.write(
    `stop: ${r.reason}${r.exitCode !== undefined ? ` (exit ${r.exitCode})` : ''}  instructions: ${r.instructions}  ` +
      `seconds: ${seconds.toFixed(3)}  M instr/s: ${mips.toFixed(1)}\n`,
  );
  return r.reason === 'halted' ? (r.exitCode ?? 0) : EXIT_GUEST_FAULT;
}
