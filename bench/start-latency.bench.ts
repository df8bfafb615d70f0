// How long `npm start` takes before the sweep starts, on a fresh clone: first run (full build) and second run
// (incremental build: asc and tsc skipped). The start of the sweep is the "measuring N rows" line `start` prints on
// a terminal, so each run goes through `script` (util-linux) for a pseudo-terminal.
// Run: npx tsx bench/start-latency.bench.ts   (clones the committed HEAD of this repository into a temporary folder)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'ftl-start-'));

function must(cmd: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status}`);
  return (performance.now() - t0) / 1000;
}

/** Runs `npm start -- --no-files` on a pseudo-terminal; seconds until the sweep started, and in all. */
function timedStart(cwd: string): Promise<{ beforeSweep: number; total: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let before = NaN;
    let out = '';
    const child = spawn('script', ['-qfec', 'npm start -- --no-files', '/dev/null'], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (Number.isNaN(before) && /measuring \d+ rows/.test(out)) before = (performance.now() - t0) / 1000;
    });
    child.on('close', (code) => {
      if (code !== 0 || Number.isNaN(before)) reject(new Error(`npm start failed (${code}):\n${out.slice(-2000)}`));
      else resolve({ beforeSweep: before, total: (performance.now() - t0) / 1000 });
    });
  });
}

try {
  must('git', ['clone', '--quiet', root, dir], root);
  const ci = must('npm', ['ci', '--no-audit', '--no-fund'], dir);
  const first = await timedStart(dir);
  const second = await timedStart(dir);
  console.log(`## npm start on a fresh clone (npm ci ${ci.toFixed(1)} s)`);
  console.log('| run | before the sweep starts | whole npm start |');
  console.log('|---|---:|---:|');
  console.log(`| first (full build) | ${first.beforeSweep.toFixed(1)} s | ${first.total.toFixed(1)} s |`);
  console.log(`| second (asc and tsc skipped) | ${second.beforeSweep.toFixed(1)} s | ${second.total.toFixed(1)} s |`);
  console.log(`FIGURE start.first.beforeSweep=${first.beforeSweep.toFixed(2)} start.second.beforeSweep=${second.beforeSweep.toFixed(2)} ratio=${(first.beforeSweep / second.beforeSweep).toFixed(1)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
