// Node transport for hart workers: spawns worker-node.js with worker_threads (the browser gets its own spawner).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MachineError } from '../errors.js';
import type { HartWorkerMessage } from './hart-worker.js';
import type { SpawnHartWorker } from './worker-handle.js';

export type { HartWorkerHandle, SpawnHartWorker } from './worker-handle.js';

/** The compiled worker entry: next to this module in dist/, or dist/ when running from the TypeScript sources. */
export function nodeWorkerUrl(): URL {
  const here = new URL('./worker-node.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL(here.href.replace('/src/machine/parallel/', '/dist/machine/parallel/'));
  if (existsSync(fileURLToPath(built))) return built;
  throw new MachineError('MACHINE_NO_ENGINE', `hart worker not built: ${fileURLToPath(built)} is missing (run npm run build)`);
}

export const spawnNodeHartWorker: SpawnHartWorker = (init) => {
  const worker = new Worker(nodeWorkerUrl(), { workerData: init });
  const done = new Promise<HartWorkerMessage>((resolve) => {
    let settled = false;
    worker.once('message', (m: HartWorkerMessage) => {
      settled = true;
      resolve(m);
    });
    worker.once('error', (err) => {
      if (!settled) resolve({ type: 'failed', hart: init.hart, message: err.stack ?? String(err) });
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) resolve({ type: 'failed', hart: init.hart, message: `worker exited with code ${code}` });
      settled = true;
    });
  });
  return {
    done,
    terminate: async () => {
      await worker.terminate();
    },
  };
};
