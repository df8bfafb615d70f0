// `ftrace-lab serve` and its static server: the isolation headers, MIME types, no path escapes, clear errors.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('serves routes from outside the directory (looked up per request), with a 404 that says how to make a missing one', async () => {
    const outside = join(tmpdir(), `ftrace-lab-route-${process.pid}.bin`);
    let present = false;
    const server = createStaticServer(dir, {
      routes: { '/linux/Image': { resolve: () => (present ? outside : undefined), missing: "run 'npm run kernel'" } },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/linux/Image`;
    try {
      const absent = await fetch(url);
      expect([absent.status, await absent.text()]).toEqual([404, "not found: run 'npm run kernel'\n"]);
      expect(absent.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      writeFileSync(outside, new Uint8Array([1, 2, 3, 4]));
      present = true; // appears while the server runs: served without a restart
      const res = await fetch(url);
      expect([res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([200, 'application/octet-stream', 'no-cache']);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 4]));
    } finally {
      server.closeAllConnections();
      server.close();
      rmSync(outside, { force: true });
    }
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
    expect(parseServeArgs(['--port', '0', '--host', '::1', '--dir', '/x', '--no-isolation'])).toEqual({ port: 0, host: '::1', dir: '/x', isolation: false, linux: {} });
    expect(parseServeArgs(['--kernel', '/k/Image', '--bios', '/f.bin', '--system-map', '/k/System.map'])).toMatchObject({ linux: { image: '/k/Image', firmware: '/f.bin', systemMap: '/k/System.map' } });
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

  it('serves a directory and the Linux files until SIGINT, then exits 0', async () => {
    const cli = new URL('../../dist/cli/main.js', import.meta.url).pathname;
    const image = join(dir, 'assets', 'engine-abc.wasm'); // any file stands in for the Image and the firmware
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--dir', dir, '--kernel', image, '--bios', image, '--system-map', join(dir, 'no-such.map')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
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
    expect(new Uint8Array(await (await fetch(`${url}linux/Image`)).arrayBuffer())).toEqual(new Uint8Array(readFileSync(image)));
    expect((await fetch(`${url}linux/fw_jump.bin`)).status).toBe(200);
    const map = await fetch(`${url}linux/System.map`);
    expect([map.status, await map.text()]).toEqual([404, "not found: the kernel's System.map is missing (no patch report): run 'npm run kernel', then reload\n"]);
    const linuxLine = () => /Boot Linux in the page: .*\n/.test(out);
    await new Promise<void>((r) => (linuxLine() ? r() : child.stdout.on('data', () => linuxLine() && r())));
    expect(out).toContain(`ftrace-lab: Boot Linux in the page: kernel ${image}, firmware ${image}\n`);
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
  });
});
