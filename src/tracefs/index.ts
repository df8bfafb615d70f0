// Public API of the tracefs interface: the Tracefs class, its files and the trace text format.
export { Tracefs, TRACEFS_FILES, TRACERS, type TracefsFile, type TracefsTracer, type TracefsWriteOptions } from './tracefs.js';
export { TracefsError, type TracefsErrorCode } from './errors.js';
export { formatTrace, formatTraceHeader, formatTraceLine, formatTimestamp, type TraceHeader } from './trace-format.js';
export { formatEnabledFunctions } from './enabled-functions.js';
export { formatFunctionGraph, formatGraphHeader, formatGraphDuration, traceFindMark, GraphPrinter, type GraphFormatOptions } from './graph-format.js';
