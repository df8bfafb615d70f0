// The runtime's trap vector: saves the interrupted context in the per-CPU trap frame and dispatches IPIs and text_poke_bp breakpoints; anything else is reported (mcause/mepc/mtval/hart on the UART) and ends the run.
import { asmFunction } from './function.js';

/** Exit code of a run that took an unexpected trap (tohost value (code << 1) | 1). */
export const GUEST_TRAP_EXIT_CODE = 0xbad;

/** mcause of a machine software interrupt (CLINT msip): interrupt bit | 3. */
const MCAUSE_MSI = '0x8000000000000003';
/** mcause of `ebreak` / `c.ebreak`. */
const MCAUSE_BREAKPOINT = 3;

const frame = (n: number) => `PERCPU_TRAP_FRAME+${8 * n}(tp)`;
/** x1..x31 without tp (x4): what the vector saves and the return path restores. */
const SAVED = Array.from({ length: 31 }, (_, i) => i + 1).filter((n) => n !== 4);

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

/**
 * guest_trap_vector (mtvec, direct mode). mscratch holds this hart's per-CPU block (set at boot): the vector swaps it
 * into tp, saves x1..x31 into the trap frame (x0's slot reads 0, so handlers can index registers by number), stamps
 * `time`/minstret, and dispatches: a machine software interrupt goes to ipi_handler, a breakpoint to
 * text_poke_bp_handler; both return through guest_trap_return, which charges their time and instructions to the
 * hart's handler counters and restores the context. Everything else is guest_unexpected_trap.
 */
export function trapSource(): string {
  return [
    `\t.balign\t4`,
    asmFunction('guest_trap_vector', [
      `\tcsrrw\ttp, mscratch, tp\t\t# tp = per-CPU block, mscratch = the interrupted tp`,
      ...SAVED.map((n) => `\tsd\tx${n}, ${frame(n)}`),
      `\tcsrr\tt0, mscratch`,
      `\tsd\tt0, ${frame(4)}\t\t# the interrupted tp`,
      `\tcsrw\tmscratch, tp`,
      `\tsd\tzero, ${frame(0)}`,
      `\trdtime\tt0`,
      `\tsd\tt0, PERCPU_ENTRY_TICKS(tp)`,
      `\tcsrr\tt0, minstret`,
      `\tsd\tt0, PERCPU_ENTRY_INSNS(tp)`,
      `\tcsrr\tt0, mcause`,
      `\tli\tt1, ${MCAUSE_BREAKPOINT}`,
      `\tbne\tt0, t1, 1f`,
      `\tj\ttext_poke_bp_handler`,
      `1:`,
      `\tli\tt1, ${MCAUSE_MSI}`,
      `\tbne\tt0, t1, 2f`,
      `\tj\tipi_handler`,
      `2:`,
      `\tj\tguest_unexpected_trap`,
    ]),
    asmFunction('guest_trap_return', [
      `\trdtime\tt0`,
      `\tld\tt1, PERCPU_ENTRY_TICKS(tp)`,
      `\tsub\tt0, t0, t1`,
      `\tld\tt1, PERCPU_HANDLER_TICKS(tp)`,
      `\tadd\tt1, t1, t0`,
      `\tsd\tt1, PERCPU_HANDLER_TICKS(tp)`,
      `\tcsrr\tt0, minstret`,
      `\tld\tt1, PERCPU_ENTRY_INSNS(tp)`,
      `\tsub\tt0, t0, t1`,
      `\tld\tt1, PERCPU_HANDLER_INSNS(tp)`,
      `\tadd\tt1, t1, t0`,
      `\tsd\tt1, PERCPU_HANDLER_INSNS(tp)`,
      ...SAVED.map((n) => `\tld\tx${n}, ${frame(n)}`),
      `\tld\ttp, ${frame(4)}`,
      `\tmret`,
    ]),
    asmFunction('guest_unexpected_trap', [
      `\tld\tt5, PERCPU_TRAP_COUNT(tp)`,
      `\taddi\tt5, t5, 1`,
      `\tsd\tt5, PERCPU_TRAP_COUNT(tp)`,
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

function field(label: string, csr: string): string[] {
  return [`\tla\ta0, ${label}`, `\tcall\tguest_puts`, `\tcsrr\ta0, ${csr}`, `\tcall\tguest_puthex`];
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
