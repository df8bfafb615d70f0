// Protocols as data: the shipped JSON files give exactly the built-in protocols' steps on real plans, and malformed files are refused with the JSON path of the problem.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GuestHeap } from '../../src/ftrace/guest-alloc.js';
import type { PatchPlan } from '../../src/ftrace/patch-plan.js';
import { Lab } from '../../src/lab/index.js';
import { FileProtocol, parseProtocolFile, protocolFromText } from '../../src/patch/protocol-file.js';
import { createProtocol, PROTOCOL_NAMES, type PatchProtocol } from '../../src/patch/protocols/index.js';
import { formatStep } from '../../src/patch/steps.js';
import type { PatchContext } from '../../src/patch/plan-steps.js';

const fileOf = (name: string) => new FileProtocol(parseProtocolFile(JSON.parse(readFileSync(new URL(`../../protocols/${name}.json`, import.meta.url), 'utf8'))));

/** Plans of a register / filter change / second ops / unregister script, with the lab's protocol context. */
async function plansOf(scheme: 'callops' | 'list'): Promise<{ plans: PatchPlan[]; ctx: PatchContext; lab: Lab }> {
  const plans: PatchPlan[] = [];
  let ctx!: PatchContext;
  const inner = createProtocol('atomic');
  const recorder: PatchProtocol = { ...inner, name: 'recorder', steps: (p, c) => (plans.push(p), (ctx = c), inner.steps(p, c)) };
  const lab = await Lab.create({ harts: 2, scheme, kernel: { functions: 6, seed: 2 }, protocol: recorder, ram: 8 << 20, bufferSizeKb: 16 });
  plans.length = 0; // ftrace_init's plan
  const a = await lab.ftrace.register({ filter: 'kfunc_*' });
  const b = await lab.ftrace.register({ filter: 'kfunc_1*', module: true });
  await lab.ftrace.setFilter(a, 'kfunc_2*');
  await lab.ftrace.unregister(b);
  await lab.ftrace.unregister(a);
  return { plans, ctx, lab };
}

describe('protocol files', () => {
  for (const scheme of ['callops', 'list'] as const) {
    it(`${scheme}: protocols/<name>.json takes exactly the built-in protocol's steps on every plan of a script`, async () => {
      const { plans, ctx, lab } = await plansOf(scheme);
      expect(plans.length).toBe(5);
      expect(plans.some((p) => p.globals.length > 0 || scheme === 'callops')).toBe(true);
      for (const name of PROTOCOL_NAMES) {
        const builtIn = createProtocol(name);
        const file = fileOf(name);
        expect(file.needsGuestHandlers, name).toBe(builtIn.needsGuestHandlers);
        for (const plan of plans) {
          // each side allocates its vectors from an identical fresh heap, so addresses match too
          const heap = () => new GuestHeap(lab.heap.base, lab.heap.limit);
          const want = builtIn.steps(plan, { ...ctx, heap: heap() }).map(formatStep);
          const got = file.steps(plan, { ...ctx, heap: heap() }).map(formatStep);
          expect(got, `${name}`).toEqual(want);
        }
      }
    }, 60_000);
  }

  it('refuses malformed files with the JSON path of the first problem', () => {
    const ok = JSON.parse(readFileSync(new URL('../../protocols/atomic.json', import.meta.url), 'utf8'));
    const bad = (mutate: (j: any) => void) => {
      const j = structuredClone(ok);
      mutate(j);
      return () => parseProtocolFile(j);
    };
    expect(bad((j) => (j.format = 'x'))).toThrow(/^\$\.format: expected "ftrace-lab-protocol\/1"/);
    expect(bad((j) => (j.phases[3].writes[0] = 'literal'))).toThrow(/^\$\.phases\[3\]\.writes\[0\]: expected one of "data", "links"/);
    expect(bad((j) => (j.phases[8].then = ['ipi fence'])) ).toThrow(/^\$\.phases\[8\]\.then\[0\]: expected one of/);
    expect(bad((j) => (j.phases[0].when = 1))).toThrow(/^\$\.phases\[0\]\.when: unknown field/);
    expect(bad((j) => (j.phases = []))).toThrow(/^\$\.phases: expected a non-empty array/);
    expect(bad((j) => (j.phases[2] = {}))).toThrow(/^\$\.phases\[2\]: a phase needs "writes", "then" or "free"/);
    expect(bad((j) => j.phases.push({ writes: ['site-rest'] }))).toThrow(/need a "breakpoint-table" phase/);
    expect(() => protocolFromText('{"format":', 'my.json')).toThrow(/^my\.json: not JSON/);
    try {
      protocolFromText('[]');
    } catch (e) {
      expect((e as { code: string }).code).toBe('PATCH_BAD_PROTOCOL_FILE');
    }
  });
});
