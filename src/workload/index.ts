// Public API of the workloads: synthetic kernel generator, ftrace-ops sample, patchable-entries table, whole guest images.
export { WorkloadError, type WorkloadErrorCode } from './errors.js';
export { Prng } from '../util/prng.js';
export { buildCallGraph, dynamicCalls, dynamicCallCounts, MAX_FUNCTIONS, type CallGraph, type CallGraphOptions } from './call-graph.js';
export {
  PatchableTextBuilder, PATCHABLE_ENTRIES_SECTION, PATCHABLE_ENTRIES_START, PATCHABLE_ENTRIES_STOP,
} from './patchable-text.js';
export {
  planSyntheticKernel, emitSyntheticKernel, expectedKernelResult, KERNEL_RUN_SYMBOL,
  type SyntheticKernel, type SyntheticKernelOptions, type SyntheticFunction, type BodyOp,
} from './synthetic-kernel.js';
export { emitSampleTracees, emitSampleDriver, FTRACE_OPS_SAMPLE, type FtraceOpsSampleOptions } from './ftrace-ops-sample.js';
export { I, insnText, encodeInsn, type KernelInsn } from './kernel-insn.js';
export type { KernelSink } from './kernel-sink.js';
export { MachineCodeKernel, type EncodedKernel, type MachineCodeSymbol } from './machine-code-kernel.js';
export { patchableEntryAddrs, functionEntriesOf } from './patchable-entries.js';
export {
  buildGuestImage, clearGuestImageCache, guestImageCacheStats, buildWorkloadSource, WORKLOAD_SYMBOLS, KERNEL_SECTION, AUTO_ASSEMBLY_MAX_FUNCTIONS,
  type GuestImage, type GuestImageOptions, type KernelCode,
} from './guest-image.js';
