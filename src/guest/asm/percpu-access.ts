// How runtime code reaches the hart's per-CPU block: through `tp` (bare metal) or a fixed symbol (U-mode, where `tp` is the program's TLS).
import type { PercpuAccess } from '../options.js';

/**
 * Lines that make `scratch` (a register the caller treats as dead) point at the per-CPU block, and the base
 * register to use in `FIELD(base)`: 'tp' mode needs no lines and uses tp; 'symbol' mode (one hart) loads
 * `la scratch, ftrace_percpu`.
 */
export function percpuBase(mode: PercpuAccess, scratch: string): { lines: string[]; base: string } {
  if (mode === 'tp') return { lines: [], base: 'tp' };
  return { lines: [`\tla\t${scratch}, ftrace_percpu\t# per-CPU block by symbol (tp is the program's)`], base: scratch };
}
