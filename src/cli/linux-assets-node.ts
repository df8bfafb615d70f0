// The files `ftrace-lab serve` offers the page for "Boot Linux": the cached kernel Image, System.map and Debian's OpenSBI.
import { existsSync } from 'node:fs';
import { DEBIAN_FW_JUMP, findCachedKernel } from '../board/kernel-cache.js';
import { LINUX_ASSET_HELP, LINUX_ASSET_PATHS, type LinuxAsset } from '../board/linux-assets.js';
import type { StaticRoute } from './static-server.js';

export interface LinuxAssetFiles {
  /** Linux Image (default: the one `npm run kernel` cached for the current kernel/ inputs). */
  readonly image?: string;
  /** OpenSBI fw_jump.bin (default: Debian's). */
  readonly firmware?: string;
  /** System.map (default: next to the cached Image). */
  readonly systemMap?: string;
}

/**
 * Routes for the static server. Each request looks again (a kernel built while the server runs is served without
 * a restart); a missing file answers 404 with the command that makes it.
 */
export function linuxAssetRoutes(files: LinuxAssetFiles = {}): Record<string, StaticRoute> {
  const pick = (explicit: string | undefined, cached: () => string | undefined) => () => {
    const path = explicit ?? cached();
    return path !== undefined && existsSync(path) ? path : undefined;
  };
  const resolvers: Record<LinuxAsset, () => string | undefined> = {
    image: pick(files.image, () => findCachedKernel()?.image),
    firmware: pick(files.firmware, () => DEBIAN_FW_JUMP),
    systemMap: pick(files.systemMap, () => (files.image ? undefined : findCachedKernel()?.systemMap)),
  };
  const routes: Record<string, StaticRoute> = {};
  for (const k of Object.keys(LINUX_ASSET_PATHS) as LinuxAsset[]) {
    routes[`/${LINUX_ASSET_PATHS[k]}`] = { resolve: resolvers[k], missing: LINUX_ASSET_HELP[k] };
  }
  return routes;
}
