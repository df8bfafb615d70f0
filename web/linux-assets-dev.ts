// Vite plugin: the dev and preview servers (npm run web, vite preview) serve the page's Linux files as ftrace-lab serve does.
import type { Connect, Plugin } from 'vite';
import { linuxAssetRoutes } from '../src/cli/linux-assets-node.js';
import { staticRequestHandler } from '../src/cli/static-server.js';

/** Answers linux/Image, linux/fw_jump.bin and linux/System.map from the kernel cache; everything else goes on to Vite. */
export function linuxAssetsMiddleware(routes = linuxAssetRoutes()): Connect.NextHandleFunction {
  const handle = staticRequestHandler('/nonexistent', { isolation: true, routes });
  return (req, res, next) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return next();
    }
    if (routes[path]) handle(req, res);
    else next();
  };
}

export function linuxAssets(): Plugin {
  return {
    name: 'ftrace-lab:linux-assets',
    configureServer(server) {
      server.middlewares.use(linuxAssetsMiddleware());
    },
    configurePreviewServer(server) {
      server.middlewares.use(linuxAssetsMiddleware());
    },
  };
}
