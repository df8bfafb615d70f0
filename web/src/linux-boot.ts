// One Linux boot for a host without a terminal (the page's Linux worker): VirtBoard + patch watch, console posted in pieces.
import { bootSummaryLine } from '../../src/board/boot-summary.js';
import { KernelPatchWatch } from '../../src/board/kernel-patch-watch.js';
import { KernelSymbols } from '../../src/board/kernel-symbols.js';
import { formatPatchReport } from '../../src/board/patch-report.js';
import { VirtBoard } from '../../src/board/virt-board.js';
import { formatFault } from '../../src/machine/fault.js';
import type { LinuxBootMessage, LinuxBootRequest } from './linux-protocol.js';

/** Least host time between two progress messages when the console has nothing new. */
const PROGRESS_MS = 50;

/**
 * Boots `req` (its `module` is not used here: the caller installed the platform) and posts progress messages while
 * it runs, then one 'done' or 'failed'. Bad input (a corrupt Image, an ELF firmware) ends in 'failed' with the typed
 * error's code.
 */
export async function runLinuxBoot(req: Omit<LinuxBootRequest, 'module'>, post: (m: LinuxBootMessage) => void): Promise<void> {
  let pending = '';
  try {
    const board = new VirtBoard({
      firmware: req.firmware,
      kernel: req.kernel,
      harts: req.harts,
      mode: req.mode,
      seed: req.seed,
      append: req.append || undefined,
      onConsole: (t) => (pending += t),
    });
    const symbols = req.systemMap ? new KernelSymbols(req.systemMap) : undefined;
    const watch = symbols
      ? new KernelPatchWatch({ machine: board.machine, symbols, image: req.kernel, logAt: board.reservedBase, breakpoints: req.mode === 'deterministic' })
      : undefined;
    const m = board.machine;
    let last = 0;
    const progress = () => {
      m.takeUartOutput(); // polls the UART: new text arrives through onConsole
      const now = performance.now();
      if (!pending && now - last < PROGRESS_MS) return;
      last = now;
      const instructions = m.harts.reduce((sum, h) => sum + Number(h.retired), 0);
      post({ type: 'progress', console: pending, instructions });
      pending = '';
    };
    const r = await board.run({
      maxInsns: req.maxInsns,
      timeoutMs: req.timeoutMs,
      onTick: () => {
        watch?.tick();
        progress();
      },
      onBreakpoint: (h) => watch?.onBreakpoint(h) ?? false,
    });
    watch?.finish();
    m.takeUartOutput();
    const summary = [`ftrace-lab boot: ${bootSummaryLine(r)}`];
    if (r.fault) summary.push(formatFault(r.fault));
    post({
      type: 'done',
      outcome: r.outcome,
      exitCode: r.exitCode,
      instructions: r.instructions,
      harts: r.harts.map((h) => h.instructions),
      hostMs: r.hostMs,
      summary: summary.join('\n'),
      report: watch ? formatPatchReport(watch, req.harts) : undefined,
      console: pending,
    });
  } catch (err) {
    const e = err as { message?: string; code?: string };
    post({ type: 'failed', message: e?.message ?? String(err), ...(typeof e?.code === 'string' ? { code: e.code } : {}), console: pending });
  }
}
