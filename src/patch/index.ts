// Public API of the patch protocols: the interface, the tear-free text writer, and the stop-all protocol.
export type { PatchProtocol, PatchableMachine, PatchReport, TextWriter } from './protocol.js';
export { TextPoker } from './text-poker.js';
export { StopAllApply } from './stop-all-apply.js';
export { PatchError, type PatchErrorCode } from './errors.js';
