// Issue 14 items 2-7: what a new user's first mistakes print (exit status and the first line of stderr), --version, start --help.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportUncaught, setDebug } from '../../src/cli/verb-main.js';
import { capture } from '../capture-output.js';

const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli/main.js');
const bin = (name: string) => join('test/fixtures/bin', name);
const tmp = mkdtempSync(join(tmpdir(), 'ftl-first-hour-'));

function ftl(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, first: r.stderr.split('\n')[0]! };
}

afterEach(() => {
  vi.restoreAllMocks();
  setDebug(false);
});

describe('2: a missing or unreadable input file is exit 65 naming the file, never a stack trace', () => {
  const cases: [string, string[]][] = [
    ['run', ['run', 'nonexistent.elf']],
    ['run --user', ['run', '--user', 'nonexistent.elf']],
    ['run --user --map', ['run', '--user', '--map', 'in.txt=nonexistent.elf', bin('linuxio.linux.elf')]],
    ['trace', ['trace', 'nonexistent.elf']],
    ['trace --user', ['trace', '--user', 'nonexistent.elf']],
    ['disasm', ['disasm', 'nonexistent.elf']],
    ['asm', ['asm', 'nonexistent.elf']],
  ];
  for (const [name, args] of cases) {
    it(name, () => {
      const r = ftl(...args);
      expect(r.status).toBe(65);
      expect(r.first).toMatch(/^ftrace-lab \w+: cannot read 'nonexistent\.elf': no such file or directory$/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });
  }

  it('a directory is named too', () => {
    const r = ftl('run', tmp);
    expect(r.status).toBe(65);
    expect(r.first).toBe(`ftrace-lab run: cannot read '${tmp}': is a directory`);
  });

  it('an unwritable output names the file (asm -o, bench --out)', () => {
    const src = join(tmp, 'ok.s');
    writeFileSync(src, 'li a0, 1\n');
    const r = ftl('asm', src, '-o', join(tmp, 'no/such/dir/x.elf'));
    expect(r.status).toBe(65);
    expect(r.first).toBe(`ftrace-lab asm: cannot write '${join(tmp, 'no/such/dir/x.elf')}': no such file or directory`);
  });

  it('an internal error prints one line and a hint; the stack only with --debug', () => {
    const io = capture();
    expect(reportUncaught(new TypeError('boom'))).toBe(70);
    expect(io.err()).toBe('ftrace-lab: internal error: boom\n(a bug in ftrace-lab: run again with --debug for the stack trace, and report it)\n');
    setDebug(true);
    expect(reportUncaught(new TypeError('boom'))).toBe(70);
    expect(io.err()).toMatch(/TypeError: boom\n\s+at /);
  });
});

describe('3: every option error names its option and the accepted range', () => {
  const elf = bin('hello.rv64imac.elf');
  const cases: [string[], string][] = [
    [['run', elf, '--harts', 'abc'], "ftrace-lab run: --harts: expected an integer from 1 to 32, got 'abc'"],
    [['run', elf, '--harts', '-1'], "ftrace-lab run: --harts: expected an integer from 1 to 32, got '-1'"],
    [['run', elf, '--seed', 'xyz'], "ftrace-lab run: --seed: expected an integer from 0 to 4294967295, got 'xyz'"],
    [['run', elf, '--quantum', '0'], "ftrace-lab run: --quantum: expected an integer from 1 to 2147483647, got '0'"],
    [['run', elf, '--max-insns', '1.5'], "ftrace-lab run: --max-insns: expected an integer from 0 to 1e15, got '1.5'"],
    [['run', elf, '--ram', '3'], "ftrace-lab run: --ram: expected a size from 64K to 2G, a multiple of 4K (e.g. 128M, 65536, 0x100000), got '3'"],
    [['run', elf, '--mode', 'fast'], "ftrace-lab run: --mode: expected one of deterministic, parallel, got 'fast'"],
    [['trace', '--kernel', '10', '--harts', '99'], "ftrace-lab trace: --harts: expected an integer from 1 to 32, got '99'"],
    [['bench', '--calls', '0'], "ftrace-lab bench: --calls: expected an integer from 1 to 1e9, got '0'"],
    [['asm', 'x.s', '--base', 'zz'], "ftrace-lab asm: --base: expected an address such as 0x80000000 (hex or decimal, below 2^53), got 'zz'"],
  ];
  for (const [args, first] of cases) {
    it(args.slice(-2).join(' '), () => {
      const r = ftl(...args);
      expect(r.status).toBe(64);
      expect(r.first).toBe(first);
    });
  }
});

describe('4: a Linux-ABI ELF given without --user', () => {
  it('run suggests --user', () => {
    const r = ftl('run', bin('hello.linux.elf'));
    expect(r.status).toBe(65);
    expect(r.first).toMatch(/^ftrace-lab run: \S+hello\.linux\.elf is a Linux program \(.+\), not a bare-metal one: run it with 'ftrace-lab run --user \S+hello\.linux\.elf'$/);
  });
  it('trace suggests trace --user', () => {
    const r = ftl('trace', bin('calls.linux.elf'));
    expect(r.status).toBe(65);
    expect(r.first).toMatch(/is a Linux program .*'ftrace-lab trace --user \S+calls\.linux\.elf'$/);
  });
  it('bare-metal ELFs still run', () => {
    expect(ftl('run', bin('hello.rv64imac.elf')).status).toBe(0);
  });
});

describe('5: guest output ends with a newline before a message of ours', () => {
  it('--max-insns 100 into one file (2>&1): the partial line is ended, our message starts a line', () => {
    const path = join(tmp, 'both.txt');
    const fd = openSync(path, 'w');
    const r = spawnSync(process.execPath, [cli, 'run', bin('hello.rv64imac.elf'), '--max-insns', '100'], { cwd: root, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    expect(r.status).toBe(124);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^[^\n]+\nftrace-lab run: instruction budget of 100 exhausted\n$/);
  });
  it('separate streams: stdout keeps the guest bytes exactly; stderr starts with our message', () => {
    const r = ftl('run', bin('hello.rv64imac.elf'), '--max-insns', '100');
    expect(r.status).toBe(124);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stdout.endsWith('\n')).toBe(false);
    expect(r.first).toBe('ftrace-lab run: instruction budget of 100 exhausted');
  });
  it('run --user: the guest writes stderr itself; our message still starts a line', () => {
    const r = ftl('run', '--user', '--max-insns', '20000', bin('hello.linux.elf'));
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/^ftrace-lab run: instruction budget of 20000 exhausted$/m);
  });
});

describe('6: a one-line mistake prints the error and one line pointing at VERB --help', () => {
  for (const args of [['run', '--bogus'], ['trace', '--kernel', '5', '--scheme', 'x'], ['disasm'], ['asm', 'a.s', 'b.s'], ['bench', '--frob'], ['start', '--calls', 'x']]) {
    it(args.join(' '), () => {
      const r = ftl(...args);
      expect(r.status).toBe(64);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(new RegExp(`^ftrace-lab ${args[0]}: `));
      expect(lines[1]).toBe(`Run 'ftrace-lab ${args[0]} --help' for the options.`);
    });
  }
  it('an unknown verb lists the verbs in one line', () => {
    const r = ftl('frob');
    expect(r.status).toBe(64);
    expect(r.first).toBe("ftrace-lab: unknown verb 'frob' (verbs: asm, disasm, run, start, trace, report, boot, bench, protocols, check, replay, check-merge, serve)");
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(2);
  });
});

describe('7: --version, start --help, deterministic-only options in parallel mode', () => {
  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = ftl('--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`ftrace-lab ${pkg.version}\n`);
  });
  it('start --help prints the usage and runs nothing', () => {
    const r = ftl('start', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: ftrace-lab start /);
    expect(r.stderr).toBe('');
  });
  it('run --mode parallel --seed 5 --quantum 7 is refused, naming both options', () => {
    const r = ftl('run', bin('hello.rv64imac.elf'), '--mode', 'parallel', '--seed', '5', '--quantum', '7');
    expect(r.status).toBe(64);
    expect(r.first).toBe('ftrace-lab run: --seed and --quantum only apply to --mode deterministic (parallel harts are scheduled by the host OS)');
  });
  it('trace --mode parallel --seed 3 is refused', () => {
    const r = ftl('trace', '--kernel', '10', '--mode', 'parallel', '--seed', '3');
    expect(r.status).toBe(64);
    expect(r.first).toMatch(/^ftrace-lab trace: --seed only applies to --mode deterministic/);
  });
  it('--debug before the verb is accepted', () => {
    expect(ftl('--debug', 'run', bin('hello.rv64imac.elf')).status).toBe(0);
  });
});

describe('9: what the README says about trace --user holds', () => {
  it('timestamps follow the guest clock (they advance)', () => {
    const r = ftl('trace', '--user', '-l', 'chain*', bin('calls.linux.elf'));
    expect(r.status).toBe(0);
    const stamps = [...r.stdout.matchAll(/ (\d+\.\d{6}): chain\d </g)].map((m) => Number(m[1]));
    expect(stamps.length).toBeGreaterThan(8);
    expect(stamps[stamps.length - 1]!).toBeGreaterThan(stamps[0]!);
  });
});
