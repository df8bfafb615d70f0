// Flag words of struct ftrace_ops (FTRACE_OPS_FL_*) and struct dyn_ftrace (FTRACE_FL_*), with the kernel's bit values.

// ---- struct ftrace_ops flags (include/linux/ftrace.h, enum FTRACE_OPS_FL_*)
export const FTRACE_OPS_FL_ENABLED = 1 << 0;
export const FTRACE_OPS_FL_DYNAMIC = 1 << 1;
export const FTRACE_OPS_FL_SAVE_REGS = 1 << 2;
export const FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED = 1 << 3;
export const FTRACE_OPS_FL_RECURSION = 1 << 4;
export const FTRACE_OPS_FL_STUB = 1 << 5;
export const FTRACE_OPS_FL_INITIALIZED = 1 << 6;
export const FTRACE_OPS_FL_DELETED = 1 << 7;
export const FTRACE_OPS_FL_ADDING = 1 << 8;
export const FTRACE_OPS_FL_REMOVING = 1 << 9;
export const FTRACE_OPS_FL_MODIFYING = 1 << 10;
export const FTRACE_OPS_FL_ALLOC_TRAMP = 1 << 11;
export const FTRACE_OPS_FL_IPMODIFY = 1 << 12;
export const FTRACE_OPS_FL_PID = 1 << 13;
export const FTRACE_OPS_FL_RCU = 1 << 14;
export const FTRACE_OPS_FL_TRACE_ARRAY = 1 << 15;
export const FTRACE_OPS_FL_PERMANENT = 1 << 16;
export const FTRACE_OPS_FL_DIRECT = 1 << 17;

/** Flags a user may pass when creating an ops; the others are owned by the core. */
export const FTRACE_OPS_USER_FLAGS =
  FTRACE_OPS_FL_SAVE_REGS |
  FTRACE_OPS_FL_SAVE_REGS_IF_SUPPORTED |
  FTRACE_OPS_FL_RECURSION |
  FTRACE_OPS_FL_STUB |
  FTRACE_OPS_FL_IPMODIFY |
  FTRACE_OPS_FL_PID |
  FTRACE_OPS_FL_RCU |
  FTRACE_OPS_FL_TRACE_ARRAY |
  FTRACE_OPS_FL_PERMANENT |
  FTRACE_OPS_FL_DIRECT;

// ---- struct dyn_ftrace flags (rec->flags): state bits on top, reference count in the low bits.
// Values as after the CALL_OPS patch (FTRACE_REF_MAX_SHIFT = 21). `>>> 0` keeps them unsigned.
export const FTRACE_FL_ENABLED = (1 << 31) >>> 0;
export const FTRACE_FL_REGS = 1 << 30;
export const FTRACE_FL_REGS_EN = 1 << 29;
export const FTRACE_FL_TRAMP = 1 << 28;
export const FTRACE_FL_TRAMP_EN = 1 << 27;
export const FTRACE_FL_IPMODIFY = 1 << 26;
export const FTRACE_FL_DISABLED = 1 << 25;
export const FTRACE_FL_DIRECT = 1 << 24;
export const FTRACE_FL_DIRECT_EN = 1 << 23;
export const FTRACE_FL_CALL_OPS = 1 << 22;
export const FTRACE_FL_CALL_OPS_EN = 1 << 21;

export const FTRACE_REF_MAX_SHIFT = 21;
export const FTRACE_REF_MAX = (1 << FTRACE_REF_MAX_SHIFT) - 1;
/** Mask of the state bits (everything above the reference count). */
export const FTRACE_FL_MASK = ~FTRACE_REF_MAX >>> 0;

/** ftrace_rec_count(): the number of enabled ops whose hashes select this record. */
export function ftraceRecCount(flags: number): number {
  return flags & FTRACE_REF_MAX;
}

/** Names of the set state bits of a record, high bit first (for debugging and the enabled_functions file). */
export function recordFlagNames(flags: number): string[] {
  const names: [number, string][] = [
    [FTRACE_FL_ENABLED, 'ENABLED'],
    [FTRACE_FL_REGS, 'REGS'],
    [FTRACE_FL_REGS_EN, 'REGS_EN'],
    [FTRACE_FL_TRAMP, 'TRAMP'],
    [FTRACE_FL_TRAMP_EN, 'TRAMP_EN'],
    [FTRACE_FL_IPMODIFY, 'IPMODIFY'],
    [FTRACE_FL_DISABLED, 'DISABLED'],
    [FTRACE_FL_DIRECT, 'DIRECT'],
    [FTRACE_FL_DIRECT_EN, 'DIRECT_EN'],
    [FTRACE_FL_CALL_OPS, 'CALL_OPS'],
    [FTRACE_FL_CALL_OPS_EN, 'CALL_OPS_EN'],
  ];
  return names.filter(([bit]) => (flags & bit) !== 0).map(([, n]) => n);
}
