// Converting raw a0..a5 register values into the C types of syscall parameters.

/** A C int (low 32 bits, signed). */
export const int = (v: bigint | undefined): number => Number(BigInt.asIntN(32, v ?? 0n));

/** A C unsigned int (low 32 bits). */
export const uint = (v: bigint | undefined): number => Number(BigInt.asUintN(32, v ?? 0n));

/** A pointer or size_t as a JS number (values past 2^53 stay huge, and fail address checks). */
export const ulong = (v: bigint | undefined): number => Number(BigInt.asUintN(64, v ?? 0n));

/** A signed long (off_t). */
export const long = (v: bigint | undefined): number => Number(BigInt.asIntN(64, v ?? 0n));
