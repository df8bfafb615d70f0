// `trace --user`: a static Linux program traced from its start (calls counted from its source, parents, notrace, rejected sites, CLI).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseElf } from '../../src/elf/reader.js';
import { EXIT_DATAERR, EXIT_USAGE } from '../../src/cli/exit-codes.js';
import { main as traceMain } from '../../src/cli/trace.js';
import { FtraceLabError } from '../../src/errors.js';
import { buildGuestRuntime, GuestRuntimeError } from '../../src/guest/index.js';
import { traceUserProgram, USER_RUNTIME_BASE } from '../../src/lab/user-trace.js';
import { runUserProgram } from '../../src/user/index.js';
import { fixturePath } from '../fixtures/manifest.js';
import { capture } from '../capture-output.js';

const dec = new TextDecoder();

const CALLS = fixturePath('bin/calls.linux.elf');
const calls = new Uint8Array(readFileSync(CALLS));

afterEach(() => vi.restoreAllMocks());

// calls.c: run_chain(5000) calls chain1 once per step; chain1 -> chain2 -> ... -> chain8, each level exactly once.
const CHAIN_STEPS = 5000;

describe('traceUserProgram', () => {
  it('counts every call of the filtered function with the right parent, and leaves the program output alone', async () => {
    const plain = runUserProgram(calls);
    const r = await traceUserProgram(calls, { filter: ['chain8'] });
    expect(r.run.status).toBe('exited');
    expect(r.run.exitCode).toBe(0);
    expect(dec.decode(r.run.stdout)).toBe(dec.decode(plain.stdout));
    expect(dec.decode(r.run.stdout)).toContain('calls: ok');
    expect(r.events).toHaveLength(CHAIN_STEPS);
    expect(new Set(r.events.map((e) => `${e.symbol} <-${e.parentSymbol}`))).toEqual(new Set(['chain8 <-chain7']));
    expect(r.lost).toBe(0);
    expect(r.rejected).toEqual([]);
  });

  it('notrace excludes, and the list scheme traces the same calls', async () => {
    const r = await traceUserProgram(calls, { filter: ['chain*'], notrace: ['chain[2-8]'], scheme: 'list' });
    expect(r.run.exitCode).toBe(0);
    expect(r.events).toHaveLength(CHAIN_STEPS);
    expect(r.events.every((e) => e.symbol === 'chain1' && e.parentSymbol.startsWith('run_chain'))).toBe(true);
  });

  for (const scheme of ['riscv-legacy', 'trampoline', 'trampoline-far', 'direct'] as const) {
    it(`${scheme}: a Linux-user program traces the same chain8 calls`, async () => {
      const r = await traceUserProgram(calls, { filter: ['chain8'], scheme });
      expect(r.run.exitCode).toBe(0);
      expect(r.events).toHaveLength(CHAIN_STEPS);
      expect(r.events.every((e) => e.symbol === 'chain8' && e.parentSymbol === 'chain7')).toBe(true);
    });
  }

  it('s390-hotpatch refuses a Linux-user program built with =8,4 (no room for its second stages before the entries)', async () => {
    await expect(traceUserProgram(calls, { filter: ['chain8'], scheme: 's390-hotpatch' })).rejects.toMatchObject({ code: 'FTRACE_BAD_LAYOUT' });
  });

  it('s390-hotpatch traces the same program built with =14,12: every site accepted, second stages far from the runtime (auipc + jalr)', async () => {
    const hot = new Uint8Array(readFileSync(fixturePath('bin/calls-pfe14-12.linux.elf')));
    const rejected: unknown[] = [];
    const r = await traceUserProgram(hot, { filter: ['chain*'], scheme: 's390-hotpatch', onRejected: (s) => rejected.push(s) });
    expect(rejected).toEqual([]);
    expect(r.run.exitCode).toBe(0);
    for (let k = 1; k <= 8; k++) expect(r.events.filter((e) => e.symbol === `chain${k}`), `chain${k}`).toHaveLength(CHAIN_STEPS);
    expect(r.events.filter((e) => e.symbol === 'chain8').every((e) => e.parentSymbol === 'chain7')).toBe(true);
    expect(parseElf(hot).patchableEntries.every((pfe) => USER_RUNTIME_BASE - pfe > 1 << 20)).toBe(true); // beyond any jal
  });

  it('a filter that matches no function is a typed error', async () => {
    const err = await traceUserProgram(calls, { filter: ['no_such_function'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FtraceLabError);
    expect((err as FtraceLabError).code).toBe('FTRACE_NO_MATCH');
  });

  it('a function whose NOPs are missing is reported and left untraced; the rest still trace', async () => {
    const elf = parseElf(calls);
    const chain8 = elf.functions.find((f) => f.name === 'chain8')!;
    const pfe = elf.patchableEntries.find((p) => p < chain8.value && p >= chain8.value - 8)!;
    const text = elf.sections.find((s) => s.name === '.text')!;
    const broken = calls.slice();
    broken[text.offset + (pfe - text.addr)] = 0x05; // c.nop (0x0001) -> c.addi x0,1-ish: no longer the compiler's NOPs
    const r = await traceUserProgram(broken, { filter: ['chain[78]'] });
    expect(r.rejected.map((s) => [s.symbol, s.reason])).toEqual([['chain8', 'not-nops']]);
    expect(r.run.exitCode).toBe(0);
    expect(r.events).toHaveLength(CHAIN_STEPS);
    expect(r.events.every((e) => e.symbol === 'chain7')).toBe(true);
  });

  it('a truncated ELF is a typed error', async () => {
    const err = await traceUserProgram(new Uint8Array(readFileSync(fixturePath('bin/calls.rv64imac.elf'))).slice(0, 64)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FtraceLabError);
  });
});

describe("guest runtime percpu 'symbol'", () => {
  it('never touches tp and has no boot code, trap vector or tohost; one hart only', () => {
    const src = buildGuestRuntime({ harts: 1, scheme: 'list', percpu: 'symbol' });
    const code = src.split('\n').map((l) => l.split('#')[0]).join('\n');
    expect(code).not.toMatch(/\btp\b/);
    expect(src).not.toMatch(/^(_start|guest_trap_vector|tohost):/m);
    expect(src).toContain('la\tt2, ftrace_percpu');
    expect(buildGuestRuntime({ harts: 1, scheme: 'list' })).toMatch(/PERCPU_RECURSION\(tp\)/);
    expect(() => buildGuestRuntime({ harts: 2, scheme: 'list', percpu: 'symbol' })).toThrow(GuestRuntimeError);
  });
});

describe('ftrace-lab trace --user', () => {
  const LINE = /^ +hart-0-0 +\[000\] \.\.\.\.\. +\d+\.\d{6}: (\S+) <-(\S+)$/;

  it('prints one line per call ending ": func <-parent"; program output on stderr', async () => {
    const io = capture();
    expect(await traceMain(['--user', '-l', 'chain8', CALLS, 'arg1'])).toBe(0);
    expect(io.out()).toContain('# tracer: function');
    expect(io.out()).toContain(`entries-in-buffer/entries-written: ${CHAIN_STEPS}/${CHAIN_STEPS}`);
    const lines = io.out().split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines).toHaveLength(CHAIN_STEPS);
    for (const l of lines.slice(0, 10)) {
      const m = LINE.exec(l);
      expect(m, l).not.toBeNull();
      expect([m![1], m![2]]).toEqual(['chain8', 'chain7']);
    }
    expect(io.err()).toContain('calls: ok');
    expect(io.out()).not.toContain('calls: ok');
  });

  it('usage and input errors', async () => {
    const io = capture();
    expect(await traceMain(['--user', '--kernel', '5'])).toBe(EXIT_USAGE);
    expect(await traceMain(['--user', '-p', 'count', CALLS])).toBe(EXIT_USAGE);
    expect(await traceMain(['--user', '-l', 'no_such_function', CALLS])).toBe(EXIT_DATAERR);
    expect(io.err()).toContain('matches no traceable function');
    const dir = mkdtempSync(join(tmpdir(), 'ftrace-lab-trace-user-'));
    const junk = join(dir, 'junk.elf');
    writeFileSync(junk, 'not an elf');
    expect(await traceMain(['--user', junk])).toBe(EXIT_DATAERR);
  });
});
