// `ftrace-lab serve` and its static server: the isolation headers, MIME types, no path escapes, clear errors.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as serveMain, parseServeArgs } from '../../src/cli/serve.js';
import { createStaticServer } from '../../src/cli/static-server.js';
import { capture } from '../capture-output.js';

let dir: string;
let base: string;
let close: () => void;

function get(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ftrace-lab-site-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'assets', 'engine-abc.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'export {};');
  writeFileSync(join(tmpdir(), 'ftrace-lab-secret.txt'), 'secret');
  const server = createStaticServer(dir);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => {
    server.closeAllConnections();
    server.close();
  };
});

afterAll(() => {
  close();
  rmSync(dir, { recursive: true, force: true });
});

describe('static server', () => {
  it('sends COOP/COEP with every response, and the right types and caching', async () => {
    for (const path of ['/', '/assets/engine-abc.wasm', '/assets/index-abc.js', '/missing']) {
      const r = await get(path);
      expect(r.headers['cross-origin-opener-policy'], path).toBe('same-origin');
      expect(r.headers['cross-origin-embedder-policy'], path).toBe('require-corp');
    }
    const index = await get('/');
    expect([index.status, index.headers['content-type'], index.headers['cache-control']]).toEqual([200, 'text/html; charset=utf-8', 'no-cache']);
    const wasm = await get('/assets/engine-abc.wasm');
    expect([wasm.headers['content-type'], wasm.headers['cache-control']]).toEqual(['application/wasm', 'public, max-age=31536000, immutable']);
    expect((await get('/missing')).status).toBe(404);
  });

  it('never serves outside its directory and only answers GET and HEAD', async () => {
    expect((await get('/..%2fftrace-lab-secret.txt')).status).toBe(403);
    expect((await get('/%2e%2e/ftrace-lab-secret.txt')).status).not.toBe(200);
    expect((await get('/%E0%A4%A')).status).toBe(400);
    const post = await get('/', 'POST');
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    const head = await get('/', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('leaves the headers out with isolation: false', async () => {
    const server = createStaticServer(dir, { isolation: false });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(res.headers.get('cross-origin-opener-policy')).toBeNull();
    server.close();
  });
});

describe('ftrace-lab serve', () => {
  it('parses its options', () => {
    expect(parseServeArgs(['--port', '0', '--host', '::1', '--dir', '/x', '--no-isolation'])).toEqual({ port: 0, host: '::1', dir: '/x', isolation: false });
    expect(parseServeArgs(['-h'])).toBe('help');
    expect(() => parseServeArgs(['--port', '70000'])).toThrow(/--port/);
  });

  afterEach(() => vi.restoreAllMocks());

  it('exits 64 on a bad command line, 65 when the page is not built, 64 when the port is taken', async () => {
    let io = capture();
    expect(await serveMain(['--bogus'])).toBe(64);
    expect(io.err()).toContain("unknown argument '--bogus'");
    vi.restoreAllMocks();
    io = capture();
    expect(await serveMain(['--dir', join(dir, 'assets')])).toBe(65);
    expect(io.err()).toContain('npm run build:web');
    vi.restoreAllMocks();
    io = capture();
    const port = Number(new URL(base).port);
    expect(await serveMain(['--dir', dir, '--port', String(port)])).toBe(64);
    expect(io.err()).toContain('the port is in use');
  });

  it('serves a directory until SIGINT, then exits 0', async () => {
    const cli = new URL('../../dist/cli/main.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
    });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
  });
});
