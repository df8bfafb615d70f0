// Node adapter for a hart worker (worker_threads): the only Node-specific part of a hart worker.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { type HartWorkerInit, hartWorkerMain } from './hart-worker.js';

/** Nice value of hart threads: below the host thread (the patcher and the trace drainer), which has work to finish. */
export const HART_THREAD_NICE = 10;

/**
 * When harts outnumber cores, a hart thread must not take the core from the host thread while it patches: give this
 * thread a lower OS priority (Linux: setpriority on the thread id from /proc/thread-self). Elsewhere, or when not
 * permitted, the thread keeps the default priority.
 */
function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, HART_THREAD_NICE);
  } catch {
    // not Linux, or no permission: the default priority is kept
  }
}

lowerThreadPriority();
hartWorkerMain(workerData as HartWorkerInit, (m) => parentPort!.postMessage(m));
