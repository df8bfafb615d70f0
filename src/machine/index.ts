// Public API of the machine: create, load, run, inspect.
import './platform-node.js'; // the Node adapter (browser pages use platform-browser.ts and import modules directly)
export { Machine, DEFAULT_SLICE, DEFAULT_MAX_INSNS, MTIME_DIVISOR, type MachineMode, type HartRunState, type FetchGranularity, type EngineKind, DEFAULT_ENGINE, type MachineOptions, type RunOptions, type RunResult, type StopReason } from './machine.js';
export { Hart, type FaultReport } from './hart.js';
export { BreakpointList } from './breakpoints.js';
export { GuestMemory } from './memory.js';
export { MachineError, type MachineErrorCode } from './errors.js';
export { formatFault, causeName } from './fault.js';
export { readSignature, formatSignature, signatureRegion, SIGNATURE_GRANULARITIES, type SignatureGranularity } from './signature.js';
export { loadElfImage, loadAssembled, type LoadedProgram } from './loader.js';
