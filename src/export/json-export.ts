// The lab's own JSON trace export (`--format json`) and its reader: one object, metadata first, one event per line, deterministic bytes.
import { FtraceLabError } from '../errors.js';
import type { LabTraceEvent, LabTraceEventKind } from '../lab/trace-events.js';
import type { PatchStepRecord, RecordingMeta, TraceRecording } from './recording.js';

/** The `format` tag of the export; readers check it. */
export const JSON_TRACE_FORMAT = 'ftrace-lab-trace';
export const JSON_TRACE_VERSION = 1;

/** A file that is not a trace the lab wrote (exit 65 in the CLI). */
export class TraceFileError extends FtraceLabError {
  constructor(message: string) {
    super('TRACE_BAD_FILE', message);
  }
}

const hex = (n: number) => '0x' + n.toString(16);

/** One event as a JSON object (field order fixed so that equal traces give equal bytes). */
function eventJson(e: LabTraceEvent): string {
  const kind = e.kind ?? 'function';
  const common = `"type":${JSON.stringify(kind)},"hart":${e.hart},"ts":${e.timestamp},"ns":${e.ns},"func":${JSON.stringify(e.symbol)},"ip":"${hex(e.ip)}"`;
  if (kind === 'function') return `{${common},"parent":${JSON.stringify(e.parentSymbol)},"parent_ip":"${hex(e.parentIp)}","op":"${hex(e.op)}"}`;
  if (kind === 'graph_entry') return `{${common},"depth":${e.depth ?? 0},"parent_ip":"${hex(e.parentIp)}"}`;
  return `{${common},"depth":${e.depth ?? 0},"calltime":${e.callTimestamp ?? e.timestamp},"call_ns":${e.callNs ?? e.ns},"duration_ns":${e.ns - (e.callNs ?? e.ns)},"overrun":${e.overrun ?? 0},"ret_ip":"${hex(e.parentIp)}"}`;
}

function stepJson(s: PatchStepRecord): string {
  return JSON.stringify({ index: s.index, op: s.op, text: s.text, update: s.update, live: s.live, ns: s.ns, targets: s.targets });
}

/** The whole export as text (ends with a newline). */
export function formatJsonTrace(r: TraceRecording): string {
  const lines: string[] = [];
  lines.push(`{"format":"${JSON_TRACE_FORMAT}","version":${JSON_TRACE_VERSION},`);
  lines.push(`"meta":${JSON.stringify(r.meta)},`);
  lines.push(`"events":[`);
  r.events.forEach((e, i) => lines.push(eventJson(e) + (i + 1 < r.events.length ? ',' : '')));
  lines.push(`],"patch_steps":[`);
  r.patchSteps.forEach((s, i) => lines.push(stepJson(s) + (i + 1 < r.patchSteps.length ? ',' : '')));
  lines.push(`]}`);
  return lines.join('\n') + '\n';
}

interface RawEvent {
  type: string;
  hart: number;
  ts: number;
  ns: number;
  func: string;
  ip: string;
  parent?: string;
  parent_ip?: string;
  ret_ip?: string;
  op?: string;
  depth?: number;
  calltime?: number;
  call_ns?: number;
  overrun?: number;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Parse an export back into a recording (TraceFileError when it is not one). */
export function parseJsonTrace(text: string, name = 'input'): TraceRecording {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new TraceFileError(`${name} is not JSON (${(e as Error).message})`);
  }
  const d = doc as { format?: unknown; version?: unknown; meta?: RecordingMeta; events?: unknown; patch_steps?: unknown };
  if (typeof d !== 'object' || d === null || d.format !== JSON_TRACE_FORMAT) throw new TraceFileError(`${name} is not an ftrace-lab JSON trace (no "format": "${JSON_TRACE_FORMAT}")`);
  if (d.version !== JSON_TRACE_VERSION) throw new TraceFileError(`${name}: unsupported trace version ${String(d.version)} (this ftrace-lab reads ${JSON_TRACE_VERSION})`);
  if (!Array.isArray(d.events) || typeof d.meta !== 'object' || d.meta === null) throw new TraceFileError(`${name}: missing "meta" or "events"`);
  const events: LabTraceEvent[] = d.events.map((raw: RawEvent, i: number) => {
    if (typeof raw !== 'object' || raw === null || !isNum(raw.hart) || !isNum(raw.ts) || !isNum(raw.ns) || typeof raw.func !== 'string' || typeof raw.ip !== 'string') {
      throw new TraceFileError(`${name}: event ${i} is malformed`);
    }
    const kind: LabTraceEventKind | null = raw.type === 'graph_entry' || raw.type === 'graph_return' || raw.type === 'function' ? raw.type : null;
    if (!kind) throw new TraceFileError(`${name}: event ${i} has an unknown type '${String(raw.type)}'`);
    const base = { ip: Number(raw.ip), hart: raw.hart, timestamp: BigInt(raw.ts), ns: raw.ns, symbol: raw.func, op: Number(raw.op ?? 0), qs: 0, kind };
    if (kind === 'function') return { ...base, parentIp: Number(raw.parent_ip ?? 0), parentSymbol: raw.parent ?? '' };
    if (kind === 'graph_entry') return { ...base, parentIp: Number(raw.parent_ip ?? 0), parentSymbol: '', depth: raw.depth ?? 0 };
    if (!isNum(raw.calltime) || !isNum(raw.call_ns)) throw new TraceFileError(`${name}: graph return ${i} lacks calltime`);
    return { ...base, parentIp: Number(raw.ret_ip ?? 0), parentSymbol: '', depth: raw.depth ?? 0, callTimestamp: BigInt(raw.calltime), callNs: raw.call_ns, overrun: raw.overrun ?? 0 };
  });
  const steps = Array.isArray(d.patch_steps) ? (d.patch_steps as PatchStepRecord[]) : [];
  return { meta: d.meta, events, patchSteps: steps };
}
