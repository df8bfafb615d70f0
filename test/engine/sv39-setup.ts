// Shared Sv39 guest scaffolding for engine tests: an M-mode trap recorder, page tables, and the S-mode entry sequence.

/** M handler: records mcause/mtval in x20/x21; fetch faults return to ra, others skip the 4-byte instruction. */
export const EXTRA = `
  .align 2
handler:
  csrr x20, mcause
  csrr x21, mtval
  csrr x22, mepc
  li x23, 12
  bne x20, x23, 1f
  csrw mepc, ra
  mret
1: addi x22, x22, 4
  csrw mepc, x22
  mret
  .data
  .p2align 12
pt_root: .zero 4096
pt_l1: .zero 4096
pt_l0: .zero 4096
target: .dword 0x1111
  .p2align 12
target2: .dword 0x2222
  .p2align 12
`;

/** Builds the page tables and enters S-mode with satp = Sv39(pt_root). */
export const SETUP = `
  .option norvc
  la t0, handler
  csrw mtvec, t0
  la t0, pt_root
  li t1, 0x200000cf        # [2] VA 0x80000000: identity gigapage, V R W X A D
  sd t1, 16(t0)
  li t1, 0x20000017        # [1] VA 0x40000000 -> PA 0x80000000, V R W U, A = D = 0
  sd t1, 8(t0)
  la t2, pt_l1             # [3] VA 0xc0000000 -> pt_l1 -> pt_l0
  srli t3, t2, 12
  slli t3, t3, 10
  ori t3, t3, 1
  sd t3, 24(t0)
  la t4, pt_l0
  srli t3, t4, 12
  slli t3, t3, 10
  ori t3, t3, 1
  sd t3, 0(t2)
  la t5, target            # pt_l0[0]: VA 0xc0000000 -> target, V R A (read-only)
  srli t5, t5, 12
  slli t5, t5, 10
  ori t6, t5, 0x43
  sd t6, 0(t4)
  ori t6, t5, 0x49         # pt_l0[1]: VA 0xc0001000 -> target, V X A (execute-only)
  sd t6, 8(t4)
  li t1, 0x200004cf        # [4] VA 0x100000000: misaligned gigapage (ppn low bits set)
  sd t1, 32(t0)
  srli t1, t0, 12
  li t2, 0x8000000000000000
  or t1, t1, t2
  csrw satp, t1
  sfence.vma
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x800
  csrs mstatus, t0
  la t0, in_smode
  csrw mepc, t0
  mret
in_smode:
  li x20, -1
`;
