// Direct calls vs the function tracer: per-call cost of tracing chain8 of the calls fixture (5000 calls) on the 6.16 CALL_OPS site (scheme callops).
// Run: npx tsx bench/direct.bench.ts   (DIRECT_BENCH_REPEATS overrides 7 interleaved samples)
import '../src/machine/platform-node.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../src/lab/index.js';
import { median } from './harness.js';

const ELF = new Uint8Array(readFileSync(join('test', 'fixtures', 'bin', 'calls.rv64imac.elf')));
const CALLS = 5000; // run_chain(5000): chain8 is called 5000 times
const repeats = Number(process.env['DIRECT_BENCH_REPEATS'] ?? 7);

type Setup = (lab: Lab) => Promise<void>;
const SETUPS: [string, string, Setup][] = [
  ['baseline', 'no ops (the site is auipc + nop)', async () => {}],
  ['function tracer', 'function_tracer_func through ftrace_caller (CALL_OPS literal = the ops)', async (l) => void (await l.ftrace.register({ filter: 'chain8' }))],
  ['direct stub', 'register_ftrace_direct(ftrace_stub_direct_tramp): the empty direct trampoline', async (l) => void (await l.ftrace.register({ filter: 'chain8', direct: 'ftrace_stub_direct_tramp' }))],
  ['fentry/fexit', 'the BPF-style trampoline: entry and exit records around a call of the original', async (l) => void (await l.ftrace.attachFentryFexit('chain8', { capacity: 2 * CALLS }))],
];

async function once(setup: Setup): Promise<{ insns: number; ms: number }> {
  const lab = await Lab.create({ elf: ELF, scheme: 'callops', bufferSizeKb: 1024 });
  await setup(lab);
  const before = lab.retired;
  const t = performance.now();
  const r = await lab.run({ maxInsns: 1e8 });
  const ms = performance.now() - t;
  if (r.exitCode !== 0) throw new Error(`calls fixture exited ${r.exitCode}`);
  lab.trace.drain();
  return { insns: lab.retired - before, ms };
}

const samples = new Map<string, { insns: number; ms: number[] }>(SETUPS.map(([n]) => [n, { insns: 0, ms: [] }]));
for (let i = 0; i < repeats; i++) {
  for (const [name, , setup] of i % 2 ? [...SETUPS].reverse() : SETUPS) {
    const m = await once(setup);
    const s = samples.get(name)!;
    s.insns = m.insns;
    s.ms.push(m.ms);
  }
}
const base = samples.get('baseline')!;
console.log(`## tracing chain8 of calls.rv64imac.elf (${CALLS} calls), scheme callops (6.16 CALL_OPS site + DIRECT_CALLS, no per-ops trampolines), ${repeats} interleaved runs`);
console.log('| what | path | overhead insns/call | overhead ns/call (median of whole-run deltas) |');
console.log('|---|---|---:|---:|');
for (const [name, path] of SETUPS.slice(1)) {
  const s = samples.get(name)!;
  const insns = (s.insns - base.insns) / CALLS;
  const ns = ((median(s.ms) - median(base.ms)) * 1e6) / CALLS;
  console.log(`| ${name} | ${path} | ${insns.toFixed(2)} | ${ns.toFixed(1)} |`);
  console.log(`FIGURE direct.${name.replace(/[^a-z]+/g, '_')} overheadInsns=${insns} overheadNs=${ns.toFixed(1)}`);
}
