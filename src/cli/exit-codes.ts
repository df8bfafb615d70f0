// Process exit statuses shared by every CLI verb (a contract for scripts; extend, never renumber).

/** Bad command line (unknown verb, missing or malformed option). */
export const EXIT_USAGE = 64;
/** Bad input file (malformed ELF, assembly error, unknown symbol). */
export const EXIT_DATAERR = 65;
/** Internal error: a bug in ftrace-lab. */
export const EXIT_INTERNAL = 70;
/** The guest ran out of its instruction budget (--max-insns) before halting. */
export const EXIT_BUDGET = 124;
/** The guest stopped in a trap storm / fault loop (see the fault report on stderr). */
export const EXIT_GUEST_FAULT = 125;
