// Messages between the page and the Linux worker (the kernel boots off the main thread; the console streams back).
import type { BootOutcome } from '../../src/board/virt-board.js';
import type { MachineMode } from '../../src/machine/machine.js';

export interface LinuxBootRequest {
  readonly module: WebAssembly.Module;
  readonly kernel: Uint8Array;
  readonly firmware: Uint8Array;
  /** The kernel's System.map: with it the worker watches the kernel text and reports its own patching. */
  readonly systemMap?: string;
  readonly harts: number;
  readonly mode: MachineMode;
  readonly seed: number;
  /** Added to the kernel command line 'console=ttyS0' (the lab's init reads lab_calls=, lab_cpus=, ...). */
  readonly append: string;
  readonly maxInsns: number;
  readonly timeoutMs: number;
}

export type LinuxBootMessage =
  /** Console output since the last message, and the instructions all harts have retired so far. */
  | { readonly type: 'progress'; readonly console: string; readonly instructions: number }
  | {
      readonly type: 'done';
      readonly outcome: BootOutcome;
      readonly exitCode: number;
      readonly instructions: number;
      readonly harts: readonly number[];
      /** Host time of the run, from the first instruction to the end (what `ftrace-lab boot` reports). */
      readonly hostMs: number;
      /** The boot verb's closing line (outcome, instructions per hart, host seconds), fault report included. */
      readonly summary: string;
      /** The boot verb's patch report (undefined without a System.map). */
      readonly report?: string;
      /** Console output not sent yet. */
      readonly console: string;
    }
  | { readonly type: 'failed'; readonly message: string; readonly code?: string; readonly console: string };
