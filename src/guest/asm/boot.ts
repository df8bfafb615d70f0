// Boot code: _start on every hart (tp = per-hart block, sp = per-hart stack, ring buffer header, mtvec), main, exit via tohost.
import type { ResolvedGuestOptions } from '../options.js';
import { ringBufferBytes } from '../ring-buffer-layout.js';
import { asmFunction } from './function.js';

/** Bytes between two harts' ring buffers. */
export function ringStride(o: ResolvedGuestOptions): number {
  return Math.ceil(ringBufferBytes(o.ringEvents) / 64) * 64;
}

/**
 * _start: harts >= o.harts park; hart 0 calls main and exits with its result; the others call the secondary entry
 * and then sit in guest_idle. Configured harts run with machine software interrupts enabled (the patch protocols'
 * IPIs), the per-CPU block in mscratch for the trap vector.
 */
export function bootSource(o: ResolvedGuestOptions): string {
  const secondary = o.secondarySymbol ? [`\tcall\t${o.secondarySymbol}\t\t# a0 = hart id`] : [];
  return [
    asmFunction('_start', [
      `\tcsrr\ta0, mhartid`,
      `\tli\tt0, ${o.harts}`,
      `\tbgeu\ta0, t0, .Lboot_park\t\t# not a configured hart`,
      `\tla\ttp, ftrace_percpu`,
      `\tslli\tt0, a0, PERCPU_SHIFT`,
      `\tadd\ttp, tp, t0\t\t\t# tp = &ftrace_percpu[hart]`,
      `\tla\tsp, guest_stacks`,
      `\taddi\tt0, a0, 1`,
      `\tli\tt1, ${o.stackSize}`,
      `\tmul\tt0, t0, t1`,
      `\tadd\tsp, sp, t0\t\t\t# top of this hart's stack`,
      `\tsd\ta0, PERCPU_HART_ID(tp)`,
      `\tsd\tzero, PERCPU_RECURSION(tp)`,
      `\tsd\tzero, PERCPU_RECURSION_MISSED(tp)`,
      `\tsd\tsp, PERCPU_STACK_TOP(tp)`,
      `\tla\tt0, ftrace_ring_buffers`,
      `\tli\tt1, ${ringStride(o)}`,
      `\tmul\tt1, a0, t1`,
      `\tadd\tt0, t0, t1\t\t\t# this hart's ring buffer header`,
      `\tsd\tzero, RB_HEAD(t0)`,
      `\tsd\tzero, RB_TAIL(t0)`,
      `\tsd\tzero, RB_LOST(t0)`,
      `\tli\tt1, ${o.ringEvents}`,
      `\tsd\tt1, RB_SIZE(t0)`,
      `\taddi\tt1, t0, RB_HEADER_SIZE`,
      `\tsd\tt1, RB_DATA(t0)`,
      `\tsd\ta0, RB_HART(t0)`,
      `\tsd\tt0, PERCPU_RING_BUFFER(tp)`,
      `\tcsrw\tmscratch, tp\t\t# the trap vector finds the per-CPU block here`,
      `\tla\tt0, guest_trap_vector`,
      `\tcsrw\tmtvec, t0`,
      `\tli\tt0, 8`,
      `\tcsrs\tmie, t0\t\t\t# MSIE: IPIs from the patch protocols`,
      `\tcsrsi\tmstatus, 8\t\t# MIE`,
      `\tbnez\ta0, .Lboot_secondary`,
      `\tcall\t${o.mainSymbol}`,
      `\tj\tguest_exit`,
      `.Lboot_secondary:`,
      ...secondary,
      `\tj\tguest_idle`,
      `.Lboot_park:`,
      `\twfi\t\t\t\t# not a configured hart: interrupts stay off`,
      `\tj\t.Lboot_park`,
    ]),
    asmFunction('guest_idle', [
      `\tli\tt0, 1`,
      `\tsd\tt0, PERCPU_IN_IDLE(tp)\t# idle is a quiescent state (RCU-tasks)`,
      `1:`,
      `\twfi\t\t\t\t# IPIs are taken here`,
      `\tj\t1b`,
    ]),
    asmFunction('guest_exit', [
      `\tslli\ta0, a0, 1`,
      `\tori\ta0, a0, 1\t\t\t# HTIF: (code << 1) | 1`,
      `\tla\tt0, tohost`,
      `\tsd\ta0, 0(t0)`,
      `1:`,
      `\tj\t1b`,
    ]),
  ].join('\n');
}
