// `ftrace-lab protocols`: compare the patch protocols while harts run the traced workload (host cost per update, how long harts stall, IPIs, attribution).
import { PROTOCOL_NAMES, type ProtocolName } from '../patch/protocols/index.js';
import { formatProtocolTable, runProtocolBench, type ProtocolBenchOptions } from '../lab/protocol-bench.js';
import { ArgCursor, parseChoice, parseIntArg, VerbUsageError } from './verb-args.js';
import { verbMain } from './verb-main.js';

export const PROTOCOLS_USAGE = `usage: ftrace-lab protocols [--harts N] [--sites N] [--updates N] [--mode parallel|deterministic]
                           [--protocol NAME]... [--seed N] [--buffer-kb N] [--json]

On the synthetic kernel with N patchable functions, every hart runs the traced workload in a loop while the host
alternately enables and disables the function tracer on all of them, with each patch protocol in turn. One row per
protocol: host time per update, how long a hart was kept from its workload per update (time in the IPI or
breakpoint handlers: max and median), IPIs sent, breakpoint hits, workload instructions the harts retired during
the updates, trace events checked and events misattributed (must be 0).

  --harts N        harts running the workload (default 4)
  --sites N        patchable functions; every update patches all of them (default 1000)
  --updates N      updates per protocol, alternately enable and disable (default 20)
  --mode M         parallel (default: one worker per hart, wall-clock times) or deterministic (seeded
                   interleaving; times are guest time at 10 MHz, one tick per 100 instructions per hart)
  --protocol NAME  compare only these (repeatable): ${PROTOCOL_NAMES.join(', ')}
  --seed N         kernel and scheduler seed (default 1)
  --buffer-kb N    per-hart trace buffer (default 1024); events beyond it are dropped and counted
  --json           one JSON object per protocol per line on stdout (fields: protocol, harts, sites, updates,
                   mode, hostMsPerUpdate, hostMsMax, stallMaxUs, stallMedianUs, ipis, bpHits,
                   otherHartInsnsDuringUpdates, events, lostEvents, misattributedEvents, wrongResults)`;

export type ProtocolsArgs = { -readonly [K in keyof Required<Omit<ProtocolBenchOptions, 'onUpdate' | 'protocols'>>]: Required<ProtocolBenchOptions>[K] } & {
  protocols: ProtocolName[];
  json: boolean;
};

export function parseProtocolsArgs(argv: readonly string[]): ProtocolsArgs | 'help' {
  const a: ProtocolsArgs = { harts: 4, sites: 1000, updates: 20, mode: 'parallel', protocols: [], seed: 1, bufferSizeKb: 1024, json: false };
  const c = new ArgCursor(argv);
  for (let w = c.next(); w !== undefined; w = c.next()) {
    if (w === '-h' || w === '--help') return 'help';
    else if (w === '--harts') a.harts = parseIntArg(c.value(w), w, 1, 32);
    else if (w === '--sites') a.sites = parseIntArg(c.value(w), w, 1, 100_000);
    else if (w === '--updates') a.updates = parseIntArg(c.value(w), w, 1, 100_000);
    else if (w === '--mode') a.mode = parseChoice(c.value(w), w, ['parallel', 'deterministic'] as const);
    else if (w === '--protocol') a.protocols.push(parseChoice(c.value(w), w, PROTOCOL_NAMES));
    else if (w === '--seed') a.seed = parseIntArg(c.value(w), w, 0, 0xffffffff);
    else if (w === '--buffer-kb') a.bufferSizeKb = parseIntArg(c.value(w), w, 1, 65536);
    else if (w === '--json') a.json = true;
    else throw new VerbUsageError(w.startsWith('-') ? `unknown option '${w}'` : `unexpected argument '${w}'`);
  }
  return a;
}

export const main = verbMain('protocols', PROTOCOLS_USAGE, parseProtocolsArgs, async (a) => {
  const tty = process.stderr.isTTY === true;
  const rows = await runProtocolBench({
    ...a,
    protocols: a.protocols.length ? a.protocols : PROTOCOL_NAMES,
    onUpdate: (p, done, total) => {
      if (tty) process.stderr.write(`\r${p}: update ${done}/${total}   `);
      else if (done === total) process.stderr.write(`${p}: ${total} updates done\n`);
    },
  });
  if (tty) process.stderr.write('\n');
  if (a.json) for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
  else process.stdout.write(formatProtocolTable(rows) + '\n');
  return rows.some((r) => r.misattributedEvents > 0 || r.wrongResults > 0) ? 1 : 0;
});
