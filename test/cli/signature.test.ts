// `ftrace-lab run --signature FILE`: RISCOF-style signatures (one line per word, Spike's byte order) of programs with a known result.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSignature } from '../../src/machine/signature.js';

const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli/main.js');
const fx = (name: string) => join(root, 'test/fixtures/riscof', name);
const tmp = mkdtempSync(join(tmpdir(), 'ftl-sig-'));

function ftl(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, first: r.stderr.split('\n')[0]! };
}

describe('run --signature', () => {
  const elf = join(tmp, 'signature-asm.elf');
  it('our own assembler-built program: the documented values, granularity 4 (default) and 8', () => {
    expect(ftl('asm', fx('signature-asm.s'), '-o', elf).status).toBe(0);
    const sig4 = join(tmp, 'a.signature');
    expect(ftl('run', elf, '--signature', sig4).status).toBe(0);
    expect(readFileSync(sig4, 'utf8')).toBe(readFileSync(fx('signature-asm.signature'), 'utf8'));
    const sig8 = join(tmp, 'a8.signature');
    expect(ftl('run', elf, '--signature', sig8, '--signature-granularity', '8').status).toBe(0);
    expect(readFileSync(sig8, 'utf8')).toBe(readFileSync(fx('signature-asm.signature8'), 'utf8'));
  });

  it('a GCC-built program using the RISCOF plugin env (model_test.h, link.ld): M, A, D results; extra harts parked', () => {
    for (const harts of ['1', '4']) {
      const sig = join(tmp, `m${harts}.signature`);
      const r = ftl('run', fx('model-test.elf'), '--harts', harts, '--max-insns', '1e6', '--signature', sig);
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(sig, 'utf8')).toBe(readFileSync(fx('model-test.signature'), 'utf8'));
    }
  });

  it('an ELF without begin_signature is exit 65 naming the symbol, before anything runs', () => {
    const r = ftl('run', join(root, 'test/fixtures/bin/hello.rv64imac.elf'), '--signature', join(tmp, 'none.sig'));
    expect(r.status).toBe(65);
    expect(r.first).toMatch(/^ftrace-lab run: .*no 'begin_signature' symbol/);
    expect(r.stdout).toBe('');
  });

  it('bad option combinations are usage errors', () => {
    expect(ftl('run', elf, '--signature', 'x', '--signature-granularity', '3').first).toBe(
      "ftrace-lab run: --signature-granularity: expected one of 1, 2, 4, 8, 16, got '3'",
    );
    expect(ftl('run', elf, '--signature-granularity', '8').status).toBe(64);
    expect(ftl('run', '--user', '--signature', 'x', elf).status).toBe(64);
  });
});

describe('formatSignature', () => {
  it('prints each line from its highest byte to its lowest, lowercase, and pads a short last line with zeros', () => {
    const bytes = Uint8Array.from([0x04, 0x00, 0x00, 0xc0, 0xff, 0xff, 0xff, 0xff, 0xab]);
    expect(formatSignature(bytes, 4)).toBe('c0000004\nffffffff\n000000ab\n');
    expect(formatSignature(bytes, 8)).toBe('ffffffffc0000004\n00000000000000ab\n');
    expect(formatSignature(bytes, 16)).toBe('00000000000000abffffffffc0000004\n');
    expect(formatSignature(new Uint8Array(0))).toBe('');
  });
});
