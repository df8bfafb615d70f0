// `ftrace-lab run --user`: guest argv/env/files from the command line, exit statuses, signals, diagnostics, usage errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT_DATAERR, EXIT_USAGE } from '../../src/cli/exit-codes.js';
import { main, parseRunArgs } from '../../src/cli/run.js';
import { SYS } from '../../src/user/index.js';
import { fixturePath } from '../fixtures/manifest.js';
import { EXIT_A0, sys, userElf } from './programs.js';
import { capture } from '../capture-output.js';



afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(join(tmpdir(), 'ftrace-lab-user-cli-'));
function program(name: string, source: string): string {
  const p = join(dir, name);
  writeFileSync(p, userElf(source));
  return p;
}

describe('run --user argument parsing', () => {
  it('everything after the program is the guest argv, options included', () => {
    const a = parseRunArgs(['--user', '--map', 'a=b', 'prog', '--stats', 'x', '-h']);
    expect(a).toMatchObject({ user: true, file: 'prog', guestArgs: ['--stats', 'x', '-h'], maps: [['a', 'b']], stats: false });
  });

  it('usage errors: --map without =, --map without --user, --harts with --user, no program', async () => {
    capture();
    expect(await main(['--user', '--map', 'nothing', 'p'])).toBe(EXIT_USAGE);
    expect(await main(['--map', 'a=b', 'p'])).toBe(EXIT_USAGE);
    expect(await main(['--user', '--harts', '2', 'p'])).toBe(EXIT_USAGE);
    expect(await main(['--user'])).toBe(EXIT_USAGE);
    expect(await main(['--user', '--env', 'NOEQUALS', 'p'])).toBe(EXIT_USAGE);
  });
});

describe('run --user', () => {
  it('runs the glibc hello fixture: its stdout, exit 0', async () => {
    const io = capture();
    expect(await main(['--user', fixturePath('bin/hello.linux.elf')])).toBe(0);
    expect(io.out()).toContain('hello from an ftrace-lab fixture\n');
    expect(io.err()).toBe('');
  });

  it('linuxio: guest args, --clear-env/--env, a --map file', async () => {
    const io = capture();
    const status = await main([
      '--user', '--clear-env', '--env', 'FIXTURE_GREETING=cli', '--map', `data/in.txt=${fixturePath('data/linuxio-input.txt')}`,
      fixturePath('bin/linuxio.linux.elf'), 'data/in.txt', 'alpha',
    ]);
    expect(io.out()).toContain('linuxio: arg 2 alpha\n');
    expect(io.out()).toContain('linuxio: FIXTURE_GREETING cli\n');
    expect(io.out()).toContain('words 9 ');
    expect(status).toBe((9 + 3) & 0x7f);
  });

  it('nothing outside --map is visible: the guest gets ENOENT', async () => {
    const io = capture();
    expect(await main(['--user', fixturePath('bin/linuxio.linux.elf'), fixturePath('data/linuxio-input.txt')])).toBe(3);
    expect(io.err()).toContain('linuxio: open: No such file or directory');
  });

  it('a segmentation fault exits 139 with a report; an unknown syscall is reported once on stderr', async () => {
    const p = program('segv.elf', `_start:\n${sys(999)}${sys(999)}  li t0, 16\n  sd t0, 0(t0)\n${EXIT_A0}`);
    const io = capture();
    expect(await main(['--user', p])).toBe(139);
    expect(io.err()).toContain('ftrace-lab run: unknown syscall syscall_999 (999): returning -ENOSYS\n');
    expect(io.err().match(/unknown syscall/g)).toHaveLength(1);
    expect(io.err()).toMatch(/guest killed by SIGSEGV \(Segmentation fault\): cause 15 at pc 0x[0-9a-f]+ .* addr 0x10/);
  });

  it('--max-insns stops an endless loop with 124; --json prints the statistics', async () => {
    const p = program('loop.elf', `_start:\n1: j 1b\n`);
    const io = capture();
    expect(await main(['--user', '--max-insns', '1000', '--json', p])).toBe(124);
    const line = JSON.parse(io.err().trim().split('\n').pop()!) as { instructions: number; status: string };
    expect(line).toMatchObject({ instructions: 1000, status: 'budget' });
  });

  it('writes the guest stdout bytes unchanged (binary)', async () => {
    const p = program('bin.elf', `_start:\n  li a0, 1\n  la a1, b\n  li a2, 4\n${sys(SYS.write)}  li a0, 0\n${EXIT_A0}\n  .data\nb: .byte 0, 255, 10, 128\n`);
    const chunks: Uint8Array[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (chunks.push(s as Uint8Array), true));
    expect(await main(['--user', p])).toBe(0);
    expect([...chunks[0]!]).toEqual([0, 255, 10, 128]);
  });

  it('a missing or malformed program is a data error (65)', async () => {
    const io = capture();
    expect(await main(['--user', join(dir, 'nope.elf')])).toBe(EXIT_DATAERR);
    const junk = join(dir, 'junk.elf');
    writeFileSync(junk, 'not an elf');
    expect(await main(['--user', junk])).toBe(EXIT_DATAERR);
    expect(await main(['--user', '--map', `x=${join(dir, 'missing')}`, junk])).toBe(EXIT_DATAERR);
    expect(io.err()).toContain('cannot read');
  });
});
