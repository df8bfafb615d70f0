// Statements of an assembly file after parsing: what each section contains, in order, before layout.
import type { RowFields } from '../compress.js';
import type { Extension } from '../table.js';
import type { Expr } from './expr.js';
import type { Arg, InsnForm } from './forms.js';
import type { SourceLoc, TextSpan } from './source.js';

interface StmtBase {
  loc: SourceLoc;
  /** Address and size from the latest layout pass. */
  addr: number;
  size: number;
}

export interface InsnStmt extends StmtBase {
  k: 'insn';
  form: InsnForm;
  args: Arg[];
  exts: ReadonlySet<Extension>;
  /** Per machine instruction of the expansion: compressed in the latest pass / never compress again. */
  compressed: boolean[];
  locked: boolean[];
  /** The chosen encodings, once they are known not to depend on the layout. */
  cache?: RowFields[];
}

export type Stmt =
  | (StmtBase & { k: 'label'; name: string })
  | InsnStmt
  | (StmtBase & { k: 'data'; width: 1 | 2 | 4 | 8; items: Array<{ expr: Expr; span: TextSpan }> })
  | (StmtBase & { k: 'bytes'; bytes: Uint8Array })
  | (StmtBase & { k: 'fill'; repeat: Expr; unit: Expr; value: Expr })
  | (StmtBase & { k: 'align'; bytes: Expr; fill?: Expr; max?: Expr; rvc: boolean })
  | (StmtBase & { k: 'set'; name: string; expr: Expr })
  | (StmtBase & { k: 'size'; name: string; expr: Expr });

export interface SectionState {
  name: string;
  alloc: boolean;
  exec: boolean;
  write: boolean;
  nobits: boolean;
  /** Largest alignment requested inside the section (bytes). */
  align: number;
  stmts: Stmt[];
  /** Layout results. */
  addr: number;
  size: number;
}

/** A section with the default flags GNU as gives its name (flags string overrides). */
export function newSection(name: string, flags?: string, type?: string): SectionState {
  const isText = /^\.text(\.|$)/.test(name) || name === '.init' || name === '.fini';
  const isBss = /^\.(s?bss|tbss)(\.|$)/.test(name);
  const isData = /^\.(s?data|tdata|init_array|fini_array)(\.|$)/.test(name) || /^\.srodata/.test(name);
  const isRo = /^\.rodata(\.|$)/.test(name);
  const s: SectionState = {
    name,
    alloc: isText || isBss || isData || isRo,
    exec: isText,
    write: isBss || isData,
    nobits: isBss,
    align: 1,
    stmts: [],
    addr: 0,
    size: 0,
  };
  if (flags !== undefined) {
    s.alloc = flags.includes('a');
    s.exec = flags.includes('x');
    s.write = flags.includes('w');
  }
  if (type !== undefined) s.nobits = type === 'nobits';
  return s;
}

/** A statement as the parser creates it (layout fields filled in later). */
export type StmtInit = Stmt extends infer S ? (S extends Stmt ? Omit<S, 'loc' | 'addr' | 'size'> : never) : never;
