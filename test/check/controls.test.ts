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
    const r = await check({ scenario: 'poke-pair', protocol: shipped('unsafe/text-poke-no-stop'), schedules: 60 });
    expect(r.byInvariant['mixed-site']).toBeGreaterThan(0);
    expect(r.counterexamples[0]!.message).toMatch(/words of different versions/);
  }, 120_000);

  it('an arm64-profile patch of a non-listed instruction (nop -> addi x0,x0,1) is a breach; the riscv profile allows it', async () => {
    const arm = await check({ scenario: 'poke-hint', profile: 'arm64', schedules: 5 });
    expect(arm.violations).toBe(5);
    expect(arm.counterexamples[0]!.message).toMatch(/arm64 \(B2\.2\.5\) allows concurrent modification only between .*the new instruction \(other\)/);
    const rv = await check({ scenario: 'poke-hint', profile: 'riscv', schedules: 5 });
    expect(rv.violations).toBe(0);
  }, 120_000);

  it('the s390 profile allows no ftrace site change (nop <-> jalr is not a branch-condition flip)', async () => {
    const r = await check({ profile: 's390', schedules: 3 });
    expect(r.byInvariant['arch-profile']).toBe(3);
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
