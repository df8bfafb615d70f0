// The browser entry bundles without any Node built-in: the page's build fails on one (and this proves it would).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { noNodeBuiltins } from '../../web/no-node-builtins.js';

const WEB_CONFIG = fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url));
const NODE_ADAPTER = fileURLToPath(new URL('../../src/machine/platform-node.ts', import.meta.url));
const ENGINE = fileURLToPath(new URL('../../build/engine.wasm', import.meta.url));
const temps: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ftrace-lab-bundle-'));
  temps.push(d);
  return d;
};

afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name));
}

describe('browser bundle', () => {
  it('bundles the page (main thread, hart worker, sweep worker, Linux worker) with no node: import', async () => {
    const out = temp();
    await build({ configFile: WEB_CONFIG, logLevel: 'silent', build: { outDir: out, emptyOutDir: true } });
    const files = jsFiles(out);
    expect(files.some((f) => f.includes('hart-worker'))).toBe(true);
    expect(files.some((f) => f.includes('sweep-worker'))).toBe(true);
    expect(files.some((f) => f.includes('linux-worker'))).toBe(true);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/["'`]node:[a-z_/]+["'`]/);
      expect(text, f).not.toContain('__vite-browser-external');
    }
    // The engine is an asset the page fetches (compileStreaming), not inlined bytes.
    const wasm = readdirSync(join(out, 'assets')).filter((n) => n.endsWith('.wasm'));
    expect(wasm).toHaveLength(1);
    expect(readFileSync(join(out, 'assets', wasm[0]!))).toEqual(readFileSync(ENGINE));
  }, 120_000);

  it('fails the build when browser code imports a Node adapter', async () => {
    const root = temp();
    writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="./main.ts"></script>\n');
    writeFileSync(join(root, 'main.ts'), `import ${JSON.stringify(NODE_ADAPTER)};\n`);
    await expect(
      build({ root, configFile: false, logLevel: 'silent', plugins: [noNodeBuiltins()], build: { outDir: join(root, 'dist'), emptyOutDir: true } }),
    ).rejects.toThrow(/platform-node.ts imports the Node built-in 'node:/);
  }, 120_000);
});
