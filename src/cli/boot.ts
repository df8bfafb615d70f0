// `ftrace-lab boot`: boots Linux with OpenSBI on the QEMU-virt board, console on stdin/stdout, then the patch report.
import { existsSync, readFileSync } from 'node:fs';
import { findCachedKernel, DEBIAN_FW_JUMP } from '../board/kernel-cache.js';
import { KernelSymbols } from '../board/kernel-symbols.js';
import { KernelPatchWatch } from '../board/kernel-patch-watch.js';
import { formatPatchReport, patchReportJson } from '../board/patch-report.js';
import { bootSummaryLine } from '../board/boot-summary.js';
import { BoardError } from '../board/errors.js';
import { type BootResult, VirtBoard } from '../board/virt-board.js';
import { formatFault } from '../machine/fault.js';
import type { MachineMode } from '../machine/machine.js';
import { parseCount, parseSize } from './run.js';
import { ArgCursor, parseChoice, parseIntArg, VerbUsageError } from './verb-args.js';
import { EXIT_BUDGET, EXIT_GUEST_FAULT } from './exit-codes.js';
import { verbMain } from './verb-main.js';

export const BOOT_USAGE = `usage: ftrace-lab boot [--kernel Image] [--bios fw_jump.bin] [--harts N] [--mode deterministic|parallel]
                      [--seed S] [--append ARGS] [--initrd FILE] [--dtb FILE] [--ram 256M] [--system-map FILE]
                      [--no-watch] [--max-insns N] [--timeout SECONDS] [--json] [--stats]

Boots a RISC-V Linux kernel with OpenSBI on the lab's QEMU-virt-compatible board (RAM at 0x80000000, CLINT, PLIC,
16550 UART, sifive,test). Every hart starts the firmware at 0x80000000 in M-mode with a0 = hartid, a1 = the device
tree; fw_jump enters the Image at 0x80200000 in S-mode. The guest's console is stdin/stdout.

  --kernel FILE     Linux Image (default: the one 'npm run kernel' built and cached for the current kernel/ inputs)
  --bios FILE       OpenSBI fw_jump.bin (default: Debian's ${DEBIAN_FW_JUMP})
  --harts N         harts (1..8, default 1)
  --mode M          deterministic (default: seeded schedule in one thread; exact multi_cpu_stop times) or parallel
                    (one worker per hart)
  --seed S          seed of the deterministic schedule (default 0)
  --append ARGS     added to the kernel command line 'console=ttyS0'; the lab's init reads lab_func=, lab_tracer=,
                    lab_calls=, lab_cpus=, lab_bench= from it
  --initrd FILE     an initramfs (placed in RAM, /chosen linux,initrd-start/end)
  --dtb FILE        a device tree blob instead of the generated one
  --ram SIZE        RAM declared to the guest (default 256M, at least 64M)
  --system-map FILE the kernel's System.map (default: next to the cached Image) for the patch report
  --no-watch        no patch report (no store watch on the kernel text)
  --max-insns N     instruction budget for all harts (default 2e10); exit 124 when it runs out
  --timeout SECONDS host-time budget (default 600); exit 124 when it runs out
  --json            print the result and the patch report as one JSON line to stderr
  --stats           print instructions, host seconds and M instructions/s to stderr

Exit status: 0 when the guest powered off (sifive,test 0x5555), the guest's code for a fail command, 1 when it asked
for a reset, 124 when a budget ran out, 125 for a trap storm or when every hart sleeps forever, 65 for a bad file.`;

interface BootArgs {
  kernel?: string;
  bios?: string;
  harts: number;
  mode: MachineMode;
  seed: number;
  append?: string;
  initrd?: string;
  dtb?: string;
  ram?: number;
  systemMap?: string;
  watch: boolean;
  maxInsns: number;
  timeoutS: number;
  json: boolean;
  stats: boolean;
}

function parseBootArgs(argv: string[]): BootArgs | 'help' {
  const a: BootArgs = { harts: 1, mode: 'deterministic', seed: 0, watch: true, maxInsns: 2e10, timeoutS: 600, json: false, stats: false };
  const c = new ArgCursor(argv);
  for (let w = c.next(); w !== undefined; w = c.next()) {
    if (w === '-h' || w === '--help') return 'help';
    else if (w === '--kernel') a.kernel = c.value(w);
    else if (w === '--bios') a.bios = c.value(w);
    else if (w === '--harts') a.harts = parseIntArg(c.value(w), w, 1, 8);
    else if (w === '--mode') a.mode = parseChoice(c.value(w), w, ['deterministic', 'parallel'] as const);
    else if (w === '--seed') a.seed = parseIntArg(c.value(w), w);
    else if (w === '--append') a.append = c.value(w);
    else if (w === '--initrd') a.initrd = c.value(w);
    else if (w === '--dtb') a.dtb = c.value(w);
    else if (w === '--ram') a.ram = parseSize(c.value(w));
    else if (w === '--system-map') a.systemMap = c.value(w);
    else if (w === '--no-watch') a.watch = false;
    else if (w === '--max-insns') a.maxInsns = parseCount(c.value(w));
    else if (w === '--timeout') a.timeoutS = parseIntArg(c.value(w), w, 1, 86400);
    else if (w === '--json') a.json = true;
    else if (w === '--stats') a.stats = true;
    else throw new VerbUsageError(`unknown option '${w}'`);
  }
  return a;
}

function readInput(path: string, what: string, code: 'BOARD_NO_KERNEL' | 'BOARD_NO_FIRMWARE' | 'BOARD_BAD_IMAGE'): Uint8Array {
  if (!existsSync(path)) throw new BoardError(code, `${what} '${path}' does not exist`);
  return readFileSync(path);
}

export function bootExitStatus(r: BootResult): number {
  switch (r.outcome) {
    case 'poweroff':
      return 0;
    case 'fail':
      return Math.min(255, r.exitCode || 1);
    case 'reset':
      return 1;
    case 'budget':
    case 'timeout':
      return EXIT_BUDGET;
    default:
      return EXIT_GUEST_FAULT;
  }
}

export const main = verbMain('boot', BOOT_USAGE, parseBootArgs, async (args: BootArgs): Promise<number> => {
  const cached = args.kernel ? undefined : findCachedKernel();
  const kernelPath = args.kernel ?? cached?.image;
  if (!kernelPath) {
    throw new BoardError('BOARD_NO_KERNEL', "no kernel: run 'npm run kernel' to build and cache the lab's kernel, or pass --kernel Image");
  }
  const kernel = readInput(kernelPath, 'kernel', 'BOARD_NO_KERNEL');
  const firmware = readInput(args.bios ?? DEBIAN_FW_JUMP, 'firmware', 'BOARD_NO_FIRMWARE');
  const mapPath = args.systemMap ?? cached?.systemMap;
  const symbols = args.watch && mapPath && existsSync(mapPath) ? new KernelSymbols(readFileSync(mapPath, 'utf8')) : undefined;
  const board = new VirtBoard({
    firmware,
    kernel,
    harts: args.harts,
    mode: args.mode,
    seed: args.seed,
    ram: args.ram,
    append: args.append,
    initrd: args.initrd ? readInput(args.initrd, 'initrd', 'BOARD_BAD_IMAGE') : undefined,
    dtb: args.dtb ? readInput(args.dtb, 'device tree', 'BOARD_BAD_IMAGE') : undefined,
    onConsole: (t) => process.stdout.write(t),
  });
  const watch = symbols
    ? new KernelPatchWatch({ machine: board.machine, symbols, image: kernel, logAt: board.reservedBase, breakpoints: args.mode === 'deterministic' })
    : undefined;
  const detachInput = attachStdin(board);
  let r: BootResult;
  try {
    r = await board.run({
      maxInsns: args.maxInsns,
      timeoutMs: args.timeoutS * 1000,
      onTick: () => watch?.tick(),
      onBreakpoint: (h) => watch?.onBreakpoint(h) ?? false,
      yieldToHost: detachInput !== undefined,
    });
  } finally {
    detachInput?.();
  }
  watch?.finish();
  const status = bootExitStatus(r);
  const out: string[] = [`\nftrace-lab boot: ${bootSummaryLine(r)}`];
  if (r.fault) out.push(formatFault(r.fault));
  if (r.outcome === 'budget' || r.outcome === 'timeout' || r.outcome === 'idle') {
    const mode = ['U', 'S', '?', 'M'];
    out.push(`where the harts are: ${board.machine.harts.map((h) => `hart ${h.index} ${mode[h.priv]}-mode pc 0x${h.pc.toString(16)}${symbols && h.priv !== 3 ? ` (${symbols.describe(h.pc)})` : ''}`).join('; ')}`);
  }
  if (watch) out.push(formatPatchReport(watch, args.harts));
  else if (args.watch) out.push('(no patch report: no System.map; pass --system-map)');
  process.stdout.write(out.join('\n') + '\n');
  if (args.stats) {
    process.stderr.write(`instructions ${r.instructions} seconds ${(r.hostMs / 1000).toFixed(3)} MIPS ${(r.instructions / r.hostMs / 1000).toFixed(1)}\n`);
  }
  if (args.json) {
    const j = { outcome: r.outcome, exitStatus: status, instructions: r.instructions, harts: r.harts, hostMs: r.hostMs, patch: watch ? patchReportJson(watch) : undefined };
    process.stderr.write(JSON.stringify(j) + '\n');
  }
  return status;
});

/** Console input: stdin bytes go to the UART (raw mode on a terminal). Returns a detach function, or undefined. */
function attachStdin(board: VirtBoard): (() => void) | undefined {
  const stdin = process.stdin;
  if (!stdin.isTTY) return undefined;
  stdin.setRawMode(true);
  const onData = (b: Buffer) => {
    if (b.includes(0x1d)) process.kill(process.pid, 'SIGINT'); // Ctrl-] leaves, as in telnet
    board.input(b);
  };
  stdin.on('data', onData);
  stdin.resume();
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
