// The runtime's symbol names and their addresses in an assembled program, as the ftrace core's GuestRuntimeSymbols map.
import type { GuestRuntimeSymbols } from '../ftrace/runtime-symbols.js';
import { GuestRuntimeError } from './errors.js';
import type { PercpuAccess } from './options.js';

/** Code symbols the runtime defines. */
export const RUNTIME_CODE_SYMBOLS = [
  'ftrace_caller', 'ftrace_stub', 'ftrace_ops_nop_func', 'ops_func_nop', 'ftrace_ops_list_func',
  'ftrace_ops_test', 'ftrace_ops_assist_func', 'function_tracer_func', 'count_tracer_func',
  '_start', 'guest_exit', 'guest_trap_vector', 'guest_putc', 'guest_puts', 'guest_puthex',
  'guest_idle', 'guest_trap_return', 'guest_unexpected_trap', 'ipi_handler', 'multi_cpu_stop', 'text_poke_bp_handler',
] as const;

/** Data symbols the runtime defines. */
export const RUNTIME_DATA_SYMBOLS = [
  'ftrace_list_end', 'ftrace_nop_ops', 'ftrace_list_ops', 'ftrace_ops_list', 'function_trace_op', 'ftrace_call_dest',
  'tohost', 'fromhost', 'ftrace_percpu', 'guest_stacks', 'ftrace_ring_buffers', 'ftrace_heap_start', 'ftrace_heap_end',
  'stop_machine_data', 'text_poke_array',
] as const;

/** Boot, trap, IPI/stop_machine/breakpoint and HTIF symbols a runtime built with percpu 'symbol' does not have. */
export const RUNTIME_BOOT_SYMBOLS: readonly string[] = [
  '_start', 'guest_exit', 'guest_trap_vector', 'guest_putc', 'guest_puts', 'guest_puthex', 'tohost', 'fromhost', 'guest_stacks',
  'guest_idle', 'guest_trap_return', 'guest_unexpected_trap', 'ipi_handler', 'multi_cpu_stop', 'text_poke_bp_handler',
  'stop_machine_data', 'text_poke_array',
];

/** Present only when built with directCalls (the default) and a scheme that has them. */
export const RUNTIME_DIRECT_SYMBOLS = ['ftrace_caller_direct', 'ftrace_stub_direct_tramp', 'call_direct_funcs'] as const;

/** Present only with some schemes: the direct-call exits, the pre-6.16 regs caller and its patched calls, the scheme's own code. */
export const RUNTIME_SCHEME_SYMBOLS: readonly string[] = [
  ...RUNTIME_DIRECT_SYMBOLS, 'ftrace_regs_caller', 'ftrace_call', 'ftrace_regs_call', 'ftrace_tramp_window', 'ftrace_tramp_window_end', 'ftrace_hotpatch_stage3',
];

/** function_graph's symbols (asm/fgraph.ts), added when present. */
export const RUNTIME_FGRAPH_SYMBOLS = [
  'ftrace_graph_func', 'ftrace_return_to_handler', 'return_to_handler', 'ftrace_graph_panic', 'ftrace_graph_control', 'ftrace_graph_stacks',
  'ftrace_host_event_func', 'ftrace_host_call_func',
] as const;

export type RuntimeSymbolName = (typeof RUNTIME_CODE_SYMBOLS)[number] | (typeof RUNTIME_DATA_SYMBOLS)[number];

/**
 * The runtime's symbols (plus the optional direct-call ones when present; without the boot ones for percpu 'symbol')
 * from an assembled program's symbol table;
 * GUEST_MISSING_SYMBOL if the program was not built with buildGuestRuntime.
 */
export function guestRuntimeSymbols(
  program: { readonly symbols: readonly { readonly name: string; readonly value: number }[] },
  percpu: PercpuAccess = 'tp',
): GuestRuntimeSymbols & Record<RuntimeSymbolName, number> {
  const byName = new Map(program.symbols.map((s) => [s.name, s.value]));
  const out: Record<string, number> = {};
  const missing: string[] = [];
  for (const name of [...RUNTIME_CODE_SYMBOLS, ...RUNTIME_DATA_SYMBOLS]) {
    const v = byName.get(name);
    if (v === undefined) {
      if (!(percpu === 'symbol' && RUNTIME_BOOT_SYMBOLS.includes(name))) missing.push(name);
    }
    else out[name] = v;
  }
  if (missing.length) throw new GuestRuntimeError('GUEST_MISSING_SYMBOL', `program lacks guest runtime symbols: ${missing.join(', ')}`);
  for (const name of [...RUNTIME_SCHEME_SYMBOLS, ...RUNTIME_FGRAPH_SYMBOLS]) {
    const v = byName.get(name);
    if (v !== undefined) out[name] = v;
  }
  return out as GuestRuntimeSymbols & Record<RuntimeSymbolName, number>;
}
