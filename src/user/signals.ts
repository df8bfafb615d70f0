// Linux signals as far as user mode needs them: which one an exception raises, names, and default actions
// (signals are never delivered to handlers: a fatal one ends the process, as with the default action).
export interface GuestSignal {
  number: number;
  name: string;
  description: string;
}

const TABLE: Record<number, [string, string]> = {
  1: ['SIGHUP', 'Hangup'],
  2: ['SIGINT', 'Interrupt'],
  3: ['SIGQUIT', 'Quit'],
  4: ['SIGILL', 'Illegal instruction'],
  5: ['SIGTRAP', 'Trace/breakpoint trap'],
  6: ['SIGABRT', 'Aborted'],
  7: ['SIGBUS', 'Bus error'],
  8: ['SIGFPE', 'Floating point exception'],
  9: ['SIGKILL', 'Killed'],
  10: ['SIGUSR1', 'User defined signal 1'],
  11: ['SIGSEGV', 'Segmentation fault'],
  12: ['SIGUSR2', 'User defined signal 2'],
  13: ['SIGPIPE', 'Broken pipe'],
  14: ['SIGALRM', 'Alarm clock'],
  15: ['SIGTERM', 'Terminated'],
};

/** Signals whose default action is to ignore them or stop/continue the process (not to terminate it). */
const NOT_FATAL = new Set([17, 18, 19, 20, 21, 22, 23, 28]); // CHLD CONT STOP TSTP TTIN TTOU URG WINCH

export function signalByNumber(n: number): GuestSignal {
  const [name, description] = TABLE[n] ?? [n >= 32 ? `SIGRT${n - 32}` : `SIG${n}`, `Signal ${n}`];
  return { number: n, name, description };
}

/** Does the default action of signal n end the process? */
export function isFatalByDefault(n: number): boolean {
  return !NOT_FATAL.has(n);
}

/** The signal Linux sends for an exception with this scause. */
export function signalForTrap(cause: bigint): GuestSignal {
  switch (Number(cause)) {
    case 2:
      return signalByNumber(4);
    case 3:
      return signalByNumber(5);
    case 0:
    case 4:
    case 6:
      return signalByNumber(7);
    default:
      return signalByNumber(11);
  }
}
