// Every patch protocol makes already-decoded sites take new code (stale decode otherwise); reports, previews; TextPoker's tear-free writes.
import { describe, expect, it } from 'vitest';
import { FtraceLabError } from '../../src/errors.js';
import { formatStep, PatchError, PROTOCOL_NAMES, TextPoker, type PatchProtocol, type ProtocolName } from '../../src/patch/index.js';
import { insnSteps, literalSteps, publishSteps } from '../../src/patch/plan-steps.js';
import { smallLab, textRange } from './helpers.js';

/** A broken protocol for contrast: writes the plan's bytes but never makes any hart drop its decoded text. */
const noFlush: PatchProtocol = {
  name: 'no-flush',
  summary: 'writes only (broken on purpose)',
  needsGuestHandlers: false,
  steps: (plan) => [...publishSteps(plan), ...literalSteps(plan), ...insnSteps(plan)],
};

/** Run the sample driver part-way, enable tracing of tracee_relevant, finish; return the events seen. */
async function enableMidRun(protocol: PatchProtocol | ProtocolName): Promise<number> {
  const lab = await smallLab({ protocol, kernel: { functions: 10, seed: 3, runSample: true, nrCalls: 4000 } });
  const first = await lab.run({ maxInsns: 2500 }); // well inside the driver loop: tracee_relevant is decoded
  expect(first.reason).toBe('budget');
  await lab.ftrace.register({ filter: 'tracee_relevant' });
  const r = await lab.run();
  expect(r.exitCode).toBe(0);
  return lab.trace.drain().length;
}

describe('patch protocols on a guest that already decoded the sites', () => {
  for (const protocol of PROTOCOL_NAMES) {
    it(`${protocol} makes already-decoded sites take the new code (a protocol that never flushes keeps running the old)`, async () => {
      const traced = await enableMidRun(protocol);
      expect(traced).toBeGreaterThan(2000);
      expect(traced).toBeLessThan(4000);
    });
  }

  it('the no-flush contrast traces nothing after the update', async () => {
    expect(await enableMidRun(noFlush)).toBe(0);
  });

  it('reports what an update did', async () => {
    const lab = await smallLab({ harts: 2, protocol: 'stop-all' });
    await lab.ftrace.register({ filter: 'tracee_relevant' });
    const rep = lab.ftrace.lastReport!;
    expect(rep.protocol).toBe('stop-all');
    expect(rep.mode).toBe('quiescent');
    expect(rep.counts.flushes).toBe(1);
    expect(rep.counts.writes).toBeGreaterThan(0);
  });

  it('--dry-run style preview lists the steps without touching guest memory', async () => {
    const lab = await smallLab({ protocol: 'breakpoint' });
    const before = textRange(lab);
    const h = lab.ftrace.create({ filter: 'tracee_relevant' });
    const steps = lab.previewSteps(lab.core.register(h.ops)).map(formatStep);
    expect(steps.some((l) => l.startsWith('write site-parcel0'))).toBe(true);
    expect(steps.filter((l) => l.startsWith('ipi fence.i'))).toHaveLength(3);
    expect(textRange(lab)).toEqual(before);
  });
});

describe('TextPoker', () => {
  it('writes 2/4/8-byte aligned and odd-sized stores correctly and rejects addresses outside RAM', async () => {
    const lab = await smallLab();
    const t = new TextPoker(lab.machine.memory);
    const at = lab.symbol('ftrace_heap_end') - 64;
    const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed) & 0xff);
    for (const [off, n] of [[0, 8], [8, 4], [12, 2], [15, 3], [20, 8]] as const) {
      const b = bytes(n, off);
      t.write(at + off, b);
      expect([...t.read(at + off, n)]).toEqual([...b]);
    }
    expect(() => t.write(0x1000, new Uint8Array(8))).toThrow(PatchError);
    try {
      t.write(0x1000, new Uint8Array(8));
    } catch (e) {
      expect(e).toBeInstanceOf(FtraceLabError);
      expect((e as FtraceLabError).code).toBe('PATCH_OUTSIDE_RAM');
    }
  });
});
