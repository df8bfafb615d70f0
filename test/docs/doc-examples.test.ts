// Every runnable code block of the user docs runs here, so the docs cannot rot: sh blocks in bash with `ftrace-lab`
// on PATH (the built CLI), ts/js blocks as ES modules inside the package (so `import ... from 'ftrace-lab'` resolves
// to this build). A block's exit status must be 0 (or its `exit N` marker); an `output` block must match stdout.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProtocolFile, PROTOCOL_FILE_FORMAT } from '../../src/patch/protocol-file.js';
import { docBlocks, markupProblems, RUNNABLE, type BlockLang } from './doc-blocks.js';

const root = join(import.meta.dirname, '../..');
/** Every Markdown file of the repository (README.md first), outside installed and generated folders. */
function markdownFiles(dir = root): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || ['node_modules', 'dist', 'build', 'bench-out'].includes(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...markdownFiles(p));
    else if (e.name.endsWith('.md')) out.push(relative(root, p));
  }
  return out.sort((a, b) => (a === 'README.md' ? -1 : b === 'README.md' ? 1 : a.localeCompare(b)));
}
const USER_DOCS = markdownFiles();

const shimDir = mkdtempSync(join(tmpdir(), 'ftl-doc-bin-'));
writeFileSync(join(shimDir, 'ftrace-lab'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'dist/cli/main.js')}" "$@"\n`);
chmodSync(join(shimDir, 'ftrace-lab'), 0o755);
// inside the package, so the package's own name resolves to its build (Node's self-reference)
const moduleDir = join(root, '.doc-tests');
mkdirSync(moduleDir, { recursive: true });
afterAll(() => rmSync(moduleDir, { recursive: true, force: true }));

const blocks = USER_DOCS.flatMap((f) => docBlocks(join(root, f)));

describe('user docs', () => {
  it('cover README.md and the other Markdown files', () => {
    expect(USER_DOCS[0]).toBe('README.md');
    expect(USER_DOCS).toContain('test/fixtures/README.md');
  });

  it('tag every code block (sh/ts/js run; text/ini/... do not)', () => {
    expect(markupProblems(blocks)).toEqual([]);
    expect(blocks.filter((b) => b.skip !== undefined && b.skip.trim().length < 10)).toEqual([]); // a real reason
  });

  it('json blocks are JSON (and a protocol file in them follows its schema)', () => {
    for (const b of blocks.filter((x) => x.lang === 'json')) {
      const j = JSON.parse(b.code) as { format?: string };
      if (j.format === PROTOCOL_FILE_FORMAT) expect(() => parseProtocolFile(j), `${b.file}:${b.line}`).not.toThrow();
    }
  });

  const runnable = blocks.filter((b) => RUNNABLE.includes(b.lang as BlockLang) && !b.isOutput);
  it('has runnable examples', () => {
    expect(runnable.filter((b) => relative(root, b.file) === 'README.md' && b.skip === undefined).length).toBeGreaterThan(5);
  });

  for (const b of runnable) {
    const name = `${relative(root, b.file)}:${b.line} (${b.lang})`;
    it.skipIf(b.skip !== undefined)(b.skip !== undefined ? `${name} — skipped: ${b.skip}` : name, () => {
      const scratch = mkdtempSync(join(tmpdir(), 'ftl-doc-run-'));
      let r;
      if (b.lang === 'sh') {
        r = spawnSync('bash', ['-euo', 'pipefail', '-c', b.code], {
          cwd: root, encoding: 'utf8', timeout: 120_000,
          env: { ...process.env, PATH: `${shimDir}:${process.env.PATH}`, PWD: root, SCRATCH: scratch },
        });
      } else {
        const file = join(moduleDir, `block-${b.line}.mts`);
        writeFileSync(file, b.code);
        r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SCRATCH: scratch } });
      }
      rmSync(scratch, { recursive: true, force: true });
      expect(r.status, `${name}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(b.exit ?? 0);
      if (b.output !== undefined) expect(r.stdout).toBe(b.output);
    });
  }
});
