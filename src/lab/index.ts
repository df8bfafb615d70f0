// Public API of the Lab: create a lab, register tracers, run, read trace events and tracefs.
export { Lab, RUN_CHUNK, type LabRunOptions } from './lab.js';
export { UpdateLog, type UpdateRecord, type FtraceState, type CheckedEvent } from './update-log.js';
export { LabError, type LabErrorCode } from './errors.js';
export { LabFtrace, type RegisterOptions } from './lab-ftrace.js';
export { LabTrace } from './lab-trace.js';
export { OpsHandle, type LabTracer } from './ops-handle.js';
export { TIMEBASE_HZ, type LabTraceEvent } from './trace-events.js';
export { Symbolizer, type NamedRange } from './symbolizer.js';
export { formatPlan, formatPlanLine } from './plan-format.js';
export type { LabOptions, LabKernelOptions, LabScheme, LabMode } from './options.js';
export { runOverheadSweep, sampleImage, medianSpread, PUBLISHED_ROWS, type SweepOptions, type SweepRow } from './overhead-sweep.js';
export { runProtocolBench, formatProtocolTable, type ProtocolBenchOptions, type ProtocolBenchRow } from './protocol-bench.js';
export { formatSweepTable, formatOverheadNs, sweepJson, sweepLegend } from './sweep-report.js';
export { sweepChartSvg, chartSeries } from './sweep-chart.js';
export { unexpectedTrap, type LabTrapReport } from './trap-report.js';
export { LabStaticKeys, type KeyRef } from './lab-static-keys.js';
export { runStaticKeyBench, formatStaticKeyTable, type StaticKeyTable, type StaticKeyProtocolRow } from './static-key-bench.js';
export { type FentryFexitAttachment, type FentryFexitRecord } from './fentry-fexit.js';
