// Names of the standard user, supervisor, machine and debug/trigger CSRs (RV64) and their numbers.

const FIXED: ReadonlyArray<readonly [string, number]> = [
  // unprivileged floating-point and counters
  ['fflags', 0x001], ['frm', 0x002], ['fcsr', 0x003],
  ['cycle', 0xc00], ['time', 0xc01], ['instret', 0xc02],
  // supervisor
  ['sstatus', 0x100], ['sie', 0x104], ['stvec', 0x105], ['scounteren', 0x106], ['senvcfg', 0x10a],
  ['sscratch', 0x140], ['sepc', 0x141], ['scause', 0x142], ['stval', 0x143], ['sip', 0x144],
  ['satp', 0x180], ['scontext', 0x5a8],
  // machine information, trap setup and handling
  ['mvendorid', 0xf11], ['marchid', 0xf12], ['mimpid', 0xf13], ['mhartid', 0xf14], ['mconfigptr', 0xf15],
  ['mstatus', 0x300], ['misa', 0x301], ['medeleg', 0x302], ['mideleg', 0x303], ['mie', 0x304],
  ['mtvec', 0x305], ['mcounteren', 0x306], ['menvcfg', 0x30a], ['mcountinhibit', 0x320],
  ['mscratch', 0x340], ['mepc', 0x341], ['mcause', 0x342], ['mtval', 0x343], ['mip', 0x344],
  ['mtinst', 0x34a], ['mtval2', 0x34b], ['mseccfg', 0x747],
  ['mcycle', 0xb00], ['minstret', 0xb02],
  // hypervisor and virtual supervisor
  ['hstatus', 0x600], ['hedeleg', 0x602], ['hideleg', 0x603], ['hie', 0x604], ['htimedelta', 0x605], ['hcounteren', 0x606],
  ['hgeie', 0x607], ['henvcfg', 0x60a], ['htval', 0x643], ['hip', 0x644], ['hvip', 0x645], ['htinst', 0x64a],
  ['hgatp', 0x680], ['hcontext', 0x6a8], ['hgeip', 0xe12],
  ['vsstatus', 0x200], ['vsie', 0x204], ['vstvec', 0x205], ['vsscratch', 0x240], ['vsepc', 0x241], ['vscause', 0x242],
  ['vstval', 0x243], ['vsip', 0x244], ['vsatp', 0x280],
  // debug / trigger module
  ['tselect', 0x7a0], ['tdata1', 0x7a1], ['tdata2', 0x7a2], ['tdata3', 0x7a3], ['tinfo', 0x7a4],
  ['tcontrol', 0x7a5], ['mcontext', 0x7a8], ['dcsr', 0x7b0], ['dpc', 0x7b1], ['dscratch0', 0x7b2],
  ['dscratch1', 0x7b3],
];

function buildTable(): Array<readonly [string, number]> {
  const rows: Array<readonly [string, number]> = [...FIXED];
  for (let i = 3; i <= 31; i++) {
    rows.push([`hpmcounter${i}`, 0xc00 + i]);
    rows.push([`mhpmcounter${i}`, 0xb00 + i]);
    rows.push([`mhpmevent${i}`, 0x320 + i]);
  }
  for (let i = 0; i < 16; i++) rows.push([`pmpcfg${i}`, 0x3a0 + i]);
  for (let i = 0; i < 64; i++) rows.push([`pmpaddr${i}`, 0x3b0 + i]);
  return rows;
}

/** Every named CSR as [name, number]. */
export const CSR_TABLE: ReadonlyArray<readonly [string, number]> = buildTable();

const BY_NAME = new Map<string, number>(CSR_TABLE.map(([n, v]) => [n, v]));
const BY_NUMBER = new Map<number, string>();
for (const [n, v] of CSR_TABLE) if (!BY_NUMBER.has(v)) BY_NUMBER.set(v, n);
BY_NAME.set('dscratch', 0x7b2); // old spelling accepted by GNU as

/** CSR number of a name, or undefined. */
export function csrNumber(name: string): number | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Preferred name of a CSR number, or undefined when it has none. */
export function csrName(num: number): string | undefined {
  return BY_NUMBER.get(num);
}
