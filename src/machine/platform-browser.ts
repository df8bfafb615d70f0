// Browser adapter of the machine platform: the engine fetched once and compiled with compileStreaming, hart workers as module Web Workers.
import { MachineError } from './errors.js';
import { browserHartWorkerSpawner, type BrowserWorkerLike } from './parallel/spawn-browser.js';
import type { SpawnHartWorker } from './parallel/worker-handle.js';
import { installMachinePlatform, type MachinePlatform } from './platform.js';

export interface BrowserPlatformOptions {
  /** URL of engine.wasm (served as application/wasm). */
  readonly engineUrl: string | URL;
  /** Creates one hart worker (a module Worker whose entry imports src/machine/parallel/worker-browser.ts). */
  readonly createWorker?: (hart: number) => BrowserWorkerLike;
}

/** Fetches and compiles the engine with WebAssembly.compileStreaming (one fetch, one compile). */
export async function compileEngineStreaming(engineUrl: string | URL): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compileStreaming(fetch(engineUrl));
  } catch (err) {
    throw new MachineError('MACHINE_NO_ENGINE', `cannot load the engine from ${String(engineUrl)}: ${(err as Error)?.message ?? String(err)}`);
  }
}

const noWorkers: SpawnHartWorker = () => {
  throw new MachineError('MACHINE_BAD_OPTION', 'parallel mode needs hart workers, which this context cannot start: use deterministic mode');
};

/** Installs a platform over an already compiled engine (e.g. one posted to a worker by the page). */
export function installModulePlatform(module: WebAssembly.Module, createWorker?: (hart: number) => BrowserWorkerLike): MachinePlatform {
  const platform: MachinePlatform = {
    name: 'browser',
    engineModule: () => module,
    spawnHartWorker: createWorker ? browserHartWorkerSpawner(createWorker) : noWorkers,
  };
  installMachinePlatform(platform);
  return platform;
}

/** Loads the engine and installs the browser platform; every Machine/Lab created afterwards uses it. */
export async function loadBrowserPlatform(opts: BrowserPlatformOptions): Promise<{ platform: MachinePlatform; module: WebAssembly.Module }> {
  const module = await compileEngineStreaming(opts.engineUrl);
  return { platform: installModulePlatform(module, opts.createWorker), module };
}
