// Portable body of a hart worker: instantiate the engine on the shared memory and run one hart's loop.
import { instantiateEngineModule } from '../engine-instance.js';
import { type HartLoopResult, runHartLoop } from './hart-loop.js';

/** What the main thread sends each hart worker when it starts. */
export interface HartWorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  hart: number;
  slice: number;
}

/** Messages a hart worker posts back. */
export type HartWorkerMessage =
  | { type: 'done'; result: HartLoopResult }
  | { type: 'failed'; hart: number; message: string };

/** Runs the hart described by `init` and reports through `post` (adapters supply the transport). */
export function hartWorkerMain(init: HartWorkerInit, post: (m: HartWorkerMessage) => void): void {
  try {
    const engine = instantiateEngineModule(init.module, init.memory);
    const result = runHartLoop(engine, init.memory, { hart: init.hart, slice: init.slice });
    post({ type: 'done', result });
  } catch (err) {
    post({ type: 'failed', hart: init.hart, message: (err as Error)?.stack ?? String(err) });
  }
}
