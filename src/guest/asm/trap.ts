// Trap vector for unexpected traps (report mcause/mepc/mtval/hart on the UART, exit with GUEST_TRAP_EXIT_CODE) and UART print helpers.
import { asmFunction } from './function.js';

/** Exit code of a run that took an unexpected trap (tohost value (code << 1) | 1). */
export const GUEST_TRAP_EXIT_CODE = 0xbad;

/** Inline: write byte a0 to the 16550 THR once LSR says it is empty. Clobbers t1, t2. */
function putc(tag: string): string[] {
  return [
    `\tli\tt1, UART_BASE`,
    `.L${tag}_wait:`,
    `\tlbu\tt2, UART_LSR(t1)`,
    `\tandi\tt2, t2, UART_LSR_THRE`,
    `\tbeqz\tt2, .L${tag}_wait`,
    `\tsb\ta0, UART_THR(t1)`,
  ];
}

/** guest_putc(a0), guest_puts(a0 = NUL-terminated string), guest_puthex(a0): leaves, no stack, t0-t4 clobbered. */
export function uartSource(): string {
  return [
    asmFunction('guest_putc', [...putc('putc'), `\tret`]),
    asmFunction('guest_puts', [
      `\tmv\tt0, a0`,
      `.Lputs_loop:`,
      `\tlbu\ta0, 0(t0)`,
      `\tbeqz\ta0, .Lputs_done`,
      ...putc('puts'),
      `\taddi\tt0, t0, 1`,
      `\tj\t.Lputs_loop`,
      `.Lputs_done:`,
      `\tret`,
    ]),
    asmFunction('guest_puthex', [
      `\tmv\tt3, a0`,
      `\tli\ta0, 48\t\t\t# '0'`,
      ...putc('hex0'),
      `\tli\ta0, 120\t\t\t# 'x'`,
      ...putc('hexx'),
      `\tli\tt4, 60`,
      `.Lhex_loop:`,
      `\tsrl\ta0, t3, t4`,
      `\tandi\ta0, a0, 15`,
      `\taddi\ta0, a0, 48`,
      `\tli\tt0, 58`,
      `\tbltu\ta0, t0, .Lhex_digit`,
      `\taddi\ta0, a0, 39\t\t\t# 'a'..'f'`,
      `.Lhex_digit:`,
      ...putc('hexd'),
      `\taddi\tt4, t4, -4`,
      `\tbgez\tt4, .Lhex_loop`,
      `\tret`,
    ]),
  ].join('\n');
}

/** guest_trap_vector: "*** unexpected trap: mcause=0x.. mepc=0x.. mtval=0x.. hart=0x..\n", then exit(GUEST_TRAP_EXIT_CODE). */
export function trapSource(): string {
  const field = (label: string, csr: string) => [`\tla\ta0, ${label}`, `\tcall\tguest_puts`, `\tcsrr\ta0, ${csr}`, `\tcall\tguest_puthex`];
  return [
    `\t.balign\t4`,
    asmFunction('guest_trap_vector', [
      `\tcsrr\tt6, mscratch\t\t# per-hart block (tp may be what trapped)`,
      `\tbeqz\tt6, 1f`,
      `\tld\tt5, PERCPU_TRAP_COUNT(t6)`,
      `\taddi\tt5, t5, 1`,
      `\tsd\tt5, PERCPU_TRAP_COUNT(t6)`,
      `1:`,
      ...field('.Ltrap_msg_cause', 'mcause'),
      ...field('.Ltrap_msg_epc', 'mepc'),
      ...field('.Ltrap_msg_tval', 'mtval'),
      ...field('.Ltrap_msg_hart', 'mhartid'),
      `\tla\ta0, .Ltrap_msg_end`,
      `\tcall\tguest_puts`,
      `\tli\ta0, ${GUEST_TRAP_EXIT_CODE}`,
      `\tj\tguest_exit`,
    ]),
  ].join('\n');
}

/** The trap report's strings (.rodata). */
export function trapStringsSource(): string {
  return [
    `\t.section\t.rodata`,
    `.Ltrap_msg_cause:\t.asciz\t"*** unexpected trap: mcause="`,
    `.Ltrap_msg_epc:\t.asciz\t" mepc="`,
    `.Ltrap_msg_tval:\t.asciz\t" mtval="`,
    `.Ltrap_msg_hart:\t.asciz\t" hart="`,
    `.Ltrap_msg_end:\t.asciz\t"\\n"`,
    `\t.text`,
  ].join('\n');
}
