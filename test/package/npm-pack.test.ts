// The installable package: `npm pack`, install the tarball into an empty folder, then what a user does first —
// `npx ftrace-lab --version`, `run` of the bundled example, an ESM import of the API. Only what users need is packed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const work = mkdtempSync(join(tmpdir(), 'ftl-pack-'));
const app = join(work, 'app');
let files: string[] = [];

beforeAll(() => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as {
    filename: string;
    files: { path: string }[];
  }[];
  files = packed[0]!.files.map((f) => f.path);
  execFileSync('mkdir', ['-p', app]);
  // an empty folder; the package has no runtime dependencies, so installing the tarball needs no registry
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', join(work, packed[0]!.filename)], { cwd: app, stdio: 'ignore' });
}, 120_000);

const inApp = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: app, encoding: 'utf8', timeout: 60_000 });

describe('npm pack', () => {
  it('packs the built code, the engine, the examples, the RISCOF plugin and the docs — and nothing else', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'build/engine.wasm', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/machine/parallel/worker-node.js', 'examples/hello.elf', 'examples/hello.s', 'riscof/ftrace_lab/env/model_test.h', 'web/dist/index.html']) {
      expect(files, f).toContain(f);
    }
    const unwanted = files.filter((f) => (/^(src|test|bench|assembly|scripts|web|node_modules|\.ci)\//.test(f) && !f.startsWith('web/dist/')) || f.endsWith('.map') || f.endsWith('.wat'));
    expect(unwanted).toEqual([]);
  });

  it('npx ftrace-lab --version', () => {
    const r = inApp('npx', ['--no-install', 'ftrace-lab', '--version']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`ftrace-lab ${pkg.version}\n`);
  });

  it('npx ftrace-lab run on the bundled example', () => {
    const r = inApp('npx', ['--no-install', 'ftrace-lab', 'run', 'node_modules/ftrace-lab/examples/hello.elf', '--harts', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello from ftrace-lab\n');
  });

  it('an ESM import of the API (main entry and subpaths) assembles, runs and traces', () => {
    writeFileSync(
      join(app, 'check.mjs'),
      `import { Lab, Machine, assemble, toElf } from 'ftrace-lab';
import { parseElf } from 'ftrace-lab/elf';
import { disassembleWord } from 'ftrace-lab/isa';
const elf = toElf(assemble('  .globl _start\\n_start:\\n  li a0, 7\\n  slli a0, a0, 1\\n  ori a0, a0, 1\\n  la t0, tohost\\n  sd a0, 0(t0)\\n1: j 1b\\n  .data\\n  .globl tohost\\ntohost: .dword 0\\n'));
const m = Machine.create({ ram: 1 << 20 });
m.loadElf(elf);
const r = await m.start();
const lab = await Lab.create({ kernel: { functions: 20, runSample: true, nrCalls: 3 } });
await lab.ftrace.register({ filter: ['tracee_relevant'] });
await lab.run();
let events = 0;
for await (const ev of lab.trace.events()) events += ev.symbol === 'tracee_relevant' ? 1 : 0;
console.log(JSON.stringify({ exit: r.exitCode, entry: parseElf(elf).entry, insn: disassembleWord(0x00000013, 0).text, events }));
`,
    );
    const r = inApp(process.execPath, ['check.mjs']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ exit: 7, entry: 0x80000000, insn: 'nop', events: 3 });
  });
});

describe('examples/', () => {
  it('hello.elf is what ftrace-lab asm makes of hello.s (the committed binary cannot go stale)', async () => {
    const { assemble, toElf } = await import('../../src/isa/index.js');
    const src = readFileSync(join(root, 'examples/hello.s'), 'utf8');
    expect(Buffer.from(toElf(assemble(src, { file: 'examples/hello.s' })))).toEqual(readFileSync(join(root, 'examples/hello.elf')));
  });
});
