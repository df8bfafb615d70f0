// The block compiler's host side: called by the engine (env.jitCompile) when a block head gets hot, it compiles (or
// reuses) the block's module, installs it in this engine instance's function table and marks the head compiled.
import { DC_JIT_DIR, DCACHE_BASE, DCACHE_PER_HART, JIT_DIR_ENTRIES } from '../layout.js';
import { MemoCache } from '../../util/memo-cache.js';
import { blockKey, ENTRY, H_JIT, readBlock } from './block.js';
import { compileBlock } from './codegen.js';

/** Fewest instructions worth a compiled block. */
export const MIN_BLOCK = 2;

/** Compiled modules by block content, shared by every machine in this thread (a module is memory-independent). */
const modules = new MemoCache<{ module: WebAssembly.Module; bytes: number; ms: number }>(4096);

export interface JitStats {
  /** Blocks compiled to a new module. */
  compiled: number;
  /** Blocks whose module was already compiled (same content elsewhere: another hart, machine or page). */
  reused: number;
  /** Heads reported hot but not compiled (block shorter than MIN_BLOCK). */
  rejected: number;
  /** Total Wasm bytes of the modules this instance compiled, and the time spent compiling and installing them. */
  codeBytes: number;
  compileMs: number;
  /** Instructions in the blocks installed. */
  blockInsns: number;
}

export class Jit {
  private view: DataView;
  private readonly installed = new Map<string, number>(); // block key -> table index
  readonly stats: JitStats = { compiled: 0, reused: 0, rejected: 0, codeBytes: 0, compileMs: 0, blockInsns: 0 };
  /** Per-block records (compile time and size), most recent last; capped. */
  readonly blocks: { hart: number; pcOffset: number; insns: number; bytes: number; ms: number; reused: boolean }[] = [];

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly table: WebAssembly.Table,
  ) {
    this.view = new DataView(memory.buffer);
  }

  /** The engine's env.jitCompile: compiles (or reuses) the block headed by entry ep of hart and marks the head. */
  readonly hook = (hart: number, ep: number): void => this.compileAt(hart, ep);

  compileAt(hart: number, ep: number): void {
    const v = this.view;
    if (v.getUint8(ep + ENTRY.HANDLER) === H_JIT) return;
    const block = readBlock(v, hart, ep);
    if (block.insns.length < MIN_BLOCK) {
      this.stats.rejected++;
      return;
    }
    const key = blockKey(block);
    let index = this.installed.get(key);
    if (index === undefined) {
      const t0 = performance.now();
      let reused = true;
      const m = modules.get(key, () => {
        reused = false;
        const bytes = compileBlock(block);
        return { module: new WebAssembly.Module(bytes), bytes: bytes.length, ms: 0 };
      });
      const inst = new WebAssembly.Instance(m.module, { env: { memory: this.memory } });
      index = this.table.grow(1);
      this.table.set(index, inst.exports.f as (...args: unknown[]) => unknown);
      this.installed.set(key, index);
      const ms = performance.now() - t0;
      if (reused) this.stats.reused++;
      else {
        this.stats.compiled++;
        this.stats.codeBytes += m.bytes;
        m.ms = ms;
      }
      this.stats.compileMs += ms;
      this.stats.blockInsns += block.insns.length;
      if (this.blocks.length < 10_000) {
        this.blocks.push({ hart, pcOffset: block.insns[0]!.off, insns: block.insns.length, bytes: m.bytes, ms, reused });
      }
    } else {
      this.stats.reused++;
    }
    // directory entry first, then the mark: the engine only looks up marked heads
    const dir = DCACHE_BASE + hart * DCACHE_PER_HART + DC_JIT_DIR + (((ep >>> 5) & (JIT_DIR_ENTRIES - 1)) << 4);
    v.setUint32(dir, ep, true);
    v.setUint32(dir + 4, index, true);
    v.setUint32(dir + 8, block.insns.length, true);
    v.setUint8(ep + ENTRY.HANDLER, H_JIT);
  }
}
