// Public API of Linux-user mode: run a static RISC-V Linux program as a U-mode process with host-served syscalls.
export { UserProcess, runUserProgram, STACK_TOP, STACK_SIZE, type UserProcessOptions, type UserRunResult } from './process.js';
export { UserError, type UserErrorCode } from './errors.js';
export { type KernelIo, servedSyscalls } from './kernel.js';
export { syscallName, SYS } from './syscall-numbers.js';
export type { GuestSignal } from './signals.js';
