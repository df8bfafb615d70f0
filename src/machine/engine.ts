// Engine loader: compiles build/engine.wasm once and instantiates it over a machine's shared memory.
import { readFileSync } from 'node:fs';
import { instantiateEngineModule } from './engine-instance.js';
import { MachineError } from './errors.js';

/** The functions assembly/index.ts exports. */
export interface EngineExports {
  init(nharts: number, ramSize: bigint): void;
  resetHart(hart: number, pc: bigint): void;
  run(hart: number, budget: number): number;
  flushIcache(hart: number): void;
  csrGet(hart: number, num: number): number;
  csrResult(): bigint;
  csrSet(hart: number, num: number, value: bigint): number;
}

let cached: WebAssembly.Module | undefined;

/** Where the built engine lives (works from src/machine and dist/machine). */
export const ENGINE_URL = new URL('../../build/engine.wasm', import.meta.url);

/** The compiled engine module (compiled on first use, then shared by every machine and worker). */
export function engineModule(): WebAssembly.Module {
  if (cached) return cached;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(ENGINE_URL));
  } catch {
    throw new MachineError('MACHINE_NO_ENGINE', `engine not built: ${ENGINE_URL.pathname} is missing (run npm run build:wasm)`);
  }
  cached = new WebAssembly.Module(bytes);
  return cached;
}

/** A new engine instance over memory (every instance may run any hart of that memory). */
export function instantiateEngine(memory: WebAssembly.Memory): EngineExports {
  return instantiateEngineModule(engineModule(), memory);
}
