// Node adapter of the machine platform: engine bytes read from build/engine.wasm, hart workers on worker_threads. Installs itself on import.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MachineError } from './errors.js';
import { spawnNodeHartWorker } from './parallel/spawn-node.js';
import { installMachinePlatform, type MachinePlatform } from './platform.js';

/** Where the built engine lives (works from src/machine and dist/machine). */
export const ENGINE_URL = new URL('../../build/engine.wasm', import.meta.url);

let cached: WebAssembly.Module | undefined;

function nodeEngineModule(): WebAssembly.Module {
  if (cached) return cached;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(ENGINE_URL));
  } catch {
    throw new MachineError('MACHINE_NO_ENGINE', `engine not built: ${fileURLToPath(ENGINE_URL)} is missing (run npm run build:wasm)`);
  }
  cached = new WebAssembly.Module(bytes);
  return cached;
}

export const nodePlatform: MachinePlatform = {
  name: 'node',
  engineModule: nodeEngineModule,
  spawnHartWorker: spawnNodeHartWorker,
};

installMachinePlatform(nodePlatform);
