// Static keys (kernel/jump_label.c, arch/riscv/kernel/jump_label.c): the __jump_table, static_key_enable/disable, the refcounted slow_inc/dec, as patch plans.
import { u16le, u32le, u64le } from './bytes.js';
import { FtraceError, hexAddr } from './errors.js';
import { encode } from '../isa/index.js';
import { emptyPlan, type PatchPlan, type SiteWrite } from './patch-plan.js';

/** struct jump_entry as riscv lays it out: s32 code, s32 target (each relative to itself), long key (relative; bit 0 = branch). */
export const JUMP_ENTRY_SIZE = 16;

export interface JumpEntry {
  readonly code: number;
  readonly target: number;
  /** Address of the struct static_key. */
  readonly key: number;
  /** jump_entry_is_branch: the default is the jump (static_branch_likely on a true key...); false for the unlikely sites. */
  readonly branch: boolean;
  /** 4: `nop` <-> `jal x0` (the kernel's site); 2: `c.nop` <-> `c.j` (an unsafe variant the lab can generate). */
  readonly size: 2 | 4;
}

export type ReadText = (addr: number, len: number) => Uint8Array;

const NOP4 = 0x00000013;
const C_NOP = 0x0001;

/** Decode the entries between __start___jump_table and __stop___jump_table; sizes from the instruction at each site. */
export function readJumpTable(read: ReadText, start: number, stop: number): JumpEntry[] {
  if (stop < start || (stop - start) % JUMP_ENTRY_SIZE !== 0) throw new FtraceError('FTRACE_BAD_RECORD', `__jump_table ${hexAddr(start)}..${hexAddr(stop)} is not a whole number of entries`);
  const bytes = read(start, stop - start).slice();
  const v = new DataView(bytes.buffer);
  const out: JumpEntry[] = [];
  for (let at = 0; at < bytes.length; at += JUMP_ENTRY_SIZE) {
    const base = start + at;
    const code = base + v.getInt32(at, true);
    const target = base + 4 + v.getInt32(at + 4, true);
    const keyRel = Number(v.getBigInt64(at + 8, true));
    const keyRaw = base + 8 + keyRel;
    const half = new DataView(read(code, 2).slice().buffer).getUint16(0, true);
    let size: 2 | 4;
    if (half === C_NOP) size = 2;
    else if (new DataView(read(code, 4).slice().buffer).getUint32(0, true) === NOP4) size = 4;
    else throw new FtraceError('FTRACE_BAD_SITE', `jump label at ${hexAddr(code)} is neither nop nor c.nop`);
    out.push({ code, target, key: keyRaw - (keyRaw % 4), branch: keyRaw % 2 === 1, size });
  }
  return out;
}

/** The site's bytes for a jump (`jal x0, target` / `c.j target`) or a nop (arch_jump_label_transform). */
function siteBytes(e: JumpEntry, jump: boolean): Uint8Array {
  const off = e.target - e.code;
  if (e.size === 2) {
    if (!jump) return u16le(C_NOP);
    if (off < -2048 || off > 2046) throw new FtraceError('FTRACE_OUT_OF_REACH', `c.j at ${hexAddr(e.code)} cannot reach ${hexAddr(e.target)}`);
    return u16le(encode('c.j', { imm: off }).word);
  }
  if (!jump) return u32le(NOP4);
  if (off < -(1 << 20) || off >= 1 << 20) throw new FtraceError('FTRACE_OUT_OF_REACH', `jal at ${hexAddr(e.code)} cannot reach ${hexAddr(e.target)}`);
  return u32le(encode('jal', { rd: 0, imm: off }).word >>> 0);
}

/** Every key of a jump table, its enabled count (static_key.enabled) and the plans that change it. */
export class StaticKeys {
  readonly entries: readonly JumpEntry[];
  private readonly byKey = new Map<number, JumpEntry[]>();
  private readonly enabled = new Map<number, number>();

  constructor(entries: readonly JumpEntry[]) {
    this.entries = entries;
    for (const e of entries) {
      const list = this.byKey.get(e.key) ?? [];
      list.push(e);
      this.byKey.set(e.key, list);
      this.enabled.set(e.key, 0);
    }
  }

  keys(): number[] {
    return [...this.byKey.keys()].sort((a, b) => a - b);
  }

  /** static_key_count / static_key_enabled. */
  count(key: number): number {
    return this.check(key);
  }

  /** static_key_enable: 0 -> 1 (sites updated, then enabled published); already enabled: nothing. */
  enable(key: number): PatchPlan {
    const n = this.check(key);
    if (n > 0) return emptyPlan();
    return this.update(key, 1);
  }

  /** static_key_disable: 1 -> 0 (enabled cleared, then sites updated); a key held by slow_inc users refuses. */
  disable(key: number): PatchPlan {
    const n = this.check(key);
    if (n === 0) return emptyPlan();
    if (n > 1) throw new FtraceError('FTRACE_BUSY', `static key ${hexAddr(key)} is held ${n} times through static_key_slow_inc; use slow_dec`);
    return this.update(key, 0);
  }

  /** static_key_slow_inc: the first reference patches the sites, later ones only count. */
  slowInc(key: number): PatchPlan {
    const n = this.check(key);
    if (n > 0) return this.countOnly(key, n + 1);
    return this.update(key, 1);
  }

  /** static_key_slow_dec: the last reference patches the sites back. */
  slowDec(key: number): PatchPlan {
    const n = this.check(key);
    if (n === 0) throw new FtraceError('FTRACE_NOT_REGISTERED', `static key ${hexAddr(key)} is not enabled (slow_dec without slow_inc)`);
    if (n > 1) return this.countOnly(key, n - 1);
    return this.update(key, 0);
  }

  private check(key: number): number {
    const n = this.enabled.get(key);
    if (n === undefined) throw new FtraceError('FTRACE_UNKNOWN_SYMBOL', `no jump label uses static key ${hexAddr(key)}`);
    return n;
  }

  private countOnly(key: number, next: number): PatchPlan {
    const plan = emptyPlan();
    plan.globals.push({ name: 'static_key.enabled', addr: key, phase: 'after-sites', old: u64le(this.enabled.get(key)!), new: u64le(next) });
    this.enabled.set(key, next);
    return plan;
  }

  /** jump_label_update: every entry of the key to jump or nop (type = enabled ^ branch), in address order. */
  private update(key: number, next: 0 | 1): PatchPlan {
    const plan = emptyPlan();
    const prev = this.enabled.get(key)!;
    const sites: SiteWrite[] = [];
    for (const e of [...this.byKey.get(key)!].sort((a, b) => a.code - b.code)) {
      const was = (prev > 0) !== e.branch;
      const now = (next > 0) !== e.branch;
      if (was === now) continue;
      sites.push({ ip: e.code, symbol: `jump_label@${hexAddr(e.code)}`, kind: 'insn', addr: e.code, old: siteBytes(e, was), new: siteBytes(e, now) });
    }
    plan.sites.push(...sites);
    // enable: sites first, then atomic_set_release(&key->enabled, 1); disable: enabled cleared first (cmpxchg 1 -> 0)
    plan.globals.push({ name: 'static_key.enabled', addr: key, phase: next ? 'after-sites' : 'before-sites', old: u64le(prev), new: u64le(next) });
    this.enabled.set(key, next);
    return plan;
  }
}
