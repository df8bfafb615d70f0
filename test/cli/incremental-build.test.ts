// Item 10: the build runs asc/tsc only when their inputs changed (scripts/build.mjs fingerprints inputs by content).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const script = join(root, 'scripts/build.mjs');

function build(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, FTRACE_LAB_BUILD_ROOT: dir }, timeout: 60_000 });
  return { status: r.status, err: r.stderr };
}

describe('scripts/build.mjs', () => {
  it('after npm test built everything, both steps are up to date here', () => {
    const r = build(root, '--check');
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/build\/engine\.wasm is up to date \(asc skipped/);
    expect(r.err).toMatch(/dist\/ is up to date \(tsc skipped/);
  });

  it('rebuilds exactly the step whose input changed (content, not time), and a step whose output is gone', () => {
    // a tiny checkout: one engine file and one host file; compilers from this repository's node_modules
    const dir = mkdtempSync(join(tmpdir(), 'ftl-build-'));
    mkdirSync(join(dir, 'assembly'));
    mkdirSync(join(dir, 'src/machine'), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'assembly/index.ts'), 'import { ANSWER } from "../src/machine/layout";\nexport function answer(): i32 { return ANSWER; }\n');
    writeFileSync(join(dir, 'src/machine/layout.ts'), 'export const ANSWER = 42;\n');
    writeFileSync(join(dir, 'src/index.ts'), 'export const x = 1;\n');
    mkdirSync(join(dir, 'src/cli'));
    writeFileSync(join(dir, 'src/cli/main.ts'), 'export {};\n');
    writeFileSync(join(dir, 'asconfig.json'), JSON.stringify({ targets: { release: { outFile: 'build/engine.wasm', optimizeLevel: 0 } }, options: { runtime: 'stub' } }));
    cpSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    expect(build(dir).status).toBe(0);
    expect(build(dir, '--check').err).toMatch(/engine\.wasm is up to date[\s\S]*dist\/ is up to date/);
    writeFileSync(join(dir, 'src/index.ts'), 'export const x = 1;\n'); // same content, new mtime: still up to date
    expect(build(dir, '--check').err).toMatch(/dist\/ is up to date/);
    writeFileSync(join(dir, 'src/index.ts'), 'export const x = 2;\n');
    let r = build(dir, '--check');
    expect(r.err).toMatch(/engine\.wasm is up to date/);
    expect(r.err).toMatch(/dist\/ would be rebuilt by tsc \(inputs changed\)/);
    writeFileSync(join(dir, 'src/machine/layout.ts'), 'export const ANSWER = 43;\n'); // the engine imports the layout
    r = build(dir, '--check');
    expect(r.err).toMatch(/engine\.wasm would be rebuilt by asc \(inputs changed\)/);
    r = build(dir);
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/engine\.wasm rebuilt by asc/);
    expect(r.err).toMatch(/dist\/ rebuilt by tsc/);
    expect(build(dir, '--check').err).not.toMatch(/would be rebuilt/);
    rmSync(join(dir, 'build/engine.wasm'));
    expect(build(dir, '--check').err).toMatch(/engine\.wasm would be rebuilt by asc \(output missing\)/);
  }, 120_000);
});
