# Sample for test/isa/gas.test.ts: labels, pseudo-instructions, relaxation, alignment, %pcrel pairs, data.
  .text
  .globl _start
_start:
  li a0, 0x123456789abcdef
  li a1, -1
  li a2, 0x7ff00
  la a3, msg
  lla a4, _start
  call func
  tail func
1: addi a0, a0, -1
  bnez a0, 1b
  beqz a1, 2f
  j 2f
  nop
  .align 3
2: mv a5, a6
  lw a0, msg
  sd a1, val, t0
  csrr t0, mhartid
  csrw mtvec, t0
  csrsi mstatus, 8
  fence
  fence.i
  sfence.vma
  .p2align 4
func:
  auipc t1, %pcrel_hi(val)
.Lx: ld t2, %pcrel_lo(func)(t1)
  ret
  .option push
  .option norvc
  addi a0, a0, 1
  .option pop
  addi a0, a0, 1
  bgt a0, a1, far
  ble a0, a1, func
  .space 300
far:
  j _start
  seqz a0, a1
  snez a0, a1
  not a0, a1
  neg a0, a1
  sext.w a0, a1
  zext.b a0, a1
  rdcycle a0
  jalr a0
  jr a1
  jalr t0, 8(t1)
  .data
msg: .asciz "hello"
  .balign 8
val: .dword 0x1122334455667788, msg
