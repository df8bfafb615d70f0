// Where generated kernel functions go: the interface shared by the assembly-text builder and the machine-code encoder.
import type { SiteLayout } from '../ftrace/site-layout.js';
import type { KernelInsn } from './kernel-insn.js';

export interface KernelSink {
  readonly layout: SiteLayout;
  /** A function with the layout's patch area (traceable). */
  addFunction(name: string, body: readonly KernelInsn[]): void;
  /** A function without patch area (notrace). */
  addNotraceFunction(name: string, body: readonly KernelInsn[]): void;
}
