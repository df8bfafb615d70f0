// The gdb target description (target.xml) of an RV64 hart: x0-x31 and pc, f0-f31 and fflags/frm/fcsr, the CSRs the
// engine implements, and the privilege level, each with `regnum` = gdb's own register number (riscv-tdep.h), so the
// numbers in p/P packets map 1:1 onto registers.

const X_NAMES = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 'fp', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'] as const;
const F_NAMES = ['ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11'] as const;

/** gdb register numbers (riscv-tdep.h): x0-x31 0-31, pc 32, f0-f31 33-64, CSR n at 65 + n, priv 4161. */
export const REG_PC = 32;
export const REG_F0 = 33;
export const REG_CSR0 = 65;
export const REG_PRIV = 4161;
/** The floating-point CSRs: 32-bit registers in the fpu feature. */
export const FP_CSRS = [['fflags', 1], ['frm', 2], ['fcsr', 3]] as const;

const xType = (name: string): string => (name === 'ra' ? 'code_ptr' : name === 'sp' || name === 'gp' || name === 'tp' || name === 'fp' ? 'data_ptr' : 'int');

/** The whole description for the given CSRs ([name, number], without fflags/frm/fcsr). */
export function targetXml(csrs: readonly (readonly [string, number])[]): string {
  const lines = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '<architecture>riscv:rv64</architecture>',
    '<feature name="org.gnu.gdb.riscv.cpu">',
    ...X_NAMES.map((n, i) => `  <reg name="${n}" bitsize="64" type="${xType(n)}" regnum="${i}"/>`),
    `  <reg name="pc" bitsize="64" type="code_ptr" regnum="${REG_PC}"/>`,
    '</feature>',
    '<feature name="org.gnu.gdb.riscv.fpu">',
    ...F_NAMES.map((n, i) => `  <reg name="${n}" bitsize="64" type="ieee_double" regnum="${REG_F0 + i}"/>`),
    ...FP_CSRS.map(([n, c]) => `  <reg name="${n}" bitsize="32" type="int" regnum="${REG_CSR0 + c}"/>`),
    '</feature>',
    '<feature name="org.gnu.gdb.riscv.csr">',
    ...csrs.map(([n, c]) => `  <reg name="${n}" bitsize="64" type="int" regnum="${REG_CSR0 + c}" group="csr"/>`),
    '</feature>',
    '<feature name="org.gnu.gdb.riscv.virtual">',
    `  <reg name="priv" bitsize="64" type="int" regnum="${REG_PRIV}"/>`,
    '</feature>',
    '</target>',
  ];
  return lines.join('\n') + '\n';
}
