// A BPF-style fentry/fexit direct trampoline: records entry (a0, a1, parent) and exit (return value) into its map around a call of the original function.
//
// Entered from a patched site as a direct trampoline: t0 = func + 8 (the body after the site), ra = the parent's
// return address, a0-a7 = the arguments (arguments on the stack are not supported: like the first riscv BPF
// trampolines, at most the 8 argument registers). Like arch_prepare_bpf_trampoline with BPF_TRAMP_F_CALL_ORIG: the
// fentry program runs, the original body is called (its return comes back here), the fexit program runs, and the
// trampoline returns to the parent. The "programs" are the two map appends below.
//
// Map layout (FENTRY_MAP_*): +0 count (next index, amoadd), +8 capacity, +16 lost, +24 records of 32 bytes:
// {kind (1 = entry, 2 = exit), a0 (exit: return value), a1, parent return address}.
export const FENTRY_MAP_COUNT = 0;
export const FENTRY_MAP_CAPACITY = 8;
export const FENTRY_MAP_LOST = 16;
export const FENTRY_MAP_RECORDS = 24;
export const FENTRY_RECORD_SIZE = 32;
export const FENTRY_KIND_ENTRY = 1;
export const FENTRY_KIND_EXIT = 2;

/** Bytes of a map with room for `capacity` records. */
export function fentryMapBytes(capacity: number): number {
  return FENTRY_MAP_RECORDS + FENTRY_RECORD_SIZE * capacity;
}

/** Append {kind, a0, a1, parent = `parent` register} to the map (clobbers t1-t4). */
function append(tag: string, kind: number, parent: string): string[] {
  return [
    `\tla\tt1, FENTRY_MAP`,
    `\tli\tt2, 1`,
    `\tamoadd.d\tt3, t2, (t1)\t\t# idx = map->count++`,
    `\tld\tt4, ${FENTRY_MAP_CAPACITY}(t1)`,
    `\tbgeu\tt3, t4, .L${tag}_lost`,
    `\tslli\tt3, t3, 5`,
    `\tadd\tt3, t3, t1`,
    `\tli\tt2, ${kind}`,
    `\tsd\tt2, ${FENTRY_MAP_RECORDS}(t3)`,
    `\tsd\ta0, ${FENTRY_MAP_RECORDS + 8}(t3)`,
    `\tsd\ta1, ${FENTRY_MAP_RECORDS + 16}(t3)`,
    `\tsd\t${parent}, ${FENTRY_MAP_RECORDS + 24}(t3)`,
    `\tj\t.L${tag}_done`,
    `.L${tag}_lost:`,
    `\taddi\tt1, t1, ${FENTRY_MAP_LOST}`,
    `\tamoadd.d\tzero, t2, (t1)`,
    `.L${tag}_done:`,
  ];
}

/** The trampoline's assembly for a map at `map` (assemble it at the address it will run from). */
export function fentryFexitSource(map: number): string {
  return [
    `\t.text`,
    `\t.equ\tFENTRY_MAP, ${map}`,
    `\taddi\tsp, sp, -16`,
    `\tsd\tra, 0(sp)\t\t\t# the parent's return address`,
    `\tsd\tt0, 8(sp)\t\t\t# the original body`,
    ...append('entry', FENTRY_KIND_ENTRY, 'ra'),
    `\tld\tt0, 8(sp)`,
    `\tjalr\tra, 0(t0)\t\t\t# call the original function (BPF_TRAMP_F_CALL_ORIG)`,
    `\tld\tt5, 0(sp)`,
    ...append('exit', FENTRY_KIND_EXIT, 't5'),
    `\tld\tra, 0(sp)`,
    `\taddi\tsp, sp, 16`,
    `\tret\t\t\t\t# to the parent, with the function's return value`,
    '',
  ].join('\n');
}
