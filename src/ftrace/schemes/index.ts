// Call-site schemes: the registry and each scheme's arch hooks.
export type { CallSiteScheme } from './scheme.js';
export type { SchemeDescriptor, SchemeProtocol } from './descriptor.js';
export { ListScheme, LIST_SCHEME_SYMBOLS, LIST_SCHEME } from './list.js';
export { CallOpsScheme, CALLOPS_SCHEME_SYMBOLS, CALLOPS_SCHEME } from './callops.js';
export { RiscvLegacyScheme, RISCV_LEGACY_SCHEME_SYMBOLS, RISCV_LEGACY_SCHEME } from './riscv-legacy.js';
export { TrampolineScheme, TRAMPOLINE_SCHEME, TRAMP_WINDOW_BYTES, opsTrampolineSource } from './trampoline.js';
export { TrampolineFarScheme, TRAMPOLINE_FAR_SCHEME } from './trampoline-far.js';
export { DirectScheme, DIRECT_SCHEME, DIRECT_WINDOW_BYTES } from './direct.js';
export { S390HotpatchScheme, S390_HOTPATCH_SCHEME, stage2Addr, stage2EntryOffset, stage1Word } from './s390-hotpatch.js';
export {
  SCHEME_NAMES, createScheme, isSchemeName, schemeDescriptor, schemeDescriptors, schemeSummary, type SchemeName,
} from './registry.js';
