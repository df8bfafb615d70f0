// vitest setup: tests run in Node, so every test file gets the Node machine platform (engine file, worker_threads).
import '../src/machine/platform-node.js';
