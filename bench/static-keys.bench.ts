// Static keys: per-call cost with the key off and on, and the cost of one enable/disable with each patch protocol.
// Run: npx tsx bench/static-keys.bench.ts   (STATIC_KEYS_BENCH_REPEATS overrides 5 samples per protocol)
import '../src/machine/platform-node.js';
import { formatStaticKeyTable, runStaticKeyBench } from '../src/lab/static-key-bench.js';

const t = await runStaticKeyBench({ functions: 1000, repeats: Number(process.env['STATIC_KEYS_BENCH_REPEATS'] ?? 5) });
console.log(formatStaticKeyTable(t));
console.log(`FIGURE static_keys.per_call off=${t.offInsns} on=${t.onInsns}`);
for (const r of t.protocols) console.log(`FIGURE static_keys.${r.protocol} enableMs=${r.enableMs.toFixed(2)} disableMs=${r.disableMs.toFixed(2)} sites=${r.sites}`);
