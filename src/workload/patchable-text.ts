// Emits functions with GCC's -fpatchable-function-entry layout (pre-entry literal NOPs, entry NOPs, alignment) and the __patchable_function_entries table.
import { SITE_LAYOUTS, type SiteLayout, type SiteLayoutKind } from '../ftrace/site-layout.js';
import { WorkloadError } from './errors.js';
import { insnText, type KernelInsn } from './kernel-insn.js';
import type { KernelSink } from './kernel-sink.js';

/** Name of the table section, as GCC emits it (the linker defines __start_/__stop_ symbols around it). */
export const PATCHABLE_ENTRIES_SECTION = '__patchable_function_entries';
export const PATCHABLE_ENTRIES_START = '__start___patchable_function_entries';
export const PATCHABLE_ENTRIES_STOP = '__stop___patchable_function_entries';

const SYMBOL = /^[A-Za-z_][\w.$]*$/;

const line = (l: string | KernelInsn): string => (typeof l === 'string' ? l : insnText(l));

/** Collects functions in one text; `finish()` returns the assembly (text + entries table). */
export class PatchableTextBuilder implements KernelSink {
  readonly layout: SiteLayout;
  private readonly text: string[] = [];
  private readonly data: string[] = [];
  private readonly entries: string[] = [];
  private readonly jumpTable: string[] = [];
  private readonly names = new Set<string>();

  constructor(kind: SiteLayoutKind = 'rvc-8,4') {
    const layout = SITE_LAYOUTS[kind];
    if (!layout) throw new WorkloadError('WORKLOAD_BAD_OPTION', `unknown site layout '${String(kind)}' (known: ${Object.keys(SITE_LAYOUTS).join(', ')})`);
    this.layout = layout;
  }

  /** Number of patchable functions so far. */
  get patchableCount(): number {
    return this.entries.length;
  }

  private claim(name: string): void {
    if (!SYMBOL.test(name)) throw new WorkloadError('WORKLOAD_BAD_OPTION', `'${name}' is not a symbol name`);
    if (this.names.has(name)) throw new WorkloadError('WORKLOAD_BAD_OPTION', `function '${name}' defined twice`);
    this.names.add(name);
  }

  /** The compiler's NOPs as one data statement (the same bytes as GCC's `c.nop`/`nop` lines, much cheaper to assemble). */
  private nops(bytes: number): string {
    const count = bytes / this.layout.nopBytes;
    return this.layout.nopBytes === 2 ? `\t.2byte\t${Array(count).fill('0x0001').join(', ')}\t# c.nop` : `\t.4byte\t${Array(count).fill('0x00000013').join(', ')}\t# nop`;
  }

  /**
   * A patchable function: alignment padding, the pre-entry NOPs (CALL_OPS literal slot or s390-hotpatch second stage) labelled for the table, the
   * symbol, the entry NOPs, then `body` (instruction lines, ending in a return).
   */
  addFunction(name: string, body: readonly (string | KernelInsn)[]): void {
    this.claim(name);
    const pfe = `.LPFE${this.entries.length}`;
    this.entries.push(pfe);
    const pre = this.layout.preEntryBytes;
    this.text.push(
      `\t.balign\t${this.layout.functionAlign}`,
      ...(pre ? [`${pfe}:`, this.nops(pre)] : []),
      `\t.globl\t${name}`,
      `\t.type\t${name}, @function`,
      `${name}:`,
      ...(pre ? [] : [`${pfe}:`]),
      this.nops(this.layout.entryBytes),
      ...body.map(line),
      `\t.size\t${name}, .-${name}`,
    );
  }

  /** A function without patch area (notrace), e.g. a benchmark driver. */
  addNotraceFunction(name: string, body: readonly (string | KernelInsn)[]): void {
    this.claim(name);
    this.text.push(`\t.balign\t4`, `\t.globl\t${name}`, `\t.type\t${name}, @function`, `${name}:`, ...body.map(line), `\t.size\t${name}, .-${name}`);
  }

  /** A u64 in .data the host can read or set. */
  addDataWord(name: string, value: number | bigint = 0): void {
    this.claim(name);
    this.data.push(`\t.globl\t${name}`, `\t.type\t${name}, @object`, `${name}:`, `\t.dword\t${value}`, `\t.size\t${name}, 8`);
  }

  /** One struct jump_entry (lines of the __jump_table section). */
  addJumpEntry(lines: readonly string[]): void {
    this.jumpTable.push(...lines);
  }

  /** A zeroed u64 array in .data. */
  addDataArray(name: string, count: number): void {
    this.claim(name);
    this.data.push(`\t.globl\t${name}`, `\t.type\t${name}, @object`, `${name}:`, `\t.zero\t${8 * count}`, `\t.size\t${name}, ${8 * count}`);
  }

  /** The assembly: text (norvc layouts inside .option norvc), data, and the entries table. */
  finish(): string {
    const norvc = this.layout.nopBytes === 4;
    const table: string[] = [];
    for (let i = 0; i < this.entries.length; i += 8) table.push(`\t.dword\t${this.entries.slice(i, i + 8).join(', ')}`);
    return [
      `\t.text`,
      ...(norvc ? [`\t.option\tpush`, `\t.option\tnorvc`] : []),
      ...this.text,
      ...(norvc ? [`\t.option\tpop`] : []),
      `\t.data`,
      `\t.balign\t8`,
      ...this.data,
      ...(table.length
        ? [
            `\t.section\t${PATCHABLE_ENTRIES_SECTION}, "aw", @progbits`,
            `\t.balign\t8`,
            `\t.globl\t${PATCHABLE_ENTRIES_START}`,
            `${PATCHABLE_ENTRIES_START}:`,
            ...table,
            `\t.globl\t${PATCHABLE_ENTRIES_STOP}`,
            `${PATCHABLE_ENTRIES_STOP}:`,
          ]
        : []),
      ...(this.jumpTable.length
        ? [`\t.section\t__jump_table, "aw", @progbits`, `\t.balign\t8`, `\t.globl\t__start___jump_table`, `__start___jump_table:`, ...this.jumpTable, `\t.globl\t__stop___jump_table`, `__stop___jump_table:`]
        : []),
      `\t.text`,
      '',
    ].join('\n');
  }
}
