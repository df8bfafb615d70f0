// ELF guests: the runtime goes above the ELF, the ELF runs as linked, and sites without their NOPs are reported and left untraced.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/index.js';
import { Lab } from '../../src/lab/index.js';

const FIXTURE = join('test', 'fixtures', 'bin', 'calls.rv64imac.elf');

/** A copy of the fixture with `symbol`'s first patchable NOP replaced by c.ebreak (never executed: it is before the entry). */
function withBrokenSite(symbol: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(FIXTURE));
  const elf = parseElf(bytes);
  const fn = elf.functions.find((f) => f.name === symbol)!;
  const pfe = elf.patchableEntries.find((p) => p === fn.value - 8)!;
  expect(pfe).toBeDefined();
  const seg = elf.segments.find((s) => pfe >= s.vaddr && pfe < s.vaddr + s.data.length)!;
  const copy = bytes.slice();
  // find the segment's bytes in the file (p_offset is not part of ElfSegment): a 64-byte window around the site
  const at = pfe - seg.vaddr;
  const window = seg.data.subarray(Math.max(0, at - 24), at + 40);
  const hits: number[] = [];
  for (let i = 0; i + window.length <= bytes.length; i++) {
    let k = 0;
    while (k < window.length && bytes[i + k] === window[k]) k++;
    if (k === window.length) hits.push(i);
  }
  expect(hits).toHaveLength(1);
  const fileOff = hits[0]! + (at - Math.max(0, at - 24));
  expect(copy[fileOff]).toBe(0x01); // c.nop = 0x0001
  copy[fileOff] = 0x02;
  copy[fileOff + 1] = 0x90; // c.ebreak = 0x9002
  return copy;
}

describe('ELF guests', () => {
  it('places the runtime above the highest segment and traces the ELF to its normal exit', async () => {
    const bytes = new Uint8Array(readFileSync(FIXTURE));
    const elf = parseElf(bytes);
    const lab = await Lab.create({ elf: bytes, scheme: 'list' });
    const top = Math.max(...elf.segments.map((s) => s.vaddr + s.memsz));
    expect(lab.symbol('ftrace_caller')).toBeGreaterThanOrEqual(top);
    expect(lab.rejected).toEqual([]);
    expect(lab.ftrace.records()).toHaveLength(elf.patchableEntries.length);
    await lab.ftrace.register({ filter: 'fib' });
    const r = await lab.run({ maxInsns: 1e8 });
    expect(r.reason).toBe('halted');
    expect(r.exitCode).toBe(0);
    const evs = lab.trace.drain();
    expect(evs.length).toBeGreaterThan(1);
    expect(evs.every((e) => e.symbol === 'fib' && (e.parentSymbol === 'fib' || e.parentSymbol === 'main'))).toBe(true);
  });

  it('reports a site whose NOPs are missing and leaves it untraced; the others still trace', async () => {
    const lab = await Lab.create({ elf: withBrokenSite('chain3') });
    expect(lab.rejected.map((x) => [x.symbol, x.reason])).toEqual([['chain3', 'not-nops']]);
    await lab.ftrace.register({ filter: 'chain*' });
    const r = await lab.run({ maxInsns: 1e8 });
    expect(r.exitCode).toBe(0);
    const names = new Set(lab.trace.drain().map((e) => e.symbol));
    expect(names.has('chain2')).toBe(true);
    expect(names.has('chain4')).toBe(true);
    expect(names.has('chain3')).toBe(false);
    await expect(lab.ftrace.register({ filter: 'chain3' })).rejects.toMatchObject({ code: 'FTRACE_NO_MATCH' });
  });

  it('rejects an ELF without __patchable_function_entries and bad option combinations with typed errors', async () => {
    await expect(Lab.create({ elf: new Uint8Array([1, 2, 3]) })).rejects.toMatchObject({ code: expect.stringMatching(/^ELF_/) });
    await expect(Lab.create({ elf: new Uint8Array(readFileSync(FIXTURE)), kernel: { functions: 3 } })).rejects.toMatchObject({ code: 'LAB_BAD_OPTION' });
  });

  it('an ELF whose patchable area cannot hold the scheme\'s site is refused, naming the -fpatchable-function-entry it needs', async () => {
    const pfe4 = new Uint8Array(readFileSync(join('test', 'fixtures', 'bin', 'calls.rv64imac-pfe4.elf')));
    const pfe2 = new Uint8Array(readFileSync(join('test', 'fixtures', 'bin', 'calls.rv64imac-pfe2.elf')));
    // =4: no room for the CALL_OPS literal
    await expect(Lab.create({ elf: pfe4, scheme: 'callops' })).rejects.toMatchObject({
      code: 'FTRACE_BAD_LAYOUT',
      message: expect.stringMatching(/ops literal.*built with -fpatchable-function-entry=4; build with -fpatchable-function-entry=8,4/),
    });
    // =2: one 4-byte word at the entry, no scheme fits
    for (const [scheme, need] of [['riscv-legacy', '=4'], ['list', '=4'], ['callops', '=8,4']] as const) {
      await expect(Lab.create({ elf: pfe2, scheme })).rejects.toMatchObject({
        code: 'FTRACE_BAD_LAYOUT',
        message: expect.stringContaining(`0 bytes of NOPs before each entry, 4 at it: -fpatchable-function-entry=2) cannot hold the ${scheme} site; build with -fpatchable-function-entry${need}`),
      });
    }
  });

  for (const scheme of ['list', 'riscv-legacy'] as const) {
    it(`${scheme} traces an ELF built with -fpatchable-function-entry=4 (no pre-entry NOPs)`, async () => {
      const lab = await Lab.create({ elf: new Uint8Array(readFileSync(join('test', 'fixtures', 'bin', 'calls.rv64imac-pfe4.elf'))), scheme });
      expect(lab.rejected).toEqual([]);
      await lab.ftrace.register({ filter: 'chain*' });
      const r = await lab.run({ maxInsns: 1e8 });
      expect(r.exitCode).toBe(0);
      const evs = lab.trace.drain();
      for (let k = 1; k <= 8; k++) expect(evs.filter((e) => e.symbol === `chain${k}`)).toHaveLength(5000);
    });
  }
});
