// JavaScript callbacks on traced calls: asynchronous (from the ring buffers, with a0-a7), synchronous (the hart waits;
// arguments and the resume pc may change), the IPMODIFY rule, and the livepatch demo on the GCC livepatch fixture.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab, type LabTraceEvent } from '../../src/lab/index.js';
import type { TracedCall } from '../../src/lab/host-callbacks.js';
import { expectedStdout, fixturePath, loadFixtureRuns } from '../fixtures/manifest.js';
import { smallLab } from './helpers.js';

const LP = readFileSync(fixturePath('bin/livepatch.rv64imac.elf'));
const LP_IMA = readFileSync(fixturePath('bin/livepatch.rv64ima.elf'));
const unpatched = expectedStdout(loadFixtureRuns().find((r) => r.name === 'livepatch')!);
const patched = unpatched.replace('accepted indexes 17', 'accepted indexes 16').replace('out-of-bounds index accepted', 'bounds ok');

describe('asynchronous callbacks', () => {
  for (const scheme of ['callops', 'list'] as const) {
    it(`${scheme}: every traced call with its arguments, in order, after the fact`, async () => {
      const lab = await Lab.create({ elf: LP, scheme });
      const calls: TracedCall[] = [];
      await lab.ftrace.register({ filter: 'check_bounds', callback: (c) => calls.push(c) });
      const r = await lab.run();
      expect(r.exitCode).toBe(0);
      expect(lab.machine.takeUartOutput()).toBe(unpatched); // asynchronous: the guest is not changed
      expect(calls.map((c) => [c.symbol, c.args[0], c.args[1]])).toEqual(Array.from({ length: 17 }, (_, i) => ['check_bounds', BigInt(i), 16n]));
      for (let i = 1; i < calls.length; i++) expect(calls[i]!.timestamp > calls[i - 1]!.timestamp).toBe(true);
      expect(calls.every((c) => c.hart === 0 && c.parentSymbol === 'main' && c.args.length === 8)).toBe(true);
    });
  }

  it('4 harts: the callback sees exactly the calls the function tracer sees, per hart', async () => {
    const lab = await smallLab({ harts: 4, seed: 5 });
    const seen = new Map<string, number>();
    await lab.ftrace.register({ filter: 'kfunc_*', callback: (c) => seen.set(`${c.hart}:${c.symbol}`, (seen.get(`${c.hart}:${c.symbol}`) ?? 0) + 1) });
    await lab.ftrace.register({ filter: 'kfunc_*' });
    await lab.run();
    const fn = new Map<string, number>();
    for (const e of lab.trace.drain() as LabTraceEvent[]) if (e.kind === 'function') fn.set(`${e.hart}:${e.symbol}`, (fn.get(`${e.hart}:${e.symbol}`) ?? 0) + 1);
    expect(seen.size).toBeGreaterThan(10);
    expect(seen).toEqual(fn);
  });
});

describe('synchronous callbacks', () => {
  it('run before the function: a changed argument changes what it computes', async () => {
    const lab = await Lab.create({ elf: LP });
    await lab.ftrace.register({ filter: 'check_bounds', sync: (c) => c.setArg(0, 1000n + c.args[0]!) });
    await lab.run();
    expect(lab.machine.takeUartOutput()).toContain('livepatch: accepted indexes 0\n');
    expect(lab.hostCalls.syncCalls).toBe(17);
  });

  it('4 harts, deterministic: every call of every hart stops once, and the run is not slowed in instructions', async () => {
    const base = await smallLab({ harts: 4, seed: 5 });
    await base.ftrace.register({ filter: 'kfunc_*', func: 'ftrace_ops_nop_func' }); // same list-func path, no stop
    await base.ftrace.register({ filter: 'kfunc_*' });
    const r0 = await base.run();
    const lab = await smallLab({ harts: 4, seed: 5 });
    const perHart = [0, 0, 0, 0];
    await lab.ftrace.register({ filter: 'kfunc_*', sync: (c) => perHart[c.hart]!++ });
    await lab.ftrace.register({ filter: 'kfunc_*' });
    const r = await lab.run();
    expect(r.reason).toBe('halted');
    const fn = [0, 0, 0, 0];
    for (const e of lab.trace.drain()) if (e.kind === 'function') fn[e.hart]!++;
    expect(perHart).toEqual(fn);
    expect(perHart.every((n) => n > 0)).toBe(true);
    const fn0 = [0, 0, 0, 0];
    for (const e of base.trace.drain()) fn0[e.hart]!++;
    expect(fn).toEqual(fn0);
    // the stop costs host time, not guest instructions: one more (the nop it stops on) per call, give or take how long
    // hart 0 spins waiting for the others at the end (the interleaving differs between the two labs)
    const calls = fn.reduce((a, b) => a + b, 0);
    expect(Math.abs(r.instructions - (r0.instructions + calls))).toBeLessThan(r0.instructions * 0.1);
  });

  it('redirect needs IPMODIFY; one IPMODIFY ops per function; parallel mode refuses sync callbacks', async () => {
    const lab = await Lab.create({ elf: LP });
    await lab.ftrace.register({ filter: 'check_bounds', sync: (c) => c.redirect('check_bounds_fixed') });
    await expect(lab.run()).rejects.toMatchObject({ code: 'LAB_BAD_OPTION' });
    const l2 = await Lab.create({ elf: LP });
    await l2.ftrace.register({ filter: 'check_bounds', ipmodify: true, sync: () => {} });
    await expect(l2.ftrace.register({ filter: 'check_*', ipmodify: true, sync: () => {} })).rejects.toMatchObject({ code: 'FTRACE_IPMODIFY_CONFLICT' });
    await l2.ftrace.register({ filter: 'check_bounds', sync: () => {} }); // a non-IPMODIFY ops may share the function
    await expect(Lab.create({ elf: LP, mode: 'parallel' }).then((l) => l.ftrace.register({ sync: () => {} }))).rejects.toMatchObject({ code: 'LAB_BAD_OPTION' });
    await expect(l2.ftrace.register({ filter: 'check_bounds', callback: () => {}, sync: () => {} })).rejects.toMatchObject({ code: 'LAB_BAD_OPTION' });
    await expect(l2.ftrace.register({ ipmodify: true })).rejects.toMatchObject({ code: 'LAB_BAD_OPTION' });
  });
});

describe('livepatch: every call to OLD runs NEW', () => {
  for (const [name, elf] of [['rv64imac', LP], ['rv64ima', LP_IMA]] as const) {
    for (const scheme of ['callops', 'list'] as const) {
      it(`${name}, ${scheme}: the program prints the fixed behaviour`, async () => {
        const lab = await Lab.create({ elf, scheme });
        let n = 0;
        await lab.ftrace.register({ filter: 'check_bounds', ipmodify: true, sync: (c) => (n++, c.redirect('check_bounds_fixed')) });
        await lab.ftrace.register({ filter: 'version_banner', ipmodify: true, sync: (c) => c.redirect(lab.symbol('version_banner_patched')) });
        const r = await lab.run();
        expect(r.exitCode).toBe(0);
        expect(lab.machine.takeUartOutput()).toBe(patched.replace('running v1', 'running v2 (livepatched)'));
        expect(n).toBe(17);
      });
    }
  }

  it('ftrace-lab trace --livepatch OLD=NEW', () => {
    const root = join(import.meta.dirname, '../..');
    const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const plain = run('trace', '-l', 'check*', 'test/fixtures/bin/livepatch.rv64imac.elf');
    expect(plain.stderr).toContain('accepted indexes 17');
    const r = run('trace', '--livepatch', 'check_bounds=check_bounds_fixed', '-l', 'check*', 'test/fixtures/bin/livepatch.rv64imac.elf');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('livepatch: accepted indexes 16\nlivepatch: table length 16\nlivepatch: bounds ok\n');
    expect(r.stderr).toContain('ftrace-lab trace: livepatch: check_bounds -> check_bounds_fixed: 17 calls redirected');
    // the trace shows the old function entered, then the new one, 17 times
    const names = [...r.stdout.matchAll(/: (check_bounds\w*) <-main$/gm)].map((m) => m[1]);
    expect(names).toEqual(Array.from({ length: 17 }, () => ['check_bounds', 'check_bounds_fixed']).flat());
    expect(run('trace', '--livepatch', 'check_bounds=nope', 'test/fixtures/bin/livepatch.rv64imac.elf').status).toBe(64);
    expect(run('trace', '--livepatch', 'check_bounds', 'test/fixtures/bin/livepatch.rv64imac.elf').status).toBe(64);
    expect(run('trace', '--livepatch', 'a=b', '--mode', 'parallel', 'test/fixtures/bin/livepatch.rv64imac.elf').status).toBe(64);
  });
});
