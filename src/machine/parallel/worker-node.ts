// Node adapter for a hart worker (worker_threads): the only Node-specific part of a hart worker.
import { parentPort, workerData } from 'node:worker_threads';
import { type HartWorkerInit, hartWorkerMain } from './hart-worker.js';

hartWorkerMain(workerData as HartWorkerInit, (m) => parentPort!.postMessage(m));
