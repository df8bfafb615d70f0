// Instruction fetch atomicity across parallel harts: Ziccif (an aligned 32-bit instruction is never torn) and the
// 'parcels' model (a 32-bit instruction at 2 mod 4 is two parcels that a concurrent rewrite can tear).
import { describe, expect, it } from 'vitest';
import { assemble, encode } from '../../src/isa/index.js';
import { Machine, type FetchGranularity } from '../../src/machine/index.js';

const VA = 0x123;
const VB = 0x456;
// A = addi t1, zero, VA; B = addi t2, zero, VB. Half of each gives `addi t1, zero, VB` or `addi t2, zero, VA`.
const A = encode('addi', { rd: 't1', rs1: 'zero', imm: VA }).word >>> 0;
const B = encode('addi', { rd: 't2', rs1: 'zero', imm: VB }).word >>> 0;

/**
 * Hart 1 rewrites `site` between A and B with single 32-bit stores; hart 0 runs fence.i then the site, up to `iters`
 * times (or until `stopAfterTorn` torn executions), and classifies each execution by (t1, t2): (VA, 0) = A,
 * (0, VB) = B, anything else = torn. Results: result[0] = A seen, [1] = B seen, [2] = torn, [3] = executions.
 */
function program(iters: number, misaligned: boolean, stopAfterTorn: number): string {
  return `
  .globl _start
_start:
  csrr t0, mhartid
  la s0, site
  la s1, stop
  bnez t0, writer
  li s2, ${iters}
  li s3, 0
  li s6, 0
  li s7, 0
  li s8, 0
  li s9, ${stopAfterTorn}
  li s4, ${VA}
  li s5, ${VB}
exec:
  li t1, 0
  li t2, 0
  fence.i
  jal ra, site
  addi s8, s8, 1
  bne t1, s4, 1f
  bnez t2, torn
  addi s6, s6, 1
  j next
1: bnez t1, torn
  bne t2, s5, torn
  addi s7, s7, 1
  j next
torn:
  addi s3, s3, 1
  beq s3, s9, done
next:
  addi s2, s2, -1
  bnez s2, exec
done:
  la t3, result
  sd s6, 0(t3)
  sd s7, 8(t3)
  sd s3, 16(t3)
  sd s8, 24(t3)
  li t2, 1
  sd t2, 0(s1)
  li t3, 1
  la t4, tohost
  sd t3, 0(t4)
2: j 2b
writer:
  li a0, ${A}
  li a1, ${B}
3: sw a0, 0(s0)
  sw a1, 0(s0)
  sw a0, 0(s0)
  sw a1, 0(s0)
  ld t1, 0(s1)
  beqz t1, 3b
4: wfi
  j 4b

  .balign 64
${misaligned ? '  c.nop' : ''}
site:
  .word ${A}
  ret

  .data
  .align 6
  .globl tohost
tohost: .dword 0
  .align 6
stop: .dword 0
  .align 6
result: .zero 32
`;
}

async function race(fetch: FetchGranularity, iters: number, misaligned: boolean, stopAfterTorn = -1) {
  const prog = assemble(program(iters, misaligned, stopAfterTorn));
  const site = prog.symbols.find((s) => s.name === 'site')!.value;
  expect(site % 4).toBe(misaligned ? 2 : 0);
  const result = prog.symbols.find((s) => s.name === 'result')!.value;
  const m = Machine.create({ ram: 0x100000, harts: 2, mode: 'parallel', fetch });
  m.loadProgram(prog);
  const r = await m.start({ maxInsns: 1e10 });
  expect(r.reason).toBe('halted');
  const [a, b, torn, runs] = [0, 8, 16, 24].map((o) => Number(m.memory.readU64(result + o)));
  return { a: a!, b: b!, torn: torn!, runs: runs! };
}

describe('instruction fetch atomicity (parallel workers)', () => {
  it("Ziccif: an aligned 32-bit instruction rewritten by another hart is executed wholly old or wholly new (10^6 runs)", async () => {
    const r = await race('ziccif', 1_000_000, false);
    expect(r.runs).toBe(1_000_000);
    expect(r.torn).toBe(0);
    // the writer really raced the executor: both versions were executed many times
    expect(r.a).toBeGreaterThan(1000);
    expect(r.b).toBeGreaterThan(1000);
    expect(r.a + r.b).toBe(r.runs);
  }, 60_000);

  it("'parcels': a 32-bit instruction at 2 mod 4 is fetched as two parcels and does tear under a concurrent rewrite", async () => {
    const r = await race('parcels', 50_000_000, true, 3);
    expect(r.torn).toBeGreaterThanOrEqual(1);
    expect(r.a).toBeGreaterThan(0);
    expect(r.b).toBeGreaterThan(0);
  }, 120_000);

  it("rejects an unknown fetch granularity with a typed error", () => {
    expect(() => Machine.create({ fetch: 'bytes' as FetchGranularity })).toThrow(/fetch must be 'ziccif' or 'parcels'/);
  });
});
