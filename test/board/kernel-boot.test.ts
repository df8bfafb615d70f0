// Real Linux 6.12 + OpenSBI on the board: boots on 1/2/4 harts (parallel) and 2 harts (deterministic), the kernel's own
// function tracer counts calls + 1, deterministic replay, the patch report, and bad inputs. Needs `npm run kernel`.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEBIAN_FW_JUMP, findCachedKernel } from '../../src/board/kernel-cache.js';
import { KernelPatchWatch } from '../../src/board/kernel-patch-watch.js';
import { KernelSymbols } from '../../src/board/kernel-symbols.js';
import { type BootResult, VirtBoard } from '../../src/board/virt-board.js';
import type { MachineMode } from '../../src/machine/machine.js';
import { main as bootMain } from '../../src/cli/boot.js';
import { capture } from '../capture-output.js';

const kernel = findCachedKernel();
const ready = kernel !== undefined && existsSync(DEBIAN_FW_JUMP);
if (!ready && process.env.CI === 'true') {
  throw new Error("the kernel or OpenSBI is missing under CI=true: .ci/run runs 'npm run kernel' when the cache is empty");
}

const NOP_NOP = '1300000013000000';
const C_NOP_X4 = '0100010001000100'; // the compiler's -fpatchable-function-entry=4 padding with RVC

interface Booted {
  r: BootResult;
  console: string;
  watch: KernelPatchWatch;
  board: VirtBoard;
}

async function boot(harts: number, mode: MachineMode, append: string, extra: { seed?: number; maxInsns?: number } = {}): Promise<Booted> {
  const image = readFileSync(kernel!.image);
  let text = '';
  const board = new VirtBoard({
    firmware: readFileSync(DEBIAN_FW_JUMP),
    kernel: image,
    harts,
    mode,
    seed: extra.seed,
    append,
    onConsole: (t) => (text += t),
  });
  const symbols = new KernelSymbols(readFileSync(kernel!.systemMap, 'utf8'));
  const watch = new KernelPatchWatch({ machine: board.machine, symbols, image, logAt: board.reservedBase, breakpoints: mode === 'deterministic' });
  const r = await board.run({
    maxInsns: extra.maxInsns ?? 3e9,
    timeoutMs: 300_000,
    onTick: () => watch.tick(),
    onBreakpoint: (h) => watch.onBreakpoint(h),
  });
  watch.finish();
  return { r, console: text + board.machine.takeUartOutput(), watch, board };
}

function expectCount(b: Booted, cpus: number, calls: number): void {
  const want = cpus * calls + 1;
  expect(b.r.outcome).toBe('poweroff');
  expect(b.console).toContain(`lab: trace events=${want} expected=${want}`);
  expect(b.console).toContain('lab: summary ok');
}

/** The update that turned ksys_write's site on: nop;nop -> auipc t0 + jalr t0 to ftrace_caller, as the model says. */
function expectKsysWriteEnabled(b: Booted) {
  const enabling = b.watch.updates
    .flatMap((u) => u.sites.map((s) => ({ u, s })))
    .filter(({ s }) => s.where === 'ksys_write' && Buffer.from(s.old).toString('hex') !== C_NOP_X4); // not ftrace_init's
  expect(enabling.length).toBe(2); // on when current_tracer=function, off again when current_tracer=nop
  const on = enabling[0]!.s;
  expect(Buffer.from(on.old).toString('hex')).toBe(NOP_NOP);
  expect(on.newText).toMatch(/^auipc t0,0x[0-9a-f]+; jalr t0,-?\d+\(t0\)$/);
  expect(on.model?.same).toBe(true);
  const off = enabling[1]!.s;
  expect(Buffer.from(off.old)).toEqual(Buffer.from(on.new));
  expect(Buffer.from(off.new).toString('hex')).toBe(NOP_NOP);
  return enabling.map((e) => e.u);
}

describe.skipIf(!ready)('Linux on the lab (kernel from npm run kernel)', () => {
  for (const harts of [1, 2, 4]) {
    it(`boots on ${harts} hart(s) in parallel mode; the kernel counts calls + 1`, async () => {
      const b = await boot(harts, 'parallel', `lab_cpus=${harts} lab_calls=50 lab_bench=0`);
      expectCount(b, harts, 50);
      expect(b.console).toContain(`online=${harts}`);
      expectKsysWriteEnabled(b);
      // the boot's ftrace_init turns the compiler's c.nop x4 into nop;nop at every site it changes
      expect(b.watch.updates[0]!.sites.every((s) => s.newText === 'nop; nop')).toBe(true);
    });
  }

  it('boots on 2 harts in deterministic mode; patch report with writer, stop times and fence.i', async () => {
    const b = await boot(2, 'deterministic', 'lab_cpus=2 lab_calls=50 lab_bench=0', { seed: 3 });
    expectCount(b, 2, 50);
    const [on, off] = expectKsysWriteEnabled(b);
    for (const u of [on!, off!]) {
      expect(u.via).toBe('stop_machine');
      expect(u.writers.length).toBe(1);
      expect(u.stopTimes.map((t) => t.hart)).toEqual([0, 1]);
      expect(u.stopTimes.filter((t) => t.wrote).map((t) => t.hart)).toEqual(u.writers);
      for (const t of u.stopTimes) expect(t.instructions).toBeGreaterThan(0);
      // __ftrace_modify_code: the hart that did not patch runs local_flush_icache_all() after its spin
      const waiter = u.stopTimes.find((t) => !t.wrote)!.hart;
      expect(u.fenceI.find((f) => f.hart === waiter)?.smode ?? 0).toBeGreaterThanOrEqual(1);
      // the trampoline's ftrace_call is retargeted in the same update
      expect(u.other.some((c) => c.where === 'ftrace_call')).toBe(true);
    }
  });

  it('replays a deterministic 2-hart boot identically for a seed', async () => {
    const a = await boot(2, 'deterministic', 'lab_bench=0', { seed: 11, maxInsns: 40_000_000 });
    const b = await boot(2, 'deterministic', 'lab_bench=0', { seed: 11, maxInsns: 40_000_000 });
    expect(a.r.outcome).toBe('budget');
    expect(b.r.harts).toEqual(a.r.harts);
    expect(b.console).toBe(a.console);
    expect(b.console).toContain('OpenSBI');
    expect(b.board.machine.scheduleLog()).toBe(a.board.machine.scheduleLog());
    expect(b.board.machine.hart(1).pc).toBe(a.board.machine.hart(1).pc);
  });

  it('a corrupt Image gives a typed error; garbage code after a valid header ends in a fault report, not a hang', async () => {
    const image = readFileSync(kernel!.image);
    const fw = readFileSync(DEBIAN_FW_JUMP);
    const noMagic = new Uint8Array(image);
    noMagic.fill(0, 0x30, 0x40);
    expect(() => new VirtBoard({ firmware: fw, kernel: noMagic })).toThrow(expect.objectContaining({ code: 'BOARD_BAD_IMAGE' }));
    const garbage = new Uint8Array(image);
    garbage.fill(0xff, 0x40, 0x10000); // keep the header, destroy the entry code
    const board = new VirtBoard({ firmware: fw, kernel: garbage });
    const r = await board.run({ maxInsns: 100_000_000, timeoutMs: 60_000 });
    // OpenSBI redirects the kernel's illegal-instruction and access-fault traps back to S-mode forever (each round
    // retires firmware instructions, so it is no trap storm): the instruction budget ends it
    expect(r.outcome).toBe('budget');
    expect(r.instructions).toBe(100_000_000);
    expect(board.machine.hart(0).priv === 3 || board.machine.hart(0).priv === 1).toBe(true);
  });

  it('boot verb: a missing firmware is a clear one-line error (exit 65), a bad option a usage error (exit 64)', async () => {
    const cap = capture();
    let missing: number, bad: number;
    try {
      missing = await bootMain(['--bios', '/nonexistent/fw_jump.bin']);
      bad = await bootMain(['--frob']);
    } finally {
      const { vi } = await import('vitest');
      vi.restoreAllMocks();
    }
    expect(missing).toBe(65);
    expect(bad).toBe(64);
    const lines = cap.err().trimEnd().split('\n');
    expect(lines[0]).toBe("ftrace-lab boot: firmware '/nonexistent/fw_jump.bin' does not exist");
    expect(lines).toContain("ftrace-lab boot: unknown option '--frob'");
  });

  it('boot verb prints the kernel summary and the patch report', async () => {
    const cap = capture();
    try {
      const status = await bootMain(['--append', 'lab_calls=20 lab_bench=0', '--max-insns', '3e9']);
      expect(status).toBe(0);
    } finally {
      const { vi } = await import('vitest');
      vi.restoreAllMocks();
    }
    const out = cap.out();
    expect(out).toContain('lab: trace events=21 expected=21');
    expect(out).toContain("== the kernel's own code patching, seen from outside");
    expect(out).toMatch(/site ksys_write @ 0x[0-9a-f]+ \(pa 0x[0-9a-f]+\): nop; nop {2}-> {2}auipc t0/);
    expect(out).toContain('[same bytes]');
  });
});
