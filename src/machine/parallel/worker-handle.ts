// The transport-neutral handle of a started hart worker (the Node and browser spawners both return one).
import type { HartWorkerInit, HartWorkerMessage } from './hart-worker.js';

/** A started hart worker, whatever the transport. */
export interface HartWorkerHandle {
  /** Resolves with the worker's final message. */
  done: Promise<HartWorkerMessage>;
  terminate(): Promise<void>;
}

export type SpawnHartWorker = (init: HartWorkerInit) => HartWorkerHandle;
