// Public API of the patch protocols: steps, the built-in protocols and their registry, the patcher that runs them, the tear-free text writer.
export { formatStep, isBlocking, type HartSet, type IpiRequest, type PatchStep, type WriteRole } from './steps.js';
export {
  AtomicProtocol, BreakpointProtocol, C_EBREAK, createProtocol, DEFAULT_PROTOCOL, isProtocolName, PROTOCOL_NAMES,
  StopAllProtocol, StopMachineProtocol, type AtomicProtocolOptions, type PatchProtocol, type ProtocolName, type ProtocolOptions,
} from './protocols/index.js';
export { atomicPieces, insnWords, type InsnWord, type PatchContext } from './plan-steps.js';
export { CodePatcher, type CodePatcherOptions, type PatchHost, type PatchReport } from './code-patcher.js';
export { StepExecutor, type PatchTarget, type StepCounts } from './step-executor.js';
export { GuestPort, type GuestPortSymbols, type HartPatchCounters } from './guest-port.js';
export { TextPoker, type TextWriter } from './text-poker.js';
export { PatchError, type PatchErrorCode } from './errors.js';
