// Static keys: per-call cost with the key off and on, and the cost of one enable/disable with each patch protocol.
// Run: npx tsx bench/static-keys.bench.ts   (STATIC_KEYS_BENCH_REPEATS overrides 5 samples per protocol)
import '../src/machine/platform-node.js';
import { Lab } from '../src/lab/index.js';
import { PROTOCOL_NAMES } from '../src/patch/protocols/index.js';
import { dynamicCallCounts } from '../src/workload/index.js';
import { median } from './harness.js';

const FUNCTIONS = 1000;
const repeats = Number(process.env['STATIC_KEYS_BENCH_REPEATS'] ?? 5);
const kernel = { functions: FUNCTIONS, seed: 1, staticKeys: { keys: 1 } };

// per call: instructions of one whole kernel pass with the key off and on, divided by the sites executed
const off = await Lab.create({ harts: 1, scheme: 'callops', kernel });
await off.run();
const on = await Lab.create({ harts: 1, scheme: 'callops', kernel });
await on.staticKeys!.enable('static_key_0');
await on.run();
const executed = dynamicCallCounts(on.guest.image!.kernel.graph).reduce((a, b) => a + b, 0);
const perCall = (on.retired - off.retired) / executed;
console.log(`## static keys: ${FUNCTIONS} functions, one static_branch_unlikely site each (${executed} site executions per kernel pass)`);
console.log(`per call: key off = 1 instruction (nop); key on = ${1 + perCall} (jal, the tracepoint body, j back): +${perCall}`);
console.log(`FIGURE static_keys.per_call_on_minus_off insns=${perCall}`);

console.log('| protocol | sites rewritten | enable host ms (median) | disable host ms (median) | IPIs per update |');
console.log('|---|---:|---:|---:|---:|');
for (const protocol of PROTOCOL_NAMES) {
  const en: number[] = [];
  const dis: number[] = [];
  let sites = 0;
  let ipis = 0;
  for (let i = 0; i < repeats; i++) {
    const l = await Lab.create({ harts: 2, scheme: 'callops', protocol, kernel: { ...kernel, workload: 'loop' } });
    let done = false;
    l.at(50_000, async () => {
      await l.staticKeys!.enable('static_key_0');
      en.push(l.staticKeys!.lastReport!.hostMs);
      sites = l.staticKeys!.plan()!.sites.length;
      ipis = l.staticKeys!.lastReport!.counts.ipis;
      await l.staticKeys!.disable('static_key_0');
      dis.push(l.staticKeys!.lastReport!.hostMs);
      done = true;
      l.stopWorkload();
    });
    await l.run({ maxInsns: 5e8 });
    if (!done) throw new Error(`${protocol}: the updates did not run`);
  }
  console.log(`| ${protocol} | ${sites} | ${median(en).toFixed(2)} | ${median(dis).toFixed(2)} | ${ipis} |`);
  console.log(`FIGURE static_keys.${protocol} enableMs=${median(en).toFixed(2)} disableMs=${median(dis).toFixed(2)} sites=${sites}`);
}
