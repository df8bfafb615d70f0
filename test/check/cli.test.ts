// `ftrace-lab check`, `replay` and `check-merge` as scripts use them: --json fields, exit statuses, replay files that re-run, shards that add up, and typed errors for bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'ftl-check-'));

function ftl(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, first: r.stderr.split('\n')[0]! };
}

describe('ftrace-lab check', () => {
  it('--json: one object with the documented fields; exit 1 and replay files when a violation is found', () => {
    const out = join(tmp, 'uaf');
    const r = ftl('check', '--protocol-file', 'protocols/unsafe/atomic-no-grace-period.json', '--schedules', '150', '--json', '--out', out);
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout);
    for (const k of ['scheme', 'protocol', 'profile', 'harts', 'strategy', 'schedules', 'violations', 'shard', 'counterexamples']) expect(j).toHaveProperty(k);
    expect(j).toMatchObject({ scheme: 'callops', protocol: 'atomic-no-grace-period (file)', profile: 'riscv', harts: 2, strategy: 'random', schedules: 150, shard: '0/1' });
    expect(j.violations).toBeGreaterThan(0);
    const cx = j.counterexamples[0];
    expect(cx.invariant).toBe('use-after-free');
    expect(readFileSync(cx.replayFile, 'utf8')).toContain('"format": "ftrace-lab-replay/1"');

    // the replay re-runs it and tells the story: the free among the harts' instructions, the sentence at the end
    const rp = ftl('replay', cx.replayFile);
    expect(rp.status).toBe(1);
    expect(rp.stdout).toMatch(/host {2}: free module callback of /);
    expect(rp.stdout).toMatch(/hart \d, last \d+ instructions:/);
    expect(rp.stdout).toMatch(/\(freed\) +\.4byte 0xffffffff/);
    expect(rp.stdout).toMatch(/violation \(use-after-free\) at decision \d+: hart \d fetched .* freed \(poisoned\)\ninvariant: no execution of freed memory/);
    const again = ftl('replay', '--json', cx.replayFile);
    expect(JSON.parse(again.stdout)).toMatchObject({ invariant: 'use-after-free', message: cx.message });
  }, 240_000);

  it('exit 0 and "clean" when every schedule passes', () => {
    const r = ftl('check', '--schedules', '30');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^30 schedules of ftrace \(callops, 2 harts\), protocol atomic, profile riscv, random/);
    expect(r.stdout).toMatch(/\nclean: no invariant violated\n/);
  }, 120_000);

  it('--shard i/n splits the schedules; check-merge adds the shards up to the unsharded counts', () => {
    const args = ['check', '--scenario', 'poke-rvc', '--schedules', '60', '--json', '--keep', '2', '--out', join(tmp, 'sh')];
    const whole = JSON.parse(ftl(...args).stdout);
    const files = [0, 1, 2].map((i) => {
      const f = join(tmp, `shard${i}.json`);
      writeFileSync(f, ftl(...args, '--shard', `${i}/3`).stdout);
      return f;
    });
    const parts = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
    expect(parts.map((p) => p.schedules)).toEqual([20, 20, 20]);
    const m = ftl('check-merge', '--json', '--keep', '2', files[2]!, files[0]!, files[1]!);
    expect(m.status).toBe(whole.violations > 0 ? 1 : 0);
    const merged = JSON.parse(m.stdout);
    expect(merged).toMatchObject({ schedules: 60, violations: whole.violations, byInvariant: whole.byInvariant, shard: 'all/3' });
    expect(merged.counterexamples.map((c: { index: number }) => c.index)).toEqual(whole.counterexamples.map((c: { index: number }) => c.index));
    // shards of another exploration do not merge
    const other = join(tmp, 'other.json');
    writeFileSync(other, ftl('check', '--schedules', '3', '--json', '--shard', '1/3').stdout);
    const bad = ftl('check-merge', files[0]!, other);
    expect(bad.status).toBe(65);
    expect(bad.first).toMatch(/^ftrace-lab check-merge: input 2 belongs to another exploration/);
  }, 240_000);

  it('bad input: typed one-line errors and exit 64 (usage) or 65 (files), never a stack trace', () => {
    const cases: [string[], number, RegExp][] = [
      [['check', '--profile', 'mips'], 64, /--profile: expected one of riscv, arm64, armv7, s390, got 'mips'/],
      [['check', '--protocol', 'magic'], 64, /--protocol: expected one of atomic, .*, got 'magic'/],
      [['check', '--scheme', 'nope'], 64, /--scheme: expected one of .*callops.*, got 'nope'/],
      [['check', '--strategy', 'dfs'], 64, /--strategy: expected one of pct, random, exhaustive, got 'dfs'/],
      [['check', '--shard', '3/3'], 64, /--shard must be i\/n with 0 <= i < n/],
      [['check', '--harts', '9'], 64, /--harts/],
      [['check', '--protocol-file', 'nonexistent.json'], 65, /cannot read 'nonexistent\.json'/],
      [['replay'], 64, /a replay FILE is needed/],
      [['replay', 'nonexistent.json'], 65, /cannot read 'nonexistent\.json'/],
    ];
    for (const [args, status, first] of cases) {
      const r = ftl(...args);
      expect(r.status, args.join(' ')).toBe(status);
      expect(r.first, args.join(' ')).toMatch(first);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    const broken = join(tmp, 'broken-protocol.json');
    writeFileSync(broken, JSON.stringify({ format: 'ftrace-lab-protocol/1', name: 'x', summary: 's', phases: [{ writes: ['sites'], then: ['ipi flush'] }] }));
    const r = ftl('check', '--protocol-file', broken);
    expect(r.status).toBe(65);
    expect(r.first).toMatch(/\$\.phases\[0\]\.then\[0\]: expected one of/);
  }, 120_000);

  it('replay refuses a file from another version or with a broken schedule (typed, exit 65)', () => {
    const out = join(tmp, 'rvc');
    const j = JSON.parse(ftl('check', '--scenario', 'poke-rvc', '--schedules', '60', '--json', '--out', out).stdout);
    const file = j.counterexamples[0].replayFile as string;
    const replay = JSON.parse(readFileSync(file, 'utf8'));
    const write = (name: string, v: object) => {
      const f = join(tmp, name);
      writeFileSync(f, JSON.stringify(v));
      return f;
    };
    const old = ftl('replay', write('old.json', { ...replay, version: '0.0.1' }));
    expect(old.status).toBe(65);
    expect(old.first).toMatch(/\$\.version: written by ftrace-lab "0\.0\.1", this is /);
    const garbled = ftl('replay', write('garbled.json', { ...replay, schedule: '0:3 Z:1' }));
    expect(garbled.status).toBe(65);
    expect(garbled.first).toMatch(/\$\.schedule: token 2 'Z:1' is not hart:budget/);
    // a schedule that asks a hart to run where it cannot (hart 3 of a 2-hart scenario)
    const diverged = ftl('replay', write('diverged.json', { ...replay, schedule: `3:5 ${replay.schedule}` }));
    expect(diverged.status).toBe(65);
    expect(diverged.first).toMatch(/replay decision 0 runs hart 3, which cannot run there/);
    const notReplay = ftl('replay', write('not.json', { hello: 1 }));
    expect(notReplay.status).toBe(65);
    expect(notReplay.first).toMatch(/\$\.format: expected "ftrace-lab-replay\/1"/);
  }, 240_000);
});
