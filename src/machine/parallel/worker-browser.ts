// Browser adapter for a hart worker (a dedicated module Web Worker): the first message is its HartWorkerInit.
import { type HartWorkerInit, hartWorkerMain } from './hart-worker.js';

/** The parts of a dedicated worker's global scope this adapter uses (no WebWorker lib needed). */
interface HartWorkerScope {
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void, options?: { once?: boolean }): void;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as HartWorkerScope;
scope.addEventListener('message', (e) => hartWorkerMain(e.data as HartWorkerInit, (m) => scope.postMessage(m)), { once: true });
