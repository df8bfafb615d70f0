// Browser transport for hart workers: the page creates a module Worker running worker-browser.ts; we post it its init.
import type { HartWorkerMessage } from './hart-worker.js';
import type { SpawnHartWorker } from './worker-handle.js';

/** The parts of a DOM Worker the spawner uses. */
export interface BrowserWorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'error' | 'messageerror', listener: (e: { data?: unknown; message?: string }) => void): void;
  terminate(): void;
}

/**
 * A spawner over `createWorker` (bundlers need the `new Worker(new URL(...), { type: 'module' })` expression in the
 * page's own code, so the page supplies it). The init message carries the compiled module and the shared memory,
 * which structured cloning shares with the worker: nothing is recompiled or copied per hart.
 */
export function browserHartWorkerSpawner(createWorker: (hart: number) => BrowserWorkerLike): SpawnHartWorker {
  return (init) => {
    const worker = createWorker(init.hart);
    const done = new Promise<HartWorkerMessage>((resolve) => {
      worker.addEventListener('message', (e) => resolve(e.data as HartWorkerMessage));
      worker.addEventListener('error', (e) => resolve({ type: 'failed', hart: init.hart, message: e.message || 'the hart worker failed to start' }));
      worker.addEventListener('messageerror', () => resolve({ type: 'failed', hart: init.hart, message: 'the hart worker could not receive its memory (is the page cross-origin isolated?)' }));
    });
    worker.postMessage(init);
    return {
      done,
      terminate: async () => worker.terminate(),
    };
  };
}
