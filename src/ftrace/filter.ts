// ftrace_set_regex / ftrace_match_records: turn set_ftrace_filter / set_ftrace_notrace patterns into a hash of record ips.
import { FtraceError } from './errors.js';
import { matchFilterPattern, parseFilterPattern } from './glob.js';
import { FtraceHash } from './hash.js';
import type { RecordTable } from './records.js';

/** Split tracefs-style input ("a b\n!c") into patterns; an empty input is a bad glob. */
export function splitPatterns(input: string | readonly string[]): string[] {
  const list = typeof input === 'string' ? input.split(/\s+/).filter((s) => s.length > 0) : [...input];
  if (list.length === 0) throw new FtraceError('FTRACE_BAD_GLOB', 'empty filter: give at least one pattern (or reset the filter)');
  return list;
}

/**
 * The hash that results from applying `patterns` in order to `base` (or to an empty hash when `reset`).
 * A pattern that matches no record fails the whole call with FTRACE_NO_MATCH (the kernel's -EINVAL) and
 * nothing changes. Note the kernel semantics: removing every ip with '!' leaves an empty filter, i.e. "all".
 */
export function applyFilterPatterns(
  records: RecordTable,
  base: FtraceHash,
  input: string | readonly string[],
  reset: boolean,
): FtraceHash {
  const patterns = splitPatterns(input).map(parseFilterPattern);
  const ips = new Set(reset ? [] : base.ips());
  for (const p of patterns) {
    let found = false;
    for (const rec of records) {
      if (!matchFilterPattern(p, rec.symbol)) continue;
      found = true;
      if (p.negate) ips.delete(rec.ip);
      else ips.add(rec.ip);
    }
    if (!found) throw new FtraceError('FTRACE_NO_MATCH', `'${p.source}' matches no traceable function`);
  }
  return FtraceHash.of([...ips].sort((a, b) => a - b));
}

/** ftrace_set_filter_ip: the hash with one record's ip added or removed; the ip must be a record. */
export function applyFilterIp(records: RecordTable, base: FtraceHash, ip: number, remove: boolean, reset: boolean): FtraceHash {
  if (!records.lookupIp(ip)) throw new FtraceError('FTRACE_NO_MATCH', `no ftrace record at ip 0x${ip.toString(16)}`);
  const ips = new Set(reset ? [] : base.ips());
  if (remove) ips.delete(ip);
  else ips.add(ip);
  return FtraceHash.of([...ips].sort((a, b) => a - b));
}
