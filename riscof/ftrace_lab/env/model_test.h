// RISCOF / riscv-arch-test 3.x model macros for ftrace-lab as the device under test (`ftrace-lab run --signature`).
// The board is QEMU-virt-like: RAM at 0x8000_0000, CLINT at 0x0200_0000, HTIF tohost exit; every hart starts at the
// ELF entry in M-mode, so RVMODEL_BOOT parks all harts but hart 0.
#ifndef FTRACE_LAB_MODEL_TEST_H
#define FTRACE_LAB_MODEL_TEST_H

#define RVMODEL_DATA_SECTION \
  .pushsection .tohost, "aw", @progbits; \
  .align 8; .global tohost; tohost: .dword 0; \
  .align 8; .global fromhost; fromhost: .dword 0; \
  .popsection;

// Harts other than 0 wait in wfi for good; the test runs on hart 0 (riscv-config hart_ids: [0]).
#define RVMODEL_BOOT \
  csrr t0, mhartid; \
  beqz t0, 2f; \
1: wfi; \
  j 1b; \
2:

// HTIF exit with code 0: store 1 to tohost until the host stops the machine.
#define RVMODEL_HALT \
  fence; \
  li x1, 1; \
  la t5, tohost; \
3: sw x1, 0(t5); \
  j 3b;

#define RVMODEL_DATA_BEGIN \
  RVMODEL_DATA_SECTION \
  .align 4; .global begin_signature; begin_signature:

#define RVMODEL_DATA_END \
  .align 4; .global end_signature; end_signature:

// No console output is needed for the signature flow.
#define RVMODEL_IO_INIT
#define RVMODEL_IO_WRITE_STR(_R, _STR)
#define RVMODEL_IO_CHECK()
#define RVMODEL_IO_ASSERT_GPR_EQ(_S, _R, _I)
#define RVMODEL_IO_ASSERT_SFPR_EQ(_F, _R, _I)
#define RVMODEL_IO_ASSERT_DFPR_EQ(_D, _R, _I)

// Machine software interrupt: CLINT msip of hart 0.
#define RVMODEL_SET_MSW_INT \
  li t1, 1; \
  li t2, 0x2000000; \
  sw t1, 0(t2);
#define RVMODEL_CLR_MSW_INT \
  li t2, 0x2000000; \
  sw x0, 0(t2);
// Machine timer interrupt: push mtimecmp of hart 0 to the far future.
#define RVMODEL_CLR_MTIMER_INT \
  li t1, -1; \
  li t2, 0x2004000; \
  sd t1, 0(t2);
// The board has no external interrupt controller and no S-mode interrupt sources the test could clear.
#define RVMODEL_CLR_MEXT_INT
#define RVMODEL_CLR_SSW_INT
#define RVMODEL_CLR_STIMER_INT
#define RVMODEL_CLR_SEXT_INT

// arch_test.h up to 3.6.x (and 2.x) spells these RVMODEL_CLEAR_*.
#define RVMODEL_CLEAR_MSW_INT RVMODEL_CLR_MSW_INT
#define RVMODEL_CLEAR_MTIMER_INT RVMODEL_CLR_MTIMER_INT
#define RVMODEL_CLEAR_MEXT_INT RVMODEL_CLR_MEXT_INT

#endif
