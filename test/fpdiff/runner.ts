// Runs a batch of FP sequences on the hart engine (bare metal, tohost exit) and under qemu-riscv64 (Linux-user ELF).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, toElf } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/index.js';
import { type FpSequence, OUT_BYTES, batchSource } from './sequence.js';

export const QEMU = 'qemu-riscv64';
const MARCH = 'rv64gc';

export function haveQemu(): boolean {
  return spawnSync(QEMU, ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Output of the batch as 64-bit words, OUT_BYTES / 8 per sequence. */
function words(bytes: Uint8Array): bigint[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: bigint[] = [];
  for (let i = 0; i + 8 <= bytes.byteLength; i += 8) out.push(v.getBigUint64(i, true));
  return out;
}

export function runOnEngine(seqs: FpSequence[]): bigint[] {
  const prog = assemble(batchSource(seqs, 'bare'), { file: 'fpdiff-bare.s', march: MARCH });
  const machine = Machine.create({ ram: 0x400000 });
  machine.loadProgram(prog);
  const result = machine.run({ maxInsns: 100 * seqs.length * 100 });
  if (result.reason !== 'halted' || result.exitValue !== 1n) {
    const h = machine.hart(0);
    if (result.reason !== 'halted') throw new Error(`engine run ended ${result.reason} at pc 0x${h.pc.toString(16)}, mepc 0x${h.csr('mepc').toString(16)} mcause ${h.csr('mcause')}`);
    const v = (result.exitValue ?? 0n) >> 1n;
    const pc = v >> 8n;
    const at = prog.sections.find((s) => s.exec);
    const word = at ? machine.memory.readU32(pc) : 0;
    throw new Error(`engine run ended ${result.reason}: trap cause ${v & 0xffn} at pc 0x${pc.toString(16)} (insn 0x${word.toString(16)})`);
  }
  const out = prog.symbols.find((s) => s.name === 'outbuf');
  if (!out) throw new Error('no outbuf symbol');
  return words(machine.memory.read(out.value, seqs.length * OUT_BYTES));
}

export function runOnQemu(seqs: FpSequence[]): bigint[] {
  const prog = assemble(batchSource(seqs, 'linux'), { file: 'fpdiff-linux.s', march: MARCH, base: 0x10000 });
  const dir = mkdtempSync(join(tmpdir(), 'fpdiff-'));
  try {
    const elf = join(dir, 'fpdiff.elf');
    writeFileSync(elf, toElf(prog), { mode: 0o755 });
    const r = spawnSync(QEMU, [elf], { timeout: 60_000, maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`qemu exited ${r.status}: ${r.stderr.toString()}`);
    const bytes = new Uint8Array(r.stdout);
    if (bytes.byteLength !== seqs.length * OUT_BYTES) throw new Error(`qemu wrote ${bytes.byteLength} bytes`);
    return words(bytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
