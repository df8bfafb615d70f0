// buildGuestRuntime: the whole ftrace guest runtime (boot, trap vector, trampolines, list func, tracers, data) as one assembly text.
import { equatesSource } from './asm/equates.js';
import { bootSource } from './asm/boot.js';
import { dataSource } from './asm/data.js';
import { trampolinesSource } from './asm/ftrace-caller.js';
import { assistFuncSource, ftraceOpsTestSource, listFuncSource, stubsSource } from './asm/list-func.js';
import { countTracerSource, functionTracerSource } from './asm/tracers.js';
import { trapSource, trapStringsSource, uartSource } from './asm/trap.js';
import { resolveGuestOptions, type GuestRuntimeOptions } from './options.js';

/**
 * Assembly text of the runtime. Assemble it together with a workload that defines the main symbol (default `main`),
 * e.g. `assemble(buildGuestRuntime(opts) + '\n' + kernel.source)`. The workload must leave `tp` alone.
 */
export function buildGuestRuntime(opts: GuestRuntimeOptions): string {
  const o = resolveGuestOptions(opts);
  return [
    `# ftrace-lab guest runtime: scheme=${o.scheme} harts=${o.harts} buffer_size_kb=${o.bufferSizeKb} (${o.ringEvents} events/hart)`,
    equatesSource(),
    `\t.text`,
    bootSource(o),
    trampolinesSource(o),
    stubsSource(),
    listFuncSource(),
    ftraceOpsTestSource(),
    assistFuncSource(),
    functionTracerSource(),
    countTracerSource(),
    `\t.balign\t4`,
    trapSource(),
    uartSource(),
    trapStringsSource(),
    dataSource(o),
    '',
  ].join('\n');
}
