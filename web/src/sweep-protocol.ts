// Messages between the page and the sweep worker (the overhead sweep runs off the main thread).
import type { SweepRow } from '../../src/lab/overhead-sweep.js';

export interface SweepRequest {
  readonly module: WebAssembly.Module;
  readonly schemes: readonly string[];
  readonly rows: readonly (readonly [number, number])[];
  readonly calls: number;
  readonly repeats: number;
  readonly saveRegs: boolean;
}

export type SweepMessage =
  | { readonly type: 'row'; readonly done: number; readonly total: number; readonly row: SweepRow }
  | { readonly type: 'done'; readonly rows: readonly SweepRow[]; readonly seconds: number }
  | { readonly type: 'failed'; readonly message: string; readonly code?: string };
