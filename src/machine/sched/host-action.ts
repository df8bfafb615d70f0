// Host actions scheduled between hart instructions (deterministic mode): memory writes, IPIs, CSR and register pokes.
import type { Machine } from '../machine.js';

/** What the host does at a scheduled step: a descriptor, or any function of the machine. */
export type HostAction =
  | { write: { addr: number; bytes: Uint8Array } }
  | { ipi: number }
  | { csr: { hart: number; csr: number | string; value: bigint | number } }
  | { reg: { hart: number; reg: number | string; value: bigint | number } }
  | { flushIcache: number }
  | ((m: Machine) => void);

export function runHostAction(m: Machine, a: HostAction): void {
  if (typeof a === 'function') a(m);
  else if ('write' in a) m.memory.write(a.write.addr, a.write.bytes);
  else if ('ipi' in a) m.sendIpi(a.ipi);
  else if ('csr' in a) m.hart(a.csr.hart).setCsr(a.csr.csr, a.csr.value);
  else if ('reg' in a) m.hart(a.reg.hart).setX(a.reg.reg, a.reg.value);
  else m.flushIcache(a.flushIcache);
}
