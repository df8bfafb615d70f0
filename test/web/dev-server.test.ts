// The page's Vite dev server (npm run web) serves the Linux files as ftrace-lab serve does, and the rest of the page as before.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { afterEach, describe, expect, it } from 'vitest';
import { DEBIAN_FW_JUMP } from '../../src/board/kernel-cache.js';

const WEB_CONFIG = fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url));
const saved = process.env.FTRACE_LAB_CACHE;
const temp = mkdtempSync(join(tmpdir(), 'ftrace-lab-empty-cache-'));

afterEach(() => {
  if (saved === undefined) delete process.env.FTRACE_LAB_CACHE;
  else process.env.FTRACE_LAB_CACHE = saved;
  rmSync(temp, { recursive: true, force: true });
});

describe('npm run web (Vite dev server)', () => {
  it('answers linux/Image from the kernel cache (here an empty one: 404 naming npm run kernel), with the isolation headers', async () => {
    process.env.FTRACE_LAB_CACHE = temp; // looked up per request: no kernel in this cache
    const server = await createServer({ configFile: WEB_CONFIG, logLevel: 'silent', server: { port: 0, host: '127.0.0.1', hmr: false } });
    await server.listen();
    try {
      const url = server.resolvedUrls!.local[0]!;
      const image = await fetch(`${url}linux/Image`);
      expect(image.status).toBe(404);
      expect(await image.text()).toContain("the lab's kernel is not built: run 'npm run kernel'");
      expect(image.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      const firmware = await fetch(`${url}linux/fw_jump.bin`);
      expect(firmware.status).toBe(existsSync(DEBIAN_FW_JUMP) ? 200 : 404);
      await firmware.arrayBuffer();
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('id="linux-form"');
    } finally {
      await server.close();
    }
  }, 60_000);
});
