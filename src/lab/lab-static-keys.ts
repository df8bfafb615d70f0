// lab.staticKeys: static_key_enable/disable/slow_inc/slow_dec on the guest's __jump_table, applied through the Lab's patch protocol.

import { readJumpTable, StaticKeys, type JumpEntry, type ReadText } from '../ftrace/jump-label.js';
import type { PatchPlan } from '../ftrace/patch-plan.js';
import type { CodePatcher, PatchReport } from '../patch/code-patcher.js';
import { JUMP_TABLE_START, JUMP_TABLE_STOP } from '../workload/static-key-sites.js';
import { LabError } from './errors.js';
import type { UpdateLog } from './update-log.js';

/** A key: its symbol (e.g. 'static_key_0') or its address. */
export type KeyRef = string | number;

export class LabStaticKeys {
  private readonly keys: StaticKeys;
  /** Report of the last applied update (sites rewritten, IPIs, host time). */
  lastReport: PatchReport | null = null;
  private last: PatchPlan | null = null;

  constructor(
    read: ReadText,
    private readonly symbols: ReadonlyMap<string, number>,
    private readonly patcher: CodePatcher,
    private readonly updates: UpdateLog,
  ) {
    this.keys = new StaticKeys(readJumpTable(read, symbols.get(JUMP_TABLE_START)!, symbols.get(JUMP_TABLE_STOP)!));
  }

  /** Does the guest have a __jump_table (the linker's __start___jump_table / __stop___jump_table)? */
  static present(symbols: ReadonlyMap<string, number>): boolean {
    return symbols.has(JUMP_TABLE_START) && symbols.has(JUMP_TABLE_STOP);
  }

  entries(): readonly JumpEntry[] {
    return this.keys.entries;
  }

  /** static_key_count. */
  count(key: KeyRef): number {
    return this.keys.count(this.addr(key));
  }

  async enable(key: KeyRef): Promise<void> {
    return this.apply(this.keys.enable(this.addr(key)), `static_key_enable ${String(key)}`);
  }

  async disable(key: KeyRef): Promise<void> {
    return this.apply(this.keys.disable(this.addr(key)), `static_key_disable ${String(key)}`);
  }

  async slowInc(key: KeyRef): Promise<void> {
    return this.apply(this.keys.slowInc(this.addr(key)), `static_key_slow_inc ${String(key)}`);
  }

  async slowDec(key: KeyRef): Promise<void> {
    return this.apply(this.keys.slowDec(this.addr(key)), `static_key_slow_dec ${String(key)}`);
  }

  /** The plan of the last change. */
  plan(): PatchPlan | null {
    return this.last;
  }

  private addr(key: KeyRef): number {
    if (typeof key === 'number') return key;
    const a = this.symbols.get(key);
    if (a === undefined) throw new LabError('LAB_BAD_OPTION', `no static key symbol '${key}'`);
    return a;
  }

  private async apply(plan: PatchPlan, what: string): Promise<void> {
    this.last = plan;
    const rec = this.updates.add(what);
    const report = await this.patcher.apply(plan);
    rec.report = report;
    this.lastReport = report;
  }
}

