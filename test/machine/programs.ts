// Multi-hart guest programs for the machine tests, written in the project's assembler.
import { PASS_FAIL } from '../engine/harness.js';

/** Common epilogue: `pass`/`fail` labels, tohost, and a data area. */
const tail = `${PASS_FAIL}
  .data
  .align 6
  .globl tohost
tohost: .dword 0
  .align 6
lock: .dword 0
  .align 6
counter: .dword 0
  .align 6
done: .dword 0
  .align 6
mailbox: .zero 256
`;

/**
 * Every hart adds 1 to a shared counter ITERS times under a spinlock taken with `amoswap.w.aq` (or LR/SC when
 * useLrSc), then counts itself done; hart 0 waits for all NHARTS and checks counter == NHARTS * ITERS.
 */
export function spinlockCounter(nharts: number, iters: number, useLrSc: boolean): string {
  const acquire = useLrSc
    ? `
acquire:
  lr.w.aq t1, (s0)
  bnez t1, acquire
  sc.w t1, s1, (s0)
  bnez t1, acquire`
    : `
acquire:
  amoswap.w.aq t1, s1, (s0)
  bnez t1, acquire`;
  return `
  .globl _start
_start:
  li gp, 2
  la s0, lock
  li s1, 1
  la s2, counter
  la s3, done
  li s4, ${iters}
loop:
${acquire}
  ld t2, 0(s2)
  addi t2, t2, 1
  sd t2, 0(s2)
  amoswap.w.rl zero, zero, (s0)
  addi s4, s4, -1
  bnez s4, loop
  amoadd.d zero, s1, (s3)
  csrr t0, mhartid
  bnez t0, park
wait_all:
  ld t1, 0(s3)
  li t2, ${nharts}
  bne t1, t2, wait_all
  ld t1, 0(s2)
  li t2, ${nharts * iters}
  bne t1, t2, fail
  j pass
park:
  wfi
  j park
${tail}`;
}

/**
 * IPI message passing: hart 0 writes a message into the mailbox of hart 1 and raises hart 1's msip; hart 1 sleeps
 * in wfi with only MSIE enabled, takes the interrupt, copies the message back doubled, clears its msip and sets
 * hart 0's msip; hart 0 (also in wfi) checks the reply.
 */
export function ipiPingPong(): string {
  return `
  .globl _start
_start:
  li gp, 2
  la t0, trap
  csrw mtvec, t0
  li t0, 8            # MSIE
  csrw mie, t0
  csrsi mstatus, 8    # MIE
  csrr a0, mhartid
  bnez a0, hart1
hart0:
  la t1, mailbox
  li t2, 21
  sd t2, 0(t1)
  fence w, o
  li t3, 0x2000004    # CLINT msip[1]
  li t4, 1
  sw t4, 0(t3)
1: wfi
  la t1, mailbox
  ld t2, 8(t1)
  beqz t2, 1b
  li gp, 3
  li t3, 42
  bne t2, t3, fail
  j pass
hart1:
1: wfi
  j 1b
  .align 2
trap:
  csrr t0, mcause
  li t1, 0x8000000000000003
  bne t0, t1, fail
  csrr a0, mhartid
  slli t2, a0, 2
  li t3, 0x2000000
  add t3, t3, t2
  sw zero, 0(t3)      # clear my msip
  bnez a0, 2f
  mret                # hart 0: back to its wfi loop
2:
  la t1, mailbox
  ld t2, 0(t1)
  slli t2, t2, 1
  sd t2, 8(t1)
  fence w, o
  li t3, 0x2000000    # CLINT msip[0]
  li t4, 1
  sw t4, 0(t3)
  mret
${tail}`;
}

/** Timer: hart 0 arms mtimecmp 500 ticks ahead, sleeps in wfi, and must wake with cause 7 (MTI). */
export function timerInterrupt(): string {
  return `
  .globl _start
_start:
  li gp, 2
  la t0, trap
  csrw mtvec, t0
  li t0, 0x80         # MTIE
  csrw mie, t0
  li t1, 0x200bff8    # mtime
  ld t2, 0(t1)
  addi t2, t2, 500
  li t1, 0x2004000    # mtimecmp[0]
  sd t2, 0(t1)
  csrsi mstatus, 8
1: wfi
  j 1b
  .align 2
trap:
  li gp, 3
  csrr t0, mcause
  li t1, 0x8000000000000007
  bne t0, t1, fail
  li gp, 4
  li t1, 0x200bff8
  ld t3, 0(t1)
  bltu t3, t2, fail   # woke before the deadline
  j pass
${tail}`;
}

/**
 * Cross-hart icache: hart 1 spins calling \`patched\` (which returns 1) and counts; hart 0 waits until hart 1 has
 * run it, rewrites the \`li a0, 1\` into \`li a0, 2\` and records what hart 1 sees. Hart 1 must keep returning 1
 * (stale decode) until hart 0 raises an IPI whose handler executes fence.i; then it must return 2.
 */
export function crossHartIcache(): string {
  return `
  .globl _start
_start:
  .option norvc
  li gp, 2
  la t0, trap
  csrw mtvec, t0
  csrr a0, mhartid
  bnez a0, hart1
hart0:
  la s0, mailbox
1: ld t0, 0(s0)         # wait until hart 1 ran patched() once
  beqz t0, 1b
  la t1, patched
  la t2, new_insn
  lw t2, 0(t2)
  sw t2, 0(t1)          # store the new instruction (no fence.i on hart 1)
  fence w, w
  ld t3, 0(s0)          # hart 1's count now
  addi t3, t3, 200
2: ld t4, 0(s0)          # let hart 1 run 200 more calls
  bltu t4, t3, 2b
  li gp, 3
  ld t5, 8(s0)          # last value hart 1 saw: must still be 1 (stale)
  li t6, 1
  bne t5, t6, fail
  li t3, 0x2000004      # IPI hart 1: its handler does fence.i
  li t4, 1
  sw t4, 0(t3)
3: ld t5, 16(s0)         # wait for hart 1's ack
  beqz t5, 3b
  ld t3, 0(s0)
  addi t3, t3, 10
4: ld t4, 0(s0)
  bltu t4, t3, 4b
  li gp, 4
  ld t5, 8(s0)
  li t6, 2
  bne t5, t6, fail
  j pass
hart1:
  li t0, 8
  csrw mie, t0
  csrsi mstatus, 8
  la s0, mailbox
5: call patched
  sd a0, 8(s0)
  ld t1, 0(s0)
  addi t1, t1, 1
  sd t1, 0(s0)
  j 5b
  .align 2
patched:
  li a0, 1
  ret
new_insn:
  li a0, 2
  .align 2
trap:                   # uses only t5/t6: the loop above never touches them
  li t5, 0x2000004
  sw zero, 0(t5)
  fence.i
  la t5, mailbox
  li t6, 1
  sd t6, 16(t5)
  mret
${tail}`;
}
