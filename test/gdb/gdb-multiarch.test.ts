// The gdb stub against Debian's gdb-multiarch in batch mode: breakpoint on a fixture function, continue, read a
// register and an argument, bt, stepi, continue to exit (run by .ci/run, which installs gdb-multiarch).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/index.js';
import { root, startStub } from './cli-session.js';

const hasGdb = spawnSync('gdb-multiarch', ['--version'], { encoding: 'utf8' }).status === 0;
const elf = join(root, 'test/fixtures/gdb/gdb-target.elf');

function gdb(port: number, commands: string[]): Promise<string> {
  const args = ['-q', '-nx', '-batch', '-ex', 'set pagination off', '-ex', 'set confirm off', '-ex', `directory ${join(root, 'test/fixtures')}`,
    '-ex', `file ${elf}`, '-ex', `target remote 127.0.0.1:${port}`, ...commands.flatMap((c) => ['-ex', c])];
  // PWD is what gdb resolves relative paths against: make it the repository, whatever the test runner inherited
  const child = spawn('gdb-multiarch', args, { cwd: root, env: { ...process.env, PWD: root }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  return new Promise((resolve) => child.on('close', () => resolve(out)));
}

describe.skipIf(!hasGdb && !process.env.CI)('gdb-multiarch against run --gdb', () => {
  it('break leaf, continue, p x, info registers, bt, stepi, continue to exit; two harts are two threads', async () => {
    const stub = await startStub([elf, '--harts', '2']);
    const out = await gdb(stub.port, [
      'info threads', 'break leaf', 'continue', 'p x', 'info registers a0', 'p $priv', 'p/x $mstatus', 'bt',
      'x/i $pc', 'p $pc', 'stepi', 'p $pc', 'info registers fcsr', 'p/x $fa0', 'p $mhartid', 'thread 2', 'p $mhartid', 'continue',
    ]);
    const run = await stub.done;
    expect(out).toMatch(/\* 1 +Thread 1\.1 \(hart 0 \(M-mode\)\)/);
    expect(out).toMatch(/ 2 +Thread 1\.2 \(hart 1 \(M-mode\)\)/);
    expect(out).toMatch(/Breakpoint 1, leaf \(x=5\) at gdb\/gdb-target\.c:9/);
    expect(out).toMatch(/^\$1 = 5$/m);
    expect(out).toMatch(/^a0\s+0x5\s+5$/m);
    expect(out).toMatch(/^\$2 = 3$/m); // M-mode
    expect(out).toMatch(/^#0 +leaf \(x=5\) at gdb\/gdb-target\.c:9\n#1 +0x[0-9a-f]+ in middle \(x=4\) at gdb\/gdb-target\.c:16\n#2 +0x[0-9a-f]+ in main \(\) at gdb\/gdb-target\.c:22$/m);
    expect(out).not.toMatch(/ebreak/); // the breakpoint is not an instruction in memory
    const pcs = [...out.matchAll(/^\$\d+ = \(void \(\*\)\(\)\) (0x[0-9a-f]+) <leaf\+(\d+)>$/gm)].map((m) => Number(m[2]));
    expect(pcs).toHaveLength(2);
    expect(pcs[1]).toBeGreaterThan(pcs[0]!); // stepi moved one instruction on
    expect(out).toMatch(/^fcsr\s+0x0\s/m); // FP registers come from the target description too
    expect(out).toMatch(/^\$\d+ = \{float = .*, double = .*\}$|^\$\d+ = 0x0$/m);
    expect(out).toMatch(/^\$\d+ = 0\n\[Switching to thread 2 \(Thread 1\.2\)\][^\n]*\n(?:[^\n]*\n){0,3}\$\d+ = 1$/m); // mhartid per thread
    expect(out).toMatch(/\[Inferior 1 \(process 1\) exited normally\]/);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('result 32\n');
  });

  it('memory gdb reads at a breakpoint is the program text (nothing patched); kill ends the run with 137', async () => {
    const image = parseElf(readFileSync(elf));
    const leaf = image.symbols.find((s) => s.name === 'leaf')!;
    const seg = image.segments.find((s) => leaf.value >= s.vaddr && leaf.value < s.vaddr + s.data.length)!;
    const want = [...seg.data.subarray(leaf.value - seg.vaddr, leaf.value - seg.vaddr + 4)].map((b) => `0x${b.toString(16).padStart(2, '0')}`);
    const stub = await startStub([elf]);
    const out = await gdb(stub.port, ['break *leaf', 'continue', 'x/4xb leaf', 'kill']);
    const run = await stub.done;
    const line = /<leaf>:\s+(.*)$/m.exec(out);
    expect(line, out).not.toBeNull();
    expect(line![1]!.trim().split(/\s+/)).toEqual(want);
    expect(run.status).toBe(137);
    expect(run.stderr).toMatch(/ftrace-lab run: killed by gdb/);
  });
});
