// Public API of the ftrace guest runtime: the assembly builder, its options and symbols, and the layouts the host reads.
export { buildGuestRuntime } from './runtime.js';
export { resolveGuestOptions, type GuestRuntimeOptions, type ResolvedGuestOptions, type GuestScheme, type PercpuAccess } from './options.js';
export { guestRuntimeSymbols, RUNTIME_CODE_SYMBOLS, RUNTIME_DATA_SYMBOLS, RUNTIME_DIRECT_SYMBOLS, RUNTIME_SCHEME_SYMBOLS, RUNTIME_BOOT_SYMBOLS, type RuntimeSymbolName } from './symbols.js';
export { GuestRuntimeError, type GuestErrorCode } from './errors.js';
export { GUEST_TRAP_EXIT_CODE } from './asm/trap.js';
export * from './percpu-layout.js';
export * from './ring-buffer-layout.js';
export * from './frame-layout.js';
export * from './count-table.js';
export { drainRingBuffer, ringBufferAddr, ringBufferLost, recursionMissed, percpuAddr, type TraceEvent, type GuestMemoryAccess } from './ring-buffer-reader.js';
