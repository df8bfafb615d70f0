// The per-hart instruction clock: event timestamps are the writing hart's minstret at the tracer's rdinstret, exact,
// strictly increasing per hart, identical across deterministic runs, converted to ns at the configured frequency.
import { describe, expect, it } from 'vitest';
import { FtraceLabError } from '../../src/errors.js';
import { Lab, type LabTraceEvent } from '../../src/lab/index.js';
import { TraceClock } from '../../src/lab/trace-clock.js';
import { formatTimestamp } from '../../src/tracefs/index.js';
import { smallLab } from './helpers.js';

async function traced(opts: Parameters<typeof smallLab>[0] = {}): Promise<LabTraceEvent[]> {
  const lab = await smallLab(opts);
  await lab.ftrace.register({});
  const r = await lab.run();
  expect(r.reason).toBe('halted');
  return lab.trace.drain();
}

describe('trace clock', () => {
  it('each event carries the minstret its hart had at the tracer rdinstret (checked by single-stepping)', async () => {
    const lab = await smallLab();
    await lab.ftrace.register({});
    const tracer = lab.symbol('function_tracer_func');
    const size = lab.code('function_tracer_func').size;
    // the rdinstret of function_tracer_func: csrrs rd, instret(0xc02), zero
    let at = -1;
    for (let off = 0; off + 4 <= size; ) {
      const w = lab.machine.memory.readU32(tracer + off);
      if ((w & 3) !== 3) { off += 2; continue; } // RVC
      if ((w & 0x7f) === 0x73 && w >>> 20 === 0xc02) at = tracer + off;
      off += 4;
    }
    expect(at).toBeGreaterThan(0);
    const hart = lab.machine.harts[0]!;
    const seen: bigint[] = [];
    let steps = 0;
    while (seen.length < 25 && steps < 200_000) {
      if (hart.pc === BigInt(at)) seen.push(hart.minstret);
      lab.runSlice({ maxInsns: 1 });
      steps++;
    }
    expect(seen.length).toBe(25);
    lab.runSlice({ maxInsns: 200 }); // the last one seen commits its event
    const evs = lab.trace.drain().slice(0, 25);
    expect(evs.map((e) => e.timestamp)).toEqual(seen);
    for (let i = 1; i < seen.length; i++) expect(seen[i]! > seen[i - 1]!).toBe(true);
  });

  it('is strictly increasing per hart, and two runs with the same seed give the same times (4 harts)', async () => {
    const opts = { harts: 4, seed: 11, kernel: { functions: 30, seed: 3, runSample: true, nrCalls: 7 } };
    const a = await traced(opts);
    const b = await traced(opts);
    expect(a.length).toBeGreaterThan(100);
    expect(b.map((e) => [e.hart, e.ip, e.timestamp])).toEqual(a.map((e) => [e.hart, e.ip, e.timestamp]));
    const harts = new Set(a.map((e) => e.hart));
    expect(harts.size).toBe(4);
    for (const h of harts) {
      const t = a.filter((e) => e.hart === h).map((e) => e.timestamp);
      for (let i = 1; i < t.length; i++) expect(t[i]! > t[i - 1]!).toBe(true);
    }
  });

  it('ns follow the configured frequency (default 1 GHz: ns = instructions)', async () => {
    const one = await traced();
    for (const e of one) expect(e.ns).toBe(Number(e.timestamp));
    const slow = await traced({ clockHz: 250_000_000 });
    expect(slow.map((e) => e.timestamp)).toEqual(one.map((e) => e.timestamp));
    for (const e of slow) expect(e.ns).toBe(Number(e.timestamp) * 4);
    expect(new TraceClock(3).ns(10n)).toBe(3_333_333_333);
  });

  it('text: seconds.microseconds of the ns value, or the raw count with the insns clock', () => {
    expect(formatTimestamp({ ns: 1_234_567_891, timestamp: 1_234_567_891n })).toBe('    1.234567');
    expect(formatTimestamp({ ns: 999, timestamp: 999n }, 'insns')).toBe('         999');
  });

  it('a bad frequency is a typed error', async () => {
    await expect(smallLab({ clockHz: 0 })).rejects.toSatisfy((e) => e instanceof FtraceLabError && (e as FtraceLabError).code === 'LAB_BAD_OPTION');
    expect(() => new TraceClock(1.5)).toThrow(/trace clock frequency/);
    void Lab;
  });
});
