// Debian's Chromium driven by playwright-core (never a downloaded browser), and the built page served with or without COOP/COEP.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { linuxAssetRoutes } from '../../src/cli/linux-assets-node.js';
import { createStaticServer, type StaticRoute } from '../../src/cli/static-server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SITE_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));
/** Screenshots and measurements the browser tests keep (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/web/', import.meta.url));

/** The flags the project runs Chromium with (headless, no sandbox as root, no GPU, no background network). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

export function haveSite(): boolean {
  return existsSync(join(SITE_DIR, 'index.html'));
}

/** A headless Chromium with a fresh user-data-dir; close() removes it. */
export async function launchChromium(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'ftrace-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Serves web/dist on a free localhost port; `isolation: false` leaves out COOP/COEP. The Linux files are served as
 * `ftrace-lab serve` serves them (from the kernel cache) unless `routes` replaces them.
 */
export async function serveSite(isolation: boolean, routes: Readonly<Record<string, StaticRoute>> = linuxAssetRoutes()): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createStaticServer(SITE_DIR, { isolation, routes });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
