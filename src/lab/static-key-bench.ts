// The static-key table: per-call cost with the key off and on, and one enable/disable (host ms, sites rewritten) per patch protocol.
import { PROTOCOL_NAMES, type ProtocolName } from '../patch/protocols/index.js';
import { dynamicCallCounts } from '../workload/call-graph.js';
import { LabError } from './errors.js';
import { Lab } from './lab.js';

export interface StaticKeyProtocolRow {
  readonly protocol: ProtocolName;
  readonly sites: number;
  /** Host ms of one static_key_enable / static_key_disable while 2 harts run (medians). */
  readonly enableMs: number;
  readonly disableMs: number;
  readonly ipis: number;
}

export interface StaticKeyTable {
  readonly functions: number;
  /** Guest instructions per site execution with the key off (the nop) and on (jal, the out-of-line block, j back). */
  readonly offInsns: number;
  readonly onInsns: number;
  readonly protocols: readonly StaticKeyProtocolRow[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Measure the table on a synthetic kernel of `functions` functions with one static_branch_unlikely site each. */
export async function runStaticKeyBench(opts: { functions?: number; repeats?: number } = {}): Promise<StaticKeyTable> {
  const functions = opts.functions ?? 1000;
  const repeats = opts.repeats ?? 3;
  if (!Number.isInteger(functions) || functions < 1 || functions > 4000) throw new LabError('LAB_BAD_OPTION', `functions must be an integer from 1 to 4000, got ${String(functions)}`);
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 100) throw new LabError('LAB_BAD_OPTION', `repeats must be an integer from 1 to 100, got ${String(repeats)}`);
  const kernel = { functions, seed: 1, staticKeys: { keys: 1 } };
  const off = await Lab.create({ harts: 1, scheme: 'callops', kernel });
  await off.run();
  const on = await Lab.create({ harts: 1, scheme: 'callops', kernel });
  await on.staticKeys!.enable('static_key_0');
  await on.run();
  const executed = dynamicCallCounts(on.guest.image!.kernel.graph).reduce((a, b) => a + b, 0);
  const extra = (on.retired - off.retired) / executed;
  const protocols: StaticKeyProtocolRow[] = [];
  for (const protocol of PROTOCOL_NAMES) {
    const en: number[] = [];
    const dis: number[] = [];
    let sites = 0;
    let ipis = 0;
    for (let i = 0; i < repeats; i++) {
      const l = await Lab.create({ harts: 2, scheme: 'callops', protocol, kernel: { ...kernel, workload: 'loop' } });
      let done = false;
      l.at(50_000, async () => {
        const sk = l.staticKeys!;
        await sk.enable('static_key_0');
        en.push(sk.lastReport!.hostMs);
        sites = sk.plan()!.sites.length;
        ipis = sk.lastReport!.counts.ipis;
        await sk.disable('static_key_0');
        dis.push(sk.lastReport!.hostMs);
        done = true;
        l.stopWorkload();
      });
      await l.run({ maxInsns: 5e8 });
      if (!done) throw new LabError('LAB_BAD_OPTION', `${protocol}: the static-key updates did not run`);
    }
    protocols.push({ protocol, sites, enableMs: median(en), disableMs: median(dis), ipis });
  }
  return { functions, offInsns: 1, onInsns: 1 + extra, protocols };
}

/** The table as text: a legend line, the per-call line, one row per protocol. */
export function formatStaticKeyTable(t: StaticKeyTable): string {
  const lines = [
    `static keys (jump labels): ${t.functions} functions with one static_branch_unlikely site each; per site execution: key off ${t.offInsns} instruction (nop), key on ${t.onInsns} (jal, the out-of-line block, j back)`,
    '| protocol     | sites rewritten | enable ms | disable ms | IPI rounds |',
    '|--------------|----------------:|----------:|-----------:|-----------:|',
    ...t.protocols.map((r) => `| ${r.protocol.padEnd(12)} | ${String(r.sites).padStart(15)} | ${r.enableMs.toFixed(2).padStart(9)} | ${r.disableMs.toFixed(2).padStart(10)} | ${String(r.ipis).padStart(10)} |`),
  ];
  return lines.join('\n') + '\n';
}
