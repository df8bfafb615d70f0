// Vite config of the page (web/): cross-origin isolation headers on the dev and preview servers, a static build in web/dist.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { linuxAssets } from './linux-assets-dev.js';
import { noNodeBuiltins } from './no-node-builtins.js';

/** The two headers that make the page cross-origin isolated (SharedArrayBuffer, shared Wasm memory in workers). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  base: './',
  clearScreen: false,
  plugins: [noNodeBuiltins(), linuxAssets()],
  worker: { format: 'es', plugins: () => [noNodeBuiltins()] },
  server: { headers: ISOLATION_HEADERS, fs: { allow: [repo] } },
  preview: { headers: ISOLATION_HEADERS },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
});
