// Portable engine instantiation (no file system): one instance of the compiled engine over a shared memory.
import type { EngineExports } from './engine.js';
import { MachineError } from './errors.js';
import { wallClockTicks } from './wall-clock.js';

/** A function table for one engine instance: compiled blocks (src/machine/jit/) are installed in it. */
export function newEngineTable(): WebAssembly.Table {
  return new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
}

/** Compiles the block headed by decode-cache entry `ep` of `hart` (called by the engine in the middle of run()). */
export type JitCompileHook = (hart: number, ep: number) => void;

/** The engine's imports: the machine's shared memory, this instance's function table and the block compiler hook. */
export function engineImports(memory: WebAssembly.Memory, table: WebAssembly.Table, jitCompile: JitCompileHook = () => {}): WebAssembly.Imports {
  return {
    env: {
      memory,
      table,
      jitCompile,
      hostTicks: wallClockTicks(memory),
      abort: () => {
        throw new MachineError('MACHINE_ENGINE_ERROR', 'engine aborted');
      },
    },
  };
}

/** A new instance of `module` over `memory`; every instance may run any hart of that memory. */
export function instantiateEngineModule(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  table = newEngineTable(),
  jitCompile?: JitCompileHook,
): EngineExports {
  const instance = new WebAssembly.Instance(module, engineImports(memory, table, jitCompile));
  return instance.exports as unknown as EngineExports;
}
