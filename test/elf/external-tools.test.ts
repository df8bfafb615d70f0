// The writer's output is accepted, without warnings, by binutils readelf, llvm-readelf and llvm-objdump.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleElves } from './sample-elves.js';

function has(tool: string): boolean {
  return spawnSync(tool, ['--version'], { encoding: 'utf8' }).status === 0;
}

function run(tool: string, args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'ftrace-lab-elf-'));
const files = sampleElves().map(({ name, bytes }) => {
  const path = join(dir, `${name}.elf`);
  writeFileSync(path, bytes);
  return { name, path };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectClean(tool: string, args: string[]): string {
  const r = run(tool, args);
  expect(r.err).toBe('');
  expect(r.status).toBe(0);
  expect(r.out).not.toMatch(/warning|error|corrupt|invalid/i);
  return r.out;
}

const hasReadelf = has('readelf');
describe.skipIf(!hasReadelf && !process.env.CI)('binutils readelf', () => {
  it.each(files)('reads $name without warnings', ({ path }) => {
    const out = expectClean('readelf', ['-a', '-W', path]);
    expect(out).toMatch(/Machine:\s+RISC-V/);
    expect(out).toMatch(/Type:\s+EXEC/);
    expect(out).toMatch(/LOAD\s+0x[0-9a-f]+ 0x/);
  });
});

const hasLlvmReadelf = has('llvm-readelf');
describe.skipIf(!hasLlvmReadelf && !process.env.CI)('llvm-readelf', () => {
  it.each(files)('reads $name without warnings', ({ path }) => {
    const out = expectClean('llvm-readelf', ['-a', path]);
    expect(out).toMatch(/Machine:\s+RISC-V/);
  });

  it('sees the symbols the writer was given', () => {
    const out = expectClean('llvm-readelf', ['--symbols', files[0]!.path]);
    expect(out).toMatch(/FUNC\s+GLOBAL\s+DEFAULT\s+1 func0/);
    expect(out).toMatch(/OBJECT\s+GLOBAL\s+DEFAULT\s+2 tohost/);
    expect(out).toMatch(/NOTYPE\s+GLOBAL\s+DEFAULT\s+ABS ABS_CONST/);
    expect(out).toMatch(/NOTYPE\s+LOCAL\s+DEFAULT\s+1 local_label/);
  });
});

const hasObjdump = has('llvm-objdump');
describe.skipIf(!hasObjdump && !process.env.CI)('llvm-objdump', () => {
  it.each(files)('disassembles $name', ({ path }) => {
    const out = expectClean('llvm-objdump', ['-d', path]);
    expect(out).toMatch(/Disassembly of section \.text:/);
    expect(out).toMatch(/\tli\ta0, 61/);
  });

  it('puts function symbols at their addresses', () => {
    const out = expectClean('llvm-objdump', ['-d', files[0]!.path]);
    expect(out).toMatch(/0000000080000004 <func0>:/);
    expect(out).toMatch(/80000004: 01 00\s+nop/);
  });
});
