// Runtime data: the static stub ops (ftrace_list_end, ftrace_nop_ops, ftrace_list_ops), the globals the trampoline reads, tohost, per-hart areas and the core's heap.
import type { ResolvedGuestOptions } from '../options.js';
import { MS_SIZE, TP_SIZE } from '../patch-layout.js';
import { PERCPU_SIZE } from '../percpu-layout.js';
import { ringStride } from './boot.js';

function staticOps(name: string, func: string, flags: string): string[] {
  return [
    `\t.globl\t${name}`,
    `\t.type\t${name}, @object`,
    `${name}:`,
    `\t.dword\t${func}, 0, ${flags}, 0\t# func, next, flags, private`,
    `\t.dword\t0, 0, 0, 0\t\t# filter_hash, notrace_hash, trampoline, direct_call`,
    `\t.size\t${name}, FTRACE_OPS_SIZE`,
  ];
}

function word(name: string, value: string): string[] {
  return [`\t.globl\t${name}`, `\t.type\t${name}, @object`, `${name}:`, `\t.dword\t${value}`, `\t.size\t${name}, 8`];
}

function zeroed(name: string, bytes: number, align: number): string[] {
  return [`\t.balign\t${align}`, `\t.globl\t${name}`, `\t.type\t${name}, @object`, `${name}:`, `\t.zero\t${bytes}`, `\t.size\t${name}, ${bytes}`];
}

/**
 * .data (ops structs, pointers), .tohost and .bss (per-hart blocks, stop_machine_data, text_poke_array, stacks, ring
 * buffers, heap); 'symbol' mode: no tohost, no stacks, no patch-protocol data.
 */
export function dataSource(o: ResolvedGuestOptions): string {
  return [
    `\t.data`,
    `\t.balign\t8`,
    ...staticOps('ftrace_list_end', 'ftrace_stub', 'FTRACE_OPS_FL_STUB | FTRACE_OPS_FL_INITIALIZED'),
    ...staticOps('ftrace_nop_ops', 'ftrace_ops_nop_func', 'FTRACE_OPS_FL_STUB'),
    ...staticOps('ftrace_list_ops', 'ftrace_ops_list_func', 'FTRACE_OPS_FL_STUB'),
    ...word('ftrace_ops_list', 'ftrace_list_end'),
    ...word('function_trace_op', 'ftrace_list_end'),
    ...word('ftrace_call_dest', 'ftrace_stub'),
    ...word('ftrace_golden_ratio_64', '0x61c8864680b583eb'),
    ...(o.percpu === 'tp' ? [`\t.section\t.tohost, "aw", @progbits`, `\t.balign\t64`, ...word('tohost', '0'), ...word('fromhost', '0')] : []),
    `\t.bss`,
    ...zeroed('ftrace_percpu', o.harts * PERCPU_SIZE, 64),
    ...(o.percpu === 'tp' ? [...zeroed('stop_machine_data', MS_SIZE, 64), ...zeroed('text_poke_array', TP_SIZE, 16)] : []),
    ...(o.percpu === 'tp' ? zeroed('guest_stacks', o.harts * o.stackSize, 16) : []),
    ...zeroed('ftrace_ring_buffers', o.harts * ringStride(o), 64),
    ...zeroed('ftrace_heap_start', o.heapSize, 4096),
    `\t.globl\tftrace_heap_end`,
    `ftrace_heap_end:`,
    `\t.text`,
  ].join('\n');
}
