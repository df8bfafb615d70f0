// Cost per traced call of the host callbacks (asynchronous, synchronous) and of function_graph, against the function tracer, same run.
// Run: npx tsx bench/callbacks.bench.ts   (CALLBACK_BENCH_CALLS, CALLBACK_BENCH_REPEATS override 100,000 calls / 5 samples)
import '../src/machine/platform-node.js';
import { Lab, type RegisterOptions } from '../src/lab/index.js';
import { median, report } from './harness.js';

const calls = Number(process.env['CALLBACK_BENCH_CALLS'] ?? 100_000);
const repeats = Number(process.env['CALLBACK_BENCH_REPEATS'] ?? 5);

/** What is registered on tracee_relevant (the ftrace-ops sample's traced function) in each variant. */
const VARIANTS: Record<string, (seen: { n: number }) => RegisterOptions | null> = {
  'no tracer (nop sites)': () => null,
  'function tracer': () => ({ filter: 'tracee_relevant' }),
  function_graph: () => ({ tracer: 'function_graph', filter: 'tracee_relevant' }),
  'async JS callback': (seen) => ({ filter: 'tracee_relevant', callback: () => void seen.n++ }),
  'sync JS callback': (seen) => ({ filter: 'tracee_relevant', sync: () => void seen.n++ }),
};

interface Sample {
  ms: number;
  insns: number;
  seen: number;
}

async function once(name: string): Promise<Sample> {
  const lab = await Lab.create({ harts: 1, scheme: 'callops', bufferSizeKb: 1024, kernel: { functions: 20, seed: 1, runSample: true, nrCalls: calls } });
  const seen = { n: 0 };
  const reg = VARIANTS[name]!(seen);
  if (reg) await lab.ftrace.register(reg);
  const t0 = performance.now();
  const r = await lab.run({ maxInsns: 1e10 });
  const ms = performance.now() - t0;
  if (r.reason !== 'halted' || r.exitCode !== 0) throw new Error(`${name}: the guest did not finish (${r.reason})`);
  lab.trace.clear();
  return { ms, insns: r.instructions, seen: seen.n };
}

const samples = new Map<string, Sample[]>(Object.keys(VARIANTS).map((k) => [k, []]));
for (const name of Object.keys(VARIANTS)) await once(name); // warm-up
for (let i = 0; i < repeats; i++) for (const name of Object.keys(VARIANTS)) samples.get(name)!.push(await once(name));

const base = samples.get('no tracer (nop sites)')!;
const baseMs = median(base.map((s) => s.ms));
const baseInsns = base[0]!.insns;
const fnNs = ((median(samples.get('function tracer')!.map((s) => s.ms)) - baseMs) * 1e6) / calls;
console.log(`## cost per traced call of tracee_relevant (${calls} calls, 1 hart, callops, medians of ${repeats} interleaved samples)`);
console.log('| variant | guest instructions / call | host ns / call | vs function tracer |');
console.log('|---|---:|---:|---:|');
for (const [name, s] of samples) {
  const ms = median(s.map((x) => x.ms));
  const insns = (s[0]!.insns - baseInsns) / calls;
  const ns = ((ms - baseMs) * 1e6) / calls;
  if ((name.startsWith('async') || name.startsWith('sync')) && s.some((x) => x.seen !== calls)) throw new Error(`${name}: the callback saw ${s[0]!.seen} calls, not ${calls}`);
  const ratio = name.startsWith('no tracer') ? '—' : `${(ns / fnNs).toFixed(1)}×`;
  console.log(`| ${name} | ${insns.toFixed(1)} | ${ns.toFixed(0)} | ${ratio} |`);
  report('callbacks', `${name} ns/call`, ns, 'ns');
  console.log(`FIGURE callbacks.${name.replace(/[^a-z_]+/gi, '_')} insnsPerCall=${insns.toFixed(1)} nsPerCall=${ns.toFixed(1)} totalMs=${ms.toFixed(1)}`);
}
console.log(`baseline run (nop sites): ${baseMs.toFixed(1)} ms, ${baseInsns} instructions`);
