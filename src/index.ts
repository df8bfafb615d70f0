// The package's public API: the Lab (machine + guest runtime + ftrace core), the Machine, the ISA and ELF toolkits, errors.
import './machine/platform-node.js'; // Node: engine from build/engine.wasm, hart workers on worker_threads
export { FtraceLabError } from './errors.js';
export * from './lab/index.js';
export { Tracefs, TracefsError, TRACEFS_FILES, TRACERS, formatTrace, formatTraceLine, formatFunctionGraph, type GraphFormatOptions, type TracefsFile, type TracefsTracer } from './tracefs/index.js';
export * from './export/index.js';
export {
  TextPoker, PatchError, CodePatcher, AtomicProtocol, BreakpointProtocol, StopAllProtocol, StopMachineProtocol, createProtocol,
  PROTOCOL_NAMES, DEFAULT_PROTOCOL, formatStep, type PatchProtocol, type PatchReport, type PatchStep, type ProtocolName, type TextWriter,
} from './patch/index.js';
export { Machine, GuestMemory, Hart, MachineError, type MachineOptions, type RunOptions, type RunResult, type StopReason } from './machine/index.js';
export * from './isa/index.js';
export * from './elf/index.js';
export {
  FtraceCore, FtraceOps, FtraceError, DynFtrace, RecordTable, planFtraceInit, applyPlanStopped, createScheme, SCHEME_NAMES,
  type PatchPlan, type SiteWrite, type FtraceErrorCode,
} from './ftrace/index.js';
export { buildGuestImage, WorkloadError, type GuestImage, type GuestImageOptions } from './workload/index.js';
export { GuestRuntimeError } from './guest/index.js';
export { runUserProgram, UserProcess, UserError, type UserProcessOptions, type UserRunResult } from './user/index.js';
