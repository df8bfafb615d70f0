// Public API of trace export: the lab's JSON trace, Chrome Trace Event JSON for Perfetto, and the report summary.
export { formatJsonTrace, parseJsonTrace, TraceFileError, JSON_TRACE_FORMAT, JSON_TRACE_VERSION } from './json-export.js';
export { formatChromeTrace, graphSlices, usText, PERFETTO_PID, PATCH_TID, type GraphSlice } from './chrome-trace.js';
export { formatReport, parseReportInput, summarize, formatReportTime, REPORT_SORT_KEYS, type ReportInput, type ReportRow, type ReportSortKey } from './report.js';
export type { TraceRecording, RecordingMeta, PatchStepRecord } from './recording.js';
