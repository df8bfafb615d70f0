// Differential tests of the block compiler: every program gives the same registers, memory, output and instruction
// counts (and, with several harts, the same schedule) under engine 'jit' as under the interpreter; plus the
// staleness, budget, breakpoint and self-/cross-modifying-code rules of assembly/README.md "Compiled blocks".
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/index.js';
import { JOP } from '../../src/machine/jit/block.js';
import { Machine, type MachineOptions, type RunResult } from '../../src/machine/index.js';
import { PASS_FAIL } from '../engine/harness.js';
import { fixturePath, loadFixtureRuns } from '../fixtures/manifest.js';
import { randomSequence, randomValue, Rng } from '../user/random-program.js';
import { crossHartIcache, ipiPingPong, spinlockCounter, timerInterrupt } from './programs.js';

type Engine = 'interp' | 'jit';

interface Outcome {
  result: RunResult;
  regs: string[];
  memory: string;
  uart: string;
  minstret: bigint[];
  schedule: string;
  compiled: number;
}

/** Everything a run leaves behind, comparable across engines. */
function snapshot(m: Machine, result: RunResult): Outcome {
  const regs = m.harts.map((h) => {
    const xs: string[] = [];
    for (let r = 1; r < 32; r++) xs.push(h.x(r).toString(16));
    return `pc=${h.pc.toString(16)} priv=${h.priv} ${xs.join(' ')}`;
  });
  const ram = m.memory.read(m.memory.base, m.memory.size);
  const st = m.jitStats();
  return {
    result: { ...result, fault: result.fault },
    regs,
    memory: createHash('sha256').update(ram).digest('hex'),
    uart: m.uartOutput,
    minstret: m.harts.map((h) => h.minstret),
    schedule: m.scheduleLog(),
    compiled: st ? st.compiled + st.reused : 0,
  };
}

function runBoth(load: (m: Machine) => void, opts: MachineOptions, maxInsns: number, slice?: number): Record<Engine, Outcome> {
  const out = {} as Record<Engine, Outcome>;
  for (const engine of ['interp', 'jit'] as const) {
    const m = Machine.create({ ram: 0x800000, ...opts, engine, recordSchedule: true });
    load(m);
    const r = m.run({ maxInsns, ...(slice !== undefined ? { slice } : {}) });
    out[engine] = snapshot(m, r);
  }
  return out;
}

function expectSame(o: Record<Engine, Outcome>, needCompiled = true): void {
  const { compiled: ci, ...interp } = o.interp;
  const { compiled: cj, ...jit } = o.jit;
  expect(ci).toBe(0);
  if (needCompiled) expect(cj).toBeGreaterThan(0);
  expect(jit).toEqual(interp);
}

const asmLoader = (src: string) => (m: Machine) => m.loadProgram(assemble(src, { file: 'jit-diff.s' }));

describe('block compiler: decoded-op numbers', () => {
  it('match assembly/ops.ts', () => {
    const text = readFileSync(new URL('../../assembly/ops.ts', import.meta.url), 'utf8');
    for (const [name, value] of Object.entries(JOP)) {
      const m = new RegExp(`export const OP_${name}: u32 = (\\d+);`).exec(text);
      expect(m, name).not.toBeNull();
      expect(Number(m![1]), name).toBe(value);
    }
  });
});

describe('block compiler = interpreter: GCC fixtures', () => {
  for (const run of loadFixtureRuns()) {
    for (const elf of run.elfs.filter((e) => !e.includes('.linux.'))) {
      it(`${elf}${run.harts ? ` (${run.harts} harts)` : ''}`, () => {
        const bytes = readFileSync(fixturePath(elf));
        const o = runBoth((m) => {
          const img = m.loadElf(bytes);
          for (const [sym, v] of Object.entries(run.poke32 ?? {})) {
            const s = img.symbols.find((x) => x.name === sym);
            if (s) m.memory.writeU32(s.value, v);
          }
        }, { harts: run.harts ?? 1 }, 5e8);
        expect(o.jit.result.reason).toBe('halted');
        expect(o.jit.result.exitCode).toBe(run.exitCode);
        expectSame(o, o.interp.result.instructions > 100_000);
      });
    }
  }

  it('compute at quanta 1..1000 and odd slices: identical counts and state (a block runs only when the budget covers it)', () => {
    const bytes = readFileSync(fixturePath('bin/compute.rv64imac.elf'));
    for (const slice of [1, 7, 33, 1000, 99_991]) {
      const o = runBoth((m) => m.loadElf(bytes), {}, 600_000, slice);
      expect(o.interp.result.instructions).toBe(600_000);
      expectSame(o, slice >= 33);
    }
  });
});

describe('block compiler = interpreter: random sequences in hot loops', () => {
  const SEQUENCES = Number(process.env.FTRACE_LAB_JIT_SEQUENCES ?? 3000);
  const PER_PROGRAM = 100;
  const LENGTH = 24;
  const ITERS = 40;

  /** PER_PROGRAM loops, each running one random sequence ITERS times, then storing x1..x31 to its table. */
  function program(seed: number): string {
    const rng = new Rng(seed);
    const parts: string[] = ['  .globl _start', '_start:'];
    const data: string[] = [];
    for (let s = 0; s < PER_PROGRAM; s++) {
      const base = rng.range(1, 31);
      const t = base === 5 ? 6 : 5;
      const seq = randomSequence(rng, LENGTH, base);
      parts.push(`  la x${base}, tab${s}`, `  li x${t}, ${ITERS}`, `  sd x${t}, 0(x${base})`);
      for (let r = 1; r < 32; r++) if (r !== base) parts.push(`  ld x${r}, ${8 * r}(x${base})`);
      parts.push(`loop${s}:`, `  .byte ${seq.bytes.join(', ')}`);
      parts.push(`  ld x${t}, 0(x${base})`, `  addi x${t}, x${t}, -1`, `  sd x${t}, 0(x${base})`, `  bnez x${t}, loop${s}`);
      for (let r = 1; r < 32; r++) if (r !== base) parts.push(`  sd x${r}, ${256 + 8 * r}(x${base})`);
      data.push(`  .align 3`, `tab${s}:`, `  .dword 0`, ...Array.from({ length: 31 }, () => `  .dword ${randomValue(rng)}`), `  .zero 256`);
    }
    parts.push('  j pass', PASS_FAIL, '  .data', '  .align 6', '  .globl tohost', 'tohost: .dword 0', ...data);
    return parts.join('\n');
  }

  for (let p = 0; p < Math.ceil(SEQUENCES / PER_PROGRAM); p++) {
    it(`seed ${p}: ${PER_PROGRAM} sequences of ${LENGTH} instructions, ${ITERS} iterations each`, () => {
      const o = runBoth(asmLoader(program(1000 + p)), {}, 1e8);
      expect(o.jit.result.reason).toBe('halted');
      expectSame(o);
    });
  }
});

describe('block compiler = interpreter: multi-hart programs (deterministic schedules)', () => {
  // [name, program, options, budget, does the block compiler get work (some programs are all AMO/wfi loops)]
  const cases: [string, string, MachineOptions, number, boolean][] = [
    ['spinlock (amoswap), 4 harts, quantum 200', spinlockCounter(4, 5_000, false), { harts: 4, seed: 7, quantum: 200 }, 5e7, true],
    ['spinlock (LR/SC), 3 harts, quantum 37', spinlockCounter(3, 3_000, true), { harts: 3, seed: 11, quantum: 37 }, 5e7, true],
    ['spinlock, 2 harts, quantum 1', spinlockCounter(2, 500, false), { harts: 2, seed: 5, quantum: 1 }, 5e7, false],
    ['IPI ping-pong, quantum 50', ipiPingPong(), { harts: 2, seed: 3, quantum: 50 }, 1e6, false],
    ['timer interrupt', timerInterrupt(), { harts: 1 }, 1e6, false],
    ['cross-hart icache (store + IPI + fence.i), quantum 20', crossHartIcache(), { harts: 2, seed: 5, quantum: 20 }, 2e7, true],
  ];
  for (const [name, src, opts, max, compiles] of cases) {
    it(name, () => {
      const o = runBoth(asmLoader(src), opts, max);
      expect(o.jit.result.reason).toBe('halted');
      expect(o.jit.result.exitValue).toBe(1n);
      expectSame(o, compiles);
    });
  }
});

describe('block compiler: staleness, self- and cross-modifying code, budgets, breakpoints', () => {
  /** A hot loop calls `site` (li a0, 1) 200 times, then stores `li a0, 2` over it; FENCE decides what follows. */
  const smc = (fence: string) => `
  .globl _start
_start:
  .option norvc
  li s0, 0
  li s1, 200
1: call site
  add s0, s0, a0
  addi s1, s1, -1
  bnez s1, 1b
  la t0, site
  la t1, new_insn
  lw t1, 0(t1)
  sw t1, 0(t0)
${fence}
  li s1, 200
2: call site
  add s0, s0, a0
  addi s1, s1, -1
  bnez s1, 2b
  la t0, result
  sd s0, 0(t0)
  j pass
  .align 2
site:
  li a0, 1
  addi a0, a0, 0
  ret
new_insn:
  li a0, 2
${PASS_FAIL}
  .data
  .align 6
  .globl tohost
tohost: .dword 0
result: .dword 0
`;
  it('a store into a compiled block is not seen until fence.i; after fence.i the new code runs', () => {
    for (const [fence, expected] of [['', 400n], ['  fence.i', 600n]] as const) {
      const o = runBoth(asmLoader(smc(fence)), {}, 1e6);
      expectSame(o);
      // s0 (x8) = the sum of what site returned: 200 x 1, then 200 x (1 stale | 2 after fence.i)
      const x = o.jit.regs[0]!.split(' ').slice(2);
      expect(x[8 - 1]).toBe(expected.toString(16));
    }
  });

  it('the host flushIcache drops compiled blocks with the decoded code', () => {
    const src = smc('1: j 1b').replace('  la t0, result', '  la t0, result');
    const m = Machine.create({ ram: 0x800000, engine: 'jit' });
    m.loadProgram(assemble(src, { file: 'smc.s' }));
    m.run({ maxInsns: 5000 }); // first loop done, the store made, spinning
    expect(m.jitStats()!.compiled + m.jitStats()!.reused).toBeGreaterThan(0);
    const h = m.hart(0);
    expect(h.x('s0')).toBe(200n);
    const prog = assemble(src, { file: 'smc.s' });
    const site = BigInt(prog.symbols.find((s) => s.name === 'site')!.value);
    const spin = h.pc;
    // call site by hand: without a flush the hart still runs its (compiled) old code
    h.setX('ra', spin);
    h.pc = site;
    m.run({ maxInsns: 3 });
    expect(h.x('a0')).toBe(1n);
    expect(h.pc).toBe(spin);
    m.flushIcache(0);
    h.pc = site;
    m.run({ maxInsns: 3 });
    expect(h.x('a0')).toBe(2n);
  });

  it('a breakpoint inside a compiled loop stops at the same instruction under both engines', () => {
    const src = smc('');
    const prog = assemble(src, { file: 'bp.s' });
    const site = prog.symbols.find((s) => s.name === 'site')!.value;
    const counts: number[] = [];
    for (const engine of ['interp', 'jit'] as const) {
      const m = Machine.create({ ram: 0x800000, engine });
      m.loadProgram(prog);
      m.run({ maxInsns: 3000 }); // loop hot (compiled under jit)
      m.hart(0).setBreakpoint(site + 4);
      const r = m.run({ maxInsns: 1e6 });
      expect(r.reason).toBe('breakpoint');
      expect(m.hart(0).pc).toBe(BigInt(site + 4));
      counts.push(Number(m.hart(0).minstret));
    }
    expect(counts[1]).toBe(counts[0]);
  });

  it('a machine.breakpoints address on a page with compiled blocks stops at the same pc and count at every hit', () => {
    // The list breakpoint makes its page run one instruction at a time; a compiled head met there is interpreted once
    // (REQ_JIT_HEAD). Each stop (pc, minstret, budget used) and the end of the run must match the interpreter's.
    const src = smc('');
    const prog = assemble(src, { file: 'bp-list.s' });
    const site = prog.symbols.find((s) => s.name === 'site')!.value;
    const stops: Record<Engine, string[]> = { interp: [], jit: [] };
    for (const engine of ['interp', 'jit'] as const) {
      const m = Machine.create({ ram: 0x800000, engine });
      m.loadProgram(prog);
      m.run({ maxInsns: 1000 }); // first loop hot (compiled under jit), 75 of its calls left
      m.breakpoints.add(site + 4);
      for (let i = 0; i < 1000; i++) {
        const r = m.run({ maxInsns: 1e6 });
        stops[engine].push(`${r.reason} ${r.instructions} pc=${m.hart(0).pc.toString(16)} minstret=${m.hart(0).minstret}`);
        if (r.reason !== 'breakpoint') break;
      }
      if (engine === 'jit') expect(m.jitStats()!.compiled + m.jitStats()!.reused).toBeGreaterThan(0);
    }
    // the 275 remaining calls of site stop at site + 4, then the program passes
    expect(stops.interp.length).toBe(276);
    expect(stops.interp.at(-1)).toMatch(/^halted /);
    expect(stops.interp[0]).toContain(`pc=${(site + 4).toString(16)} `);
    expect(stops.jit).toEqual(stops.interp);
  });
});
