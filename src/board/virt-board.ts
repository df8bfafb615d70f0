// The QEMU-virt-compatible board: firmware at 0x8000_0000, kernel Image at 0x8020_0000, device tree in the boot ROM.
import { Machine, type MachineMode, type RunResult } from '../machine/machine.js';
import type { FaultReport } from '../machine/hart.js';
import { RAM_GUEST_BASE } from '../machine/layout.js';
import { setBootRegisters } from './boot-info.js';
import { finisherValue, forceExit, pushUartInput, writeBootRom } from './board-io.js';
import { BoardError } from './errors.js';
import { readFdt } from './fdt.js';
import { parseLinuxImage } from './linux-image.js';
import { virtDtb } from './virt-dt.js';

/** Where OpenSBI's fw_jump expects the next stage (FW_JUMP_ADDR of the generic platform). */
export const KERNEL_ADDR = RAM_GUEST_BASE + 0x200000;
/** Where fw_jump copies the device tree (FW_JUMP_FDT_ADDR): the kernel's footprint must end below it. */
export const FW_JUMP_FDT_ADDR = RAM_GUEST_BASE + 0x2200000;
/** RAM after the guest's declared memory that the host keeps for itself (the watch log). */
export const HOST_RESERVED_RAM = 0x100000;
export const DEFAULT_BOARD_RAM = 256 << 20;
/** The kernel command line before --append: the console on the 16550. */
export const DEFAULT_BOOTARGS = 'console=ttyS0';

export interface VirtBoardOptions {
  /** OpenSBI fw_jump.bin (raw binary, loaded at 0x8000_0000). */
  firmware: Uint8Array;
  /** Linux `Image` (loaded at 0x8020_0000). */
  kernel: Uint8Array;
  harts?: number;
  mode?: MachineMode;
  seed?: number | string;
  /** Guest RAM declared in the device tree (bytes, >= 64 MiB); default 256 MiB. */
  ram?: number;
  /** Appended to DEFAULT_BOOTARGS. */
  append?: string;
  initrd?: Uint8Array;
  /** A device tree blob to use instead of the generated one (its /chosen is used as is). */
  dtb?: Uint8Array;
  onConsole?: (text: string) => void;
}

export type BootOutcome = 'poweroff' | 'reset' | 'fail' | 'timeout' | 'budget' | 'fault' | 'idle';

export interface BootResult {
  outcome: BootOutcome;
  /** The finisher's exit code (0 after a power-off, the code of a fail command). */
  exitCode: number;
  instructions: number;
  harts: { instructions: number }[];
  hostMs: number;
  fault?: FaultReport;
  hart?: number;
}

export interface BootRunOptions {
  /** Stop after this many guest instructions (all harts); default 2e10. */
  maxInsns?: number;
  /** Stop after this much host time (ms); default none. */
  timeoutMs?: number;
  /** Deterministic mode: instructions per Machine.run call between host checks; default 2,000,000. */
  chunk?: number;
  /** Called between chunks (deterministic mode) or every few ms (parallel mode), e.g. to drain the watch log. */
  onTick?: () => void;
  /** Deterministic mode: called when a hart reaches its breakpoint; return true to keep running. */
  onBreakpoint?: (hart: number) => boolean;
  /** Deterministic mode: give the host's event loop a turn every ~20 ms (console input). */
  yieldToHost?: boolean;
  /**
   * Deterministic mode: instructions per engine call (default 10,000). mtime advances between engine calls, so this
   * is the resolution of the guest's clock: with 10,000 the guest's rdtime moves in steps of 10,000 instructions.
   */
  slice?: number;
}

const host = globalThis as { setImmediate?: (fn: () => void) => unknown };
/** Gives the host's event loop a turn: setImmediate in Node, a macrotask in a browser or worker (no setImmediate there). */
const yieldTurn = (): Promise<void> => new Promise((resolve) => (host.setImmediate ? host.setImmediate(resolve) : setTimeout(resolve, 0)));

/** One machine wired as QEMU's virt board with the firmware, kernel, optional initrd and the device tree loaded. */
export class VirtBoard {
  readonly machine: Machine;
  readonly ram: number;
  readonly dtb: Uint8Array;
  readonly bootargs: string;
  /** Guest physical address of the host-reserved RAM (beyond what the device tree declares). */
  readonly reservedBase: number;

  constructor(opts: VirtBoardOptions) {
    const ram = opts.ram ?? DEFAULT_BOARD_RAM;
    const harts = opts.harts ?? 1;
    if (!Number.isInteger(ram) || ram < 64 << 20 || ram > 2048 * 1024 * 1024 - HOST_RESERVED_RAM || ram % 4096 !== 0) {
      throw new BoardError('BOARD_BAD_OPTION', `--ram must be a multiple of 4 KiB from 64M to 2047M (OpenSBI copies the device tree to 0x82200000), got ${ram}`);
    }
    if (!Number.isInteger(harts) || harts < 1 || harts > 8) {
      throw new BoardError('BOARD_BAD_OPTION', `--harts must be 1..8 for the virt board, got ${harts}`);
    }
    if (opts.firmware.length === 0) throw new BoardError('BOARD_NO_FIRMWARE', 'the firmware file is empty');
    if (opts.firmware.length > KERNEL_ADDR - RAM_GUEST_BASE) {
      throw new BoardError('BOARD_TOO_BIG', `the firmware is ${opts.firmware.length} bytes; it must end below the kernel at 0x80200000`);
    }
    if (new DataView(opts.firmware.buffer, opts.firmware.byteOffset, 4).getUint32(0, true) === 0x464c457f) {
      throw new BoardError('BOARD_NO_FIRMWARE', 'the firmware is an ELF file: pass fw_jump.bin, not fw_jump.elf');
    }
    const image = parseLinuxImage(opts.kernel);
    if (KERNEL_ADDR + image.imageSize > FW_JUMP_FDT_ADDR) {
      throw new BoardError('BOARD_TOO_BIG', `the kernel needs ${image.imageSize} bytes from 0x80200000, past fw_jump's device tree at 0x82200000`);
    }
    this.ram = ram;
    this.reservedBase = RAM_GUEST_BASE + ram;
    this.bootargs = opts.append ? `${DEFAULT_BOOTARGS} ${opts.append}` : DEFAULT_BOOTARGS;
    let initrd: { start: number; end: number } | undefined;
    if (opts.initrd) {
      const start = RAM_GUEST_BASE + Math.max(0x4000000, Math.floor(ram / 2 / 0x200000) * 0x200000);
      if (start + opts.initrd.length > RAM_GUEST_BASE + ram) {
        throw new BoardError('BOARD_TOO_BIG', `the initrd (${opts.initrd.length} bytes) does not fit in ${ram >> 20} MiB of RAM`);
      }
      initrd = { start, end: start + opts.initrd.length };
    }
    if (opts.dtb) readFdt(opts.dtb); // a malformed blob fails here, not inside the firmware
    this.dtb = opts.dtb ?? virtDtb({ harts, ram, bootargs: this.bootargs, initrd });
    this.machine = Machine.create({
      ram: ram + HOST_RESERVED_RAM,
      harts,
      mode: opts.mode,
      seed: opts.seed,
      recordSchedule: harts > 1 && (opts.mode ?? 'deterministic') === 'deterministic',
      onUart: opts.onConsole,
    });
    const m = this.machine;
    m.memory.write(RAM_GUEST_BASE, opts.firmware);
    m.memory.write(KERNEL_ADDR, opts.kernel);
    if (opts.initrd && initrd) m.memory.write(initrd.start, opts.initrd);
    writeBootRom(m.wasm, this.dtb);
    m.setTohost(undefined);
    // as on QEMU virt: every hart starts the firmware in M-mode with a0 = hartid, a1 = the device tree
    for (const h of m.harts) {
      m.resetHart(h.index, RAM_GUEST_BASE);
      setBootRegisters(h);
    }
  }

  /** Console input for the guest (the 16550 receive ring); returns the bytes that fit. */
  input(bytes: Uint8Array): number {
    return pushUartInput(this.machine.wasm, bytes);
  }

  /** Runs until the guest powers off, faults, idles for good, or a budget ends. */
  async run(opts: BootRunOptions = {}): Promise<BootResult> {
    const t0 = performance.now();
    const maxInsns = opts.maxInsns ?? 2e10;
    if (this.machine.mode === 'parallel') return this.runParallel(opts, t0, maxInsns);
    const chunk = opts.chunk ?? 2_000_000;
    const harts = this.machine.harts.map(() => ({ instructions: 0 }));
    let total = 0;
    let lastYield = t0;
    for (;;) {
      if (opts.yieldToHost && performance.now() - lastYield > 20) {
        await yieldTurn();
        lastYield = performance.now();
      }
      const r: RunResult = this.machine.run({ maxInsns: Math.min(chunk, maxInsns - total), slice: opts.slice ?? 10_000 });
      total += r.instructions;
      r.harts.forEach((h, i) => (harts[i]!.instructions += h.instructions));
      opts.onTick?.();
      const done = (outcome: BootOutcome, extra: Partial<BootResult> = {}): BootResult => ({
        outcome, exitCode: extra.exitCode ?? 0, instructions: total, harts, hostMs: performance.now() - t0, ...extra,
      });
      if (r.reason === 'halted') return done(this.finisherOutcome(), { exitCode: r.exitCode ?? 0, hart: r.hart });
      if (r.reason === 'fault') return done('fault', { fault: r.fault, hart: r.hart, exitCode: 125 });
      if (r.reason === 'wfi') return done('idle', { exitCode: 1 });
      if (r.reason === 'breakpoint') {
        if (opts.onBreakpoint?.(r.hart ?? 0)) continue;
        return done('fault', { hart: r.hart, exitCode: 125 });
      }
      if (total >= maxInsns) return done('budget', { exitCode: 124 });
      if (opts.timeoutMs !== undefined && performance.now() - t0 > opts.timeoutMs) return done('timeout', { exitCode: 124 });
    }
  }

  private async runParallel(opts: BootRunOptions, t0: number, maxInsns: number): Promise<BootResult> {
    let timedOut = false;
    const timer = setInterval(() => {
      opts.onTick?.();
      if (opts.timeoutMs !== undefined && performance.now() - t0 > opts.timeoutMs && !timedOut) {
        timedOut = true;
        forceExit(this.machine.wasm);
      }
    }, 5);
    let r: RunResult;
    try {
      r = await this.machine.start({ maxInsns });
    } finally {
      clearInterval(timer);
    }
    opts.onTick?.();
    const base = { instructions: r.instructions, harts: r.harts, hostMs: performance.now() - t0 };
    if (timedOut && finisherValue(this.machine.wasm) === 0) return { outcome: 'timeout', exitCode: 124, ...base };
    if (r.reason === 'halted') return { outcome: this.finisherOutcome(), exitCode: r.exitCode ?? 0, hart: r.hart, ...base };
    if (r.reason === 'fault') return { outcome: 'fault', exitCode: 125, fault: r.fault, hart: r.hart, ...base };
    return { outcome: 'budget', exitCode: 124, ...base };
  }

  private finisherOutcome(): BootOutcome {
    const v = finisherValue(this.machine.wasm) & 0xffff;
    return v === 0x5555 ? 'poweroff' : v === 0x7777 ? 'reset' : 'fail';
  }
}
