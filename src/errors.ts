// Typed errors: every failure a user can cause surfaces as a FtraceLabError subclass with a code.

/** Base class of every error ftrace-lab throws on bad input or a failed guest run. */
export class FtraceLabError extends Error {
  /** Stable machine-readable code, e.g. 'ELF_NOT_ELF', 'ASM_SYNTAX'. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}
