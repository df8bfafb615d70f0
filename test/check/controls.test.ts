// The checker's negative controls are found (short runs, fixed seeds), and the built-in protocols used as intended stay clean over the same schedule space while the races they guard against demonstrably happen.
import { describe, expect, it } from 'vitest';
import { check, shipped } from './helpers.js';

describe('negative controls: each unsafe variant is found', () => {
  it('teardown without the RCU-tasks grace period: a hart fetches the freed, poisoned module callback', async () => {
    const r = await check({ protocol: shipped('unsafe/atomic-no-grace-period'), schedules: 150 });
    expect(r.byInvariant['use-after-free']).toBeGreaterThan(0);
    expect(r.counterexamples[0]!.message).toMatch(/fetched 0x[0-9a-f]+ in module callback of .*freed/);
  }, 120_000);

  it('the atomic protocol without the remote fence.i: whole passes after the enable still run the old site words', async () => {
    const r = await check({ protocol: shipped('unsafe/atomic-no-fencei'), schedules: 40 });
    expect(r.byInvariant['lost-or-duplicate-event']).toBeGreaterThan(0);
    expect(r.counterexamples[0]!.message).toMatch(/traced 0 times, expected [1-9]/);
  }, 120_000);

  it('the breakpoint protocol without its middle sync: the rest and the first parcel of a word land out of order and a hart decodes half of each', async () => {
    const r = await check({ protocol: shipped('unsafe/breakpoint-no-middle-sync'), schedules: 40 });
    expect(r.byInvariant['torn-fetch']).toBeGreaterThan(0);
    // with stores in program order (sc) the same variant is clean: the tear needs the reordering RVWMO allows
    const sc = await check({ protocol: shipped('unsafe/breakpoint-no-middle-sync'), schedules: 40, memory: 'sc' });
    expect(sc.violations).toBe(0);
  }, 120_000);

  it('a 32-bit instruction at an address = 2 mod 4 is torn (riscv and the armv7 parcel profile)', async () => {
    const rv = await check({ scenario: 'poke-rvc', schedules: 60 });
    expect(rv.byInvariant['torn-fetch']).toBeGreaterThan(0);
    expect(rv.counterexamples[0]!.message).toMatch(/no complete version written there/);
    const arm = await check({ scenario: 'poke-rvc', profile: 'armv7', schedules: 60 });
    expect(arm.byInvariant['torn-fetch']).toBeGreaterThan(0);
  }, 120_000);

  it('the pre-6.16 two-instruction site rewritten without stop_machine: a hart runs the old auipc/nop with the new jalr or the reverse', async () => {
    // the riscv-legacy scheme's own sites (nop; nop <-> auipc t0; jalr t0), and the same rewrite as a raw text poke
    const legacy = await check({ scheme: 'riscv-legacy', protocol: shipped('unsafe/text-poke-no-stop'), schedules: 40 });
    expect(legacy.byInvariant['mixed-site']).toBeGreaterThan(0);
    expect(legacy.counterexamples[0]!.message).toMatch(/runs the site at 0x[0-9a-f]+ as [0-9a-f]{8} \+ [0-9a-f]{8}, words of different versions/);
    const poke = await check({ scenario: 'poke-pair', protocol: shipped('unsafe/text-poke-no-stop'), schedules: 60 });
    expect(poke.byInvariant['mixed-site']).toBeGreaterThan(0);
  }, 120_000);

  it('the trampoline scheme without the grace period: a hart runs a per-ops trampoline after it was freed (seed 002)', async () => {
    const r = await check({ scheme: 'trampoline', protocol: shipped('unsafe/atomic-no-grace-period'), schedules: 60 });
    expect(r.byInvariant['use-after-free']).toBeGreaterThan(0);
    expect(r.counterexamples[0]!.message).toMatch(/in trampoline of ops\d*, which the protocol had freed/);
  }, 120_000);

  it('a 4-byte static-key site at an address = 2 mod 4 tears (the pre-fix jump-label bug), on riscv and under the armv7 parcel profile', async () => {
    for (const profile of ['riscv', 'armv7'] as const) {
      const r = await check({ scenario: 'static-key-misaligned4', profile, schedules: 20 });
      expect(r.byInvariant['torn-fetch'], profile).toBeGreaterThan(0);
    }
    // the kernel's form (an aligned 4-byte nop <-> j) and the 2-byte c.nop <-> c.j form are clean on both
    for (const scenario of ['static-key', 'static-key-cnop2'] as const) {
      const r = await check({ scenario, profile: 'armv7', schedules: 30 });
      expect(r.violations, scenario).toBe(0);
      expect(r.witness.staleExecutions, scenario).toBeGreaterThan(5);
    }
  }, 120_000);

  it('an arm64-profile patch of a non-listed instruction (nop -> addi x0,x0,1) is a breach; the riscv profile allows it', async () => {
    const arm = await check({ scenario: 'poke-hint', profile: 'arm64', schedules: 5 });
    expect(arm.violations).toBe(5);
    expect(arm.counterexamples[0]!.message).toMatch(/arm64 \(B2\.2\.5\) allows concurrent modification only between .*the new instruction \(other\)/);
    const rv = await check({ scenario: 'poke-hint', profile: 'riscv', schedules: 5 });
    expect(rv.violations).toBe(0);
  }, 120_000);

  it('the s390 profile allows no 6.16 site or jump-label change, and the s390-hotpatch scheme\'s condition flip passes it', async () => {
    const r = await check({ profile: 's390', schedules: 3 });
    expect(r.byInvariant['arch-profile']).toBe(3);
    expect((await check({ scenario: 'static-key', profile: 's390', schedules: 3 })).byInvariant['arch-profile']).toBe(3);
    const hot = await check({ scheme: 's390-hotpatch', profile: 's390', schedules: 30 });
    expect(hot.violations).toBe(0);
    expect(hot.witness.staleExecutions).toBeGreaterThan(5);
    // the 6.16-site pokes have no words to poke under the hotpatch layout (one branch at the entry)
    for (const scenario of ['poke-hint', 'poke-pair'] as const) {
      await expect(check({ scheme: 's390-hotpatch', scenario, schedules: 1 })).rejects.toMatchObject({ code: 'CHECK_BAD_OPTION', message: expect.stringContaining('one branch') });
    }
  }, 120_000);
});

describe('the built-in protocols used as intended stay clean', () => {
  for (const [scheme, protocol] of [
    ['callops', 'atomic'],
    ['list', 'atomic'],
    ['callops', 'stop-machine'],
    ['callops', 'breakpoint'],
    ['callops', 'stop-all'],
  ] as const) {
    it(`${scheme} + ${protocol}: clean over 120 schedules in which harts ran stale site words`, async () => {
      const r = await check({ scheme, protocol: { name: protocol }, schedules: 120 });
      expect(r.violations).toBe(0);
      // the interleavings the protocol exists for happened: harts kept running an old site word after the new one
      // was in memory, and under breakpoint they hit the planted c.ebreak
      expect(r.witness.staleExecutions).toBeGreaterThan(20);
      if (protocol === 'breakpoint') expect(r.witness.bpHits).toBeGreaterThan(20);
    }, 120_000);
  }

  it('every scheme with one-word site changes is clean under atomic (trampolines, direct calls, the s390 mask flip too)', async () => {
    for (const scheme of ['trampoline', 'direct', 's390-hotpatch'] as const) {
      const r = await check({ scheme, schedules: 40 });
      expect(r.violations, scheme).toBe(0);
      expect(r.witness.staleExecutions, scheme).toBeGreaterThan(10);
    }
  }, 120_000);

  it('the JSON form of every built-in protocol is as clean as the built-in one', async () => {
    for (const name of ['atomic', 'stop-machine', 'breakpoint', 'stop-all']) {
      const r = await check({ protocol: shipped(name), schedules: 40 });
      expect(r.violations, name).toBe(0);
    }
  }, 120_000);

  it('PCT and the delay-bounded enumeration run the same scenario clean too', async () => {
    const pct = await check({ strategy: 'pct', depth: 3, schedules: 60 });
    expect(pct.violations).toBe(0);
    expect(pct.params.k).toBeGreaterThan(50);
    const ex = await check({ strategy: 'exhaustive', bound: 1, schedules: 60 });
    expect(ex.violations).toBe(0);
  }, 120_000);
});
