// The engine as the host calls it: its exports, and instantiation over a machine's shared memory (the compiled module comes from the platform).
import { instantiateEngineModule, type JitCompileHook, newEngineTable } from './engine-instance.js';
import { machinePlatform } from './platform.js';

/** The functions assembly/index.ts exports. */
export interface EngineExports {
  init(nharts: number, ramSize: bigint): void;
  resetHart(hart: number, pc: bigint): void;
  run(hart: number, budget: number): number;
  /** Runs the decisions the host wrote at SCHED_BATCH_BASE back to back; returns how many ran (layout.ts). */
  runBatch(n: number): number;
  flushIcache(hart: number): void;
  flushTlb(hart: number): void;
  csrGet(hart: number, num: number): number;
  csrResult(): bigint;
  csrSet(hart: number, num: number, value: bigint): number;
}

/** The compiled engine module of the installed platform (compiled once, shared by every machine and worker). */
export function engineModule(): WebAssembly.Module {
  return machinePlatform().engineModule();
}

/** A new engine instance over memory (every instance may run any hart of that memory), with its own function table. */
export function instantiateEngine(memory: WebAssembly.Memory, table = newEngineTable(), jitCompile?: JitCompileHook): EngineExports {
  return instantiateEngineModule(engineModule(), memory, table, jitCompile);
}
