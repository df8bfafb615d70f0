// Public API of the machine: create, load, run, inspect.
export { Machine, DEFAULT_SLICE, DEFAULT_MAX_INSNS, MTIME_DIVISOR, type MachineMode, type FetchGranularity, type MachineOptions, type RunOptions, type RunResult, type StopReason } from './machine.js';
export { Hart, type FaultReport } from './hart.js';
export { BreakpointList } from './breakpoints.js';
export { GuestMemory } from './memory.js';
export { MachineError, type MachineErrorCode } from './errors.js';
export { formatFault, causeName } from './fault.js';
export { readSignature, formatSignature, signatureRegion, SIGNATURE_GRANULARITIES, type SignatureGranularity } from './signature.js';
export { loadElfImage, loadAssembled, type LoadedProgram } from './loader.js';
