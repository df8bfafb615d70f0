// The page's view of the library's patch-protocol registry (names for the picker, a factory by name).
export { createProtocol, DEFAULT_PROTOCOL, PROTOCOL_NAMES } from '../../src/patch/protocols/index.js';
