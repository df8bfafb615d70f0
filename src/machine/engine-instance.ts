// Portable engine instantiation (no file system): one instance of the compiled engine over a shared memory.
import type { EngineExports } from './engine.js';
import { MachineError } from './errors.js';
import { wallClockTicks } from './wall-clock.js';

/** A new instance of `module` over `memory`; every instance may run any hart of that memory. */
export function instantiateEngineModule(module: WebAssembly.Module, memory: WebAssembly.Memory): EngineExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      hostTicks: wallClockTicks(memory),
      abort: () => {
        throw new MachineError('MACHINE_ENGINE_ERROR', 'engine aborted');
      },
    },
  });
  return instance.exports as unknown as EngineExports;
}
