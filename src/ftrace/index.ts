// Public API of the ftrace core: records, ops, hashes, filters, init/update planning, schemes, guest layout, plan application.
export { FtraceError, type FtraceErrorCode } from './errors.js';
export * from './flags.js';
export { NOP4, C_NOP, auipcT0, jalrT0, auipcT0For, jalrT0For } from './insn.js';
export {
  SITE_LAYOUTS,
  hasOpsLiteral,
  hotpatchLayoutKind,
  isHotpatchLayout,
  ftraceCallAdjust,
  siteFuncAddr,
  literalAddr,
  compilerNops,
  type SiteLayout,
  type SiteLayoutKind,
} from './site-layout.js';
export { DynFtrace, RecordTable, type SiteState } from './records.js';
export { planFtraceInit, functionEntriesFromSymbols, type FunctionEntry, type RejectedSite, type RejectReason, type FtraceInitResult } from './init.js';
export { FtraceHash, hashLong, hashBitsFor, hashContainsIp, GOLDEN_RATIO_64, FTRACE_HASH_MAX_BITS, FTRACE_HASH_DEFAULT_BITS } from './hash.js';
export { parseFilterPattern, matchFilterPattern, type FilterPattern, type MatchType } from './glob.js';
export { applyFilterPatterns, applyFilterIp, splitPatterns } from './filter.js';
export { FtraceOps, type FtraceOpsInit } from './ops.js';
export { FtraceCore, type FtraceCoreOptions, type GlobalFunction } from './core.js';
export { findUniqueOps, opsTracesRecord, getAddrNew, type UpdateAction } from './record-update.js';
export {
  applyPlanStopped,
  planWriteOrder,
  emptyPlan,
  isEmptyPlan,
  MemoryPatchTarget,
  type PatchPlan,
  type PatchTarget,
  type SiteWrite,
  type GlobalWrite,
  type DataWrite,
  type LinkWrite,
  type GuestFree,
} from './patch-plan.js';
export { RuntimeSymbols, CORE_SYMBOLS, type GuestRuntimeSymbols } from './runtime-symbols.js';
export { GuestHeap, POISON_BYTE, type FreedBlock, type GuestAllocator } from './guest-alloc.js';
export * from './guest-layout.js';
export {
  createScheme, SCHEME_NAMES, ListScheme, CallOpsScheme, RiscvLegacyScheme, schemeDescriptor, schemeDescriptors, schemeSummary,
  isSchemeName, S390HotpatchScheme, stage1Word, stage2Addr, stage2EntryOffset, type CallSiteScheme, type SchemeDescriptor, type SchemeName,
} from './schemes/index.js';
