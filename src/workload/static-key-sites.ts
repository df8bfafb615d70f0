// Tracepoint-like static_branch_unlikely() sites for the synthetic kernel, with their __jump_table entries (arch/riscv/include/asm/jump_label.h layout).
import { WorkloadError } from './errors.js';

/**
 * How the sites are emitted:
 * - 'nop4'        the kernel's form since 9ddfc3cd8060: `.align 2` then a 4-byte `nop` under `.option norvc` (safe);
 * - 'cnop2'       a 2-byte `c.nop` <-> `c.j` site (RVC only): DOCUMENTED UNSAFE CASE for the checker (not the kernel's);
 * - 'misaligned4' a 4-byte `nop` at an address = 2 mod 4 (the pre-fix bug: two half-word stores can mix `nop` and
 *                 `jal`): DOCUMENTED UNSAFE CASE for the checker.
 */
export type StaticKeyVariant = 'nop4' | 'cnop2' | 'misaligned4';

export interface StaticKeySitesOptions {
  /** Number of keys (`static_key_<k>`), 1..64. */
  readonly keys: number;
  /** Every `every`-th kernel function gets one site (default 1 = all); function i uses key (i / every) mod keys. */
  readonly every?: number;
  readonly variant?: StaticKeyVariant;
}

export interface ResolvedStaticKeySites {
  readonly keys: number;
  readonly every: number;
  readonly variant: StaticKeyVariant;
}

/** Sections and symbols, as GCC and the linker name them. */
export const JUMP_TABLE_SECTION = '__jump_table';
export const JUMP_TABLE_START = '__start___jump_table';
export const JUMP_TABLE_STOP = '__stop___jump_table';
/** Per-key u64 counters the out-of-line "tracepoint" increments (so tests can count taken branches). */
export const STATIC_KEY_HITS = 'static_key_hits';

export function staticKeyName(k: number): string {
  return `static_key_${k}`;
}

export function resolveStaticKeySites(o: StaticKeySitesOptions): ResolvedStaticKeySites {
  const keys = o.keys;
  if (!Number.isInteger(keys) || keys < 1 || keys > 64) throw new WorkloadError('WORKLOAD_BAD_OPTION', `staticKeys.keys must be an integer from 1 to 64, got ${String(keys)}`);
  const every = o.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new WorkloadError('WORKLOAD_BAD_OPTION', `staticKeys.every must be an integer >= 1, got ${String(every)}`);
  const variant = o.variant ?? 'nop4';
  if (variant !== 'nop4' && variant !== 'cnop2' && variant !== 'misaligned4') {
    throw new WorkloadError('WORKLOAD_BAD_OPTION', `staticKeys.variant must be nop4, cnop2 or misaligned4, got '${String(variant)}'`);
  }
  return { keys, every, variant };
}

/** The key of function `i`, or null when it has no site. */
export function siteKeyOf(s: ResolvedStaticKeySites, i: number): number | null {
  return i % s.every === 0 ? Math.floor(i / s.every) % s.keys : null;
}

/**
 * The site lines (placed in the body) and the out-of-line `l_yes` block (after the return): the block adds 1 to
 * static_key_hits[k] (amoadd, so any number of harts) and jumps back. t0/t1 are dead at the site.
 */
export function staticKeySite(s: ResolvedStaticKeySites, id: number, key: number, rvc: boolean): { site: string[]; outOfLine: string[]; jumpEntry: string[] } {
  if (s.variant !== 'nop4' && !rvc) throw new WorkloadError('WORKLOAD_BAD_OPTION', `staticKeys.variant '${s.variant}' needs an RVC layout`);
  const L = `.Lsk${id}`;
  const norvcNop = [`\t.option\tpush`, `\t.option\tnorvc`, `${L}:`, `\tnop\t\t\t\t# static_branch_unlikely(&${staticKeyName(key)})`, `\t.option\tpop`];
  const site =
    s.variant === 'nop4'
      ? [`\t.balign\t4`, ...norvcNop]
      : s.variant === 'cnop2'
        ? [`${L}:`, `\tc.nop\t\t\t\t# 2-byte static branch (unsafe variant)`]
        : [`\t.balign\t4`, `\tc.nop`, ...norvcNop];
  return {
    site: [...site, `${L}_back:`],
    outOfLine: [
      `${L}_yes:`,
      `\tla\tt0, ${STATIC_KEY_HITS}`,
      `\taddi\tt0, t0, ${8 * key}`,
      `\tli\tt1, 1`,
      `\tamoadd.d\tzero, t1, (t0)`,
      `\tj\t${L}_back`,
    ],
    // struct jump_entry { s32 code; s32 target; long key; }: each field relative to itself; key bit 0 = branch (0: unlikely)
    jumpEntry: [`\t.balign\t8`, `\t.4byte\t${L} - .`, `\t.4byte\t${L}_yes - .`, `\t.8byte\t${staticKeyName(key)} - .`],
  };
}
