# hello.s: the smallest bare-metal program for ftrace-lab's board. Hart 0 prints a line on the 16550 UART at
# 0x1000_0000 and exits with code 0 through HTIF tohost; other harts wait in wfi.
# Build: ftrace-lab asm examples/hello.s -o examples/hello.elf     Run: ftrace-lab run examples/hello.elf
    .globl _start
_start:
    csrr  t0, mhartid
    bnez  t0, park
    li    t0, 0x10000000        # UART transmit holding register
    la    t1, message
1:  lbu   t2, 0(t1)
    beqz  t2, done
    sb    t2, 0(t0)
    addi  t1, t1, 1
    j     1b
done:
    li    t0, 1                 # (exit code 0 << 1) | 1
    la    t1, tohost
    sd    t0, 0(t1)
park:
    wfi
    j     park

    .section .rodata
message:
    .asciz "hello from ftrace-lab\n"

    .data
    .align 3
    .globl tohost
tohost:
    .dword 0
