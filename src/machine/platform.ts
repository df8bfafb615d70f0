// Where the host-specific pieces plug in: how the compiled engine is obtained and how a hart worker starts (Node or browser adapter).
import { MachineError } from './errors.js';
import type { SpawnHartWorker } from './parallel/worker-handle.js';

/**
 * What differs between hosts. The machine core never imports Node or browser APIs; an adapter installs one of these
 * (src/machine/platform-node.ts on import, or loadBrowserPlatform() from src/machine/platform-browser.ts).
 */
export interface MachinePlatform {
  /** 'node', 'browser', ... (for messages and tests). */
  readonly name: string;
  /** The compiled engine: compiled once, shared by every machine and every hart worker. */
  engineModule(): WebAssembly.Module;
  /** Starts one hart worker (parallel mode). */
  readonly spawnHartWorker: SpawnHartWorker;
}

let current: MachinePlatform | undefined;

/** Makes `platform` the one every machine created from now on uses. */
export function installMachinePlatform(platform: MachinePlatform): void {
  current = platform;
}

/** The installed platform (MACHINE_NO_ENGINE when no adapter was installed). */
export function machinePlatform(): MachinePlatform {
  if (!current) {
    throw new MachineError(
      'MACHINE_NO_ENGINE',
      "no machine platform installed: in Node import 'ftrace-lab' (or src/machine/platform-node.js); in a browser await loadBrowserPlatform() first",
    );
  }
  return current;
}

/** The installed platform, or undefined (lets an adapter install itself only once). */
export function installedMachinePlatform(): MachinePlatform | undefined {
  return current;
}
