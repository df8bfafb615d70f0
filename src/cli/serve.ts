// `ftrace-lab serve`: serves the built page (web/dist) on localhost with the cross-origin isolation headers.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT_DATAERR, EXIT_USAGE } from './exit-codes.js';
import { DEBIAN_FW_JUMP } from '../board/kernel-cache.js';
import { LINUX_ASSET_PATHS } from '../board/linux-assets.js';
import { type LinuxAssetFiles, linuxAssetRoutes } from './linux-assets-node.js';
import { createStaticServer, type StaticRoute } from './static-server.js';
import { ArgCursor, parseIntArg, VerbUsageError } from './verb-args.js';

export const SERVE_USAGE = `usage: ftrace-lab serve [--port P] [--host H] [--dir DIR] [--no-isolation]
                       [--kernel Image] [--bios fw_jump.bin] [--system-map FILE]

Serves the browser page built by 'npm run build:web' (web/dist) with the headers
Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, so the harts run
in parallel Web Workers on one shared memory. Open the printed URL in Chromium; Ctrl-C stops the server.

  --port P          TCP port (default 8080; 0 picks a free one)
  --host H          address to listen on (default 127.0.0.1)
  --dir DIR         serve another build directory (default: the package's web/dist)
  --no-isolation    leave the two headers out (shows the page's single-thread fallback)

The page's "Boot Linux" panel fetches linux/Image, linux/fw_jump.bin and linux/System.map from this server:
by default the kernel 'npm run kernel' built and cached for the current kernel/ inputs and Debian's OpenSBI
(${DEBIAN_FW_JUMP}), looked up on every request (a kernel built while the server runs is served).
  --kernel FILE     serve this Linux Image instead
  --bios FILE       serve this OpenSBI fw_jump.bin instead
  --system-map FILE serve this System.map (for the patch report) instead`;

export interface ServeArgs {
  port: number;
  host: string;
  dir: string;
  isolation: boolean;
  linux: LinuxAssetFiles;
}

/** The page's build directory inside this package (works from src/cli and dist/cli). */
export const DEFAULT_SITE_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export function parseServeArgs(argv: readonly string[]): ServeArgs | 'help' {
  const a: ServeArgs = { port: 8080, host: '127.0.0.1', dir: DEFAULT_SITE_DIR, isolation: true, linux: {} };
  const c = new ArgCursor(argv);
  for (let w = c.next(); w !== undefined; w = c.next()) {
    if (w === '-h' || w === '--help') return 'help';
    else if (w === '--port' || w === '-p') a.port = parseIntArg(c.value(w), w, 0, 65535);
    else if (w === '--host') a.host = c.value(w);
    else if (w === '--dir') a.dir = c.value(w);
    else if (w === '--no-isolation') a.isolation = false;
    else if (w === '--kernel') a.linux = { ...a.linux, image: c.value(w) };
    else if (w === '--bios') a.linux = { ...a.linux, firmware: c.value(w) };
    else if (w === '--system-map') a.linux = { ...a.linux, systemMap: c.value(w) };
    else throw new VerbUsageError(`unknown argument '${w}'`);
  }
  return a;
}

export async function main(argv: string[]): Promise<number> {
  let a: ServeArgs | 'help';
  try {
    a = parseServeArgs(argv);
  } catch (err) {
    if (err instanceof VerbUsageError) {
      process.stderr.write(`ftrace-lab serve: ${err.message}\n${SERVE_USAGE}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  if (a === 'help') {
    process.stdout.write(SERVE_USAGE + '\n');
    return 0;
  }
  if (!existsSync(`${a.dir}/index.html`)) {
    process.stderr.write(`ftrace-lab serve: no page in ${a.dir} (build it with: npm run build:web)\n`);
    return EXIT_DATAERR;
  }
  const routes = linuxAssetRoutes(a.linux);
  const server = createStaticServer(a.dir, { isolation: a.isolation, routes });
  const args = a;
  return new Promise<number>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      process.stderr.write(`ftrace-lab serve: cannot listen on ${args.host}:${args.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use (pick another with --port)' : err.message}\n`);
      resolve(EXIT_USAGE);
    });
    server.listen(args.port, args.host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : args.port;
      const host = args.host.includes(':') ? `[${args.host}]` : args.host;
      process.stdout.write(
        `ftrace-lab: serving ${args.dir} at http://${host}:${port}/ ` +
          (args.isolation ? '(cross-origin isolated: COOP same-origin, COEP require-corp)' : '(without the isolation headers)') +
          '; Ctrl-C stops\n',
      );
      process.stdout.write(`ftrace-lab: Boot Linux in the page: ${linuxAssetsLine(routes)}\n`);
      const stop = () => {
        server.close(() => resolve(0));
        server.closeAllConnections();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });
}

/** One line about what the page's "Boot Linux" panel will find (the files served, or what is missing and why). */
export function linuxAssetsLine(routes: Readonly<Record<string, StaticRoute>>): string {
  const image = routes[`/${LINUX_ASSET_PATHS.image}`]!;
  const firmware = routes[`/${LINUX_ASSET_PATHS.firmware}`]!;
  const missing = [image, firmware].filter((r) => r.resolve() === undefined).map((r) => r.missing);
  if (missing.length) return `not ready (${missing.join('; ')})`;
  return `kernel ${image.resolve()}, firmware ${firmware.resolve()}`;
}
