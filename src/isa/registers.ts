// Register names of the RISC-V integer (x) and floating-point (f) register files, ABI and numeric.

/** ABI names of x0..x31 as objdump prints them. */
export const X_ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

/** ABI names of f0..f31 as objdump prints them. */
export const F_ABI_NAMES: readonly string[] = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
];

function buildIndex(abi: readonly string[], prefix: string): Map<string, number> {
  const m = new Map<string, number>();
  abi.forEach((n, i) => {
    m.set(n, i);
    m.set(`${prefix}${i}`, i);
  });
  return m;
}

const X_INDEX = buildIndex(X_ABI_NAMES, 'x');
X_INDEX.set('fp', 8);
const F_INDEX = buildIndex(F_ABI_NAMES, 'f');

/** Number of an integer register name (`a0`, `x10`, `fp`), or undefined. */
export function xRegNumber(name: string): number | undefined {
  return X_INDEX.get(name.toLowerCase());
}

/** Number of a floating-point register name (`fa0`, `f10`), or undefined. */
export function fRegNumber(name: string): number | undefined {
  return F_INDEX.get(name.toLowerCase());
}

export function xRegName(n: number): string {
  return X_ABI_NAMES[n & 31]!;
}

export function fRegName(n: number): string {
  return F_ABI_NAMES[n & 31]!;
}
