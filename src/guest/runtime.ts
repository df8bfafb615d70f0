// buildGuestRuntime: the whole ftrace guest runtime (boot, trap vector, trampolines, list func, tracers, data) as one assembly text.
import { equatesSource } from './asm/equates.js';
import { bootSource } from './asm/boot.js';
import { dataSource } from './asm/data.js';
import { schemeDescriptor } from '../ftrace/schemes/registry.js';
import { assistFuncSource, ftraceOpsTestSource, listFuncSource, stubsSource } from './asm/list-func.js';
import { countTracerSource, functionTracerSource } from './asm/tracers.js';
import { fgraphSource } from './asm/fgraph.js';
import { hostCallSource } from './asm/host-call.js';
import { ipiHandlerSource, multiCpuStopSource } from './asm/ipi.js';
import { textPokeBpSource } from './asm/text-poke-bp.js';
import { trapSource, trapStringsSource, uartSource } from './asm/trap.js';
import { resolveGuestOptions, type GuestRuntimeOptions } from './options.js';

/**
 * Assembly text of the runtime. Assemble it together with a workload that defines the main symbol (default `main`),
 * e.g. `assemble(buildGuestRuntime(opts) + '\n' + kernel.source)`. The workload must leave `tp` alone (unless percpu is
 * 'symbol': then the runtime is only trampolines, tracers and data, and the host sets up the per-CPU block and buffer).
 */
export function buildGuestRuntime(opts: GuestRuntimeOptions): string {
  const o = resolveGuestOptions(opts);
  const scheme = schemeDescriptor(o.scheme);
  return [
    `# ftrace-lab guest runtime: scheme=${o.scheme} harts=${o.harts} buffer_size_kb=${o.bufferSizeKb} (${o.ringEvents} events/hart)`,
    equatesSource(),
    `\t.text`,
    o.percpu === 'tp' ? bootSource(o) : '',
    scheme.guestSource(o),
    stubsSource(),
    listFuncSource(o.percpu, scheme.listFuncRegs),
    ftraceOpsTestSource(),
    assistFuncSource(o.percpu),
    functionTracerSource(o.percpu),
    countTracerSource(),
    fgraphSource(o.percpu, o.harts),
    hostCallSource(o.percpu),
    ...(o.percpu === 'tp'
      ? [`\t.balign\t4`, trapSource(), ipiHandlerSource(), multiCpuStopSource(), textPokeBpSource(), uartSource(), trapStringsSource()]
      : []),
    dataSource(o),
    '',
  ].join('\n');
}
