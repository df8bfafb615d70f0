// A small static file server for the built page: GET/HEAD only, no path escapes, wasm MIME type, cross-origin isolation headers.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** The headers that make a page cross-origin isolated (what the browser needs for SharedArrayBuffer). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** A URL path served from a file outside the directory, looked up per request. */
export interface StaticRoute {
  /** The file to send, or undefined when it does not exist (yet). */
  readonly resolve: () => string | undefined;
  /** The 404 body when it does not: what to run to make it. */
  readonly missing: string;
}

export interface StaticServerOptions {
  /** Send COOP/COEP (default true); false shows the page's single-thread fallback. */
  readonly isolation?: boolean;
  /** Extra files by URL path ('/linux/Image'), e.g. the kernel cache's; they win over the directory. */
  readonly routes?: Readonly<Record<string, StaticRoute>>;
}

/** A server for the files under `dir` (index.html for directories). Listen on it yourself. */
export function createStaticServer(dir: string, opts: StaticServerOptions = {}): Server {
  return createServer(staticRequestHandler(dir, opts));
}

/** The server's request handler (also mounted by the page's Vite dev server for the Linux routes). */
export function staticRequestHandler(dir: string, opts: StaticServerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const root = resolve(dir);
  const isolation = opts.isolation ?? true;
  return (req, res) => {
    const send = (status: number, text: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...(isolation ? ISOLATION_HEADERS : {}) });
      res.end(req.method === 'HEAD' ? undefined : text + '\n');
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(405, 'method not allowed');
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(400, 'bad request');
    }
    const route = opts.routes?.[path];
    let file: string;
    if (route) {
      const found = route.resolve();
      if (found === undefined || !existsSync(found) || !statSync(found).isFile()) return send(404, `not found: ${route.missing}`);
      file = found;
    } else {
      file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) return send(403, 'forbidden');
      if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
      if (!existsSync(file) || !statSync(file).isFile()) return send(404, 'not found');
    }
    const hashed = !route && file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
      // Vite names assets by content hash: they never change; the HTML always revalidates.
      'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      ...(isolation ? ISOLATION_HEADERS : {}),
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  };
}
