// Vite/Rollup plugin that fails the browser build on any import of a Node built-in (node:fs, worker_threads, ...).
import { builtinModules } from 'node:module';
import type { Plugin } from 'vite';

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Browser code reaches Node-only features through a platform adapter, never by import: this makes that a build error. */
export function noNodeBuiltins(): Plugin {
  return {
    name: 'ftrace-lab:no-node-builtins',
    enforce: 'pre',
    resolveId(id, importer) {
      if (id.startsWith('node:') || BUILTINS.has(id)) {
        this.error(`${importer ?? 'the entry'} imports the Node built-in '${id}': browser code must use a platform adapter (src/machine/platform-browser.ts)`);
      }
      return null;
    },
  };
}
