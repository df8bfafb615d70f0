// Runs every benchmark of bench/ in its own Node process (a fresh V8 each), one after the other.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const BENCHES = ['engine.bench.ts', 'fixtures.bench.ts', 'multihart.bench.ts', 'ftrace.bench.ts', 'user.bench.ts', 'startup.bench.ts', 'jit.bench.ts', 'web.bench.ts', 'start-latency.bench.ts', 'boot.bench.ts', 'boot-browser.bench.ts', 'protocols.bench.ts', 'direct.bench.ts', 's390-hotpatch.bench.ts', 'static-keys.bench.ts', 'callbacks.bench.ts', 'check.bench.ts'];

let failed = 0;
for (const file of BENCHES) {
  if (only.length && !only.some((o) => file.startsWith(o))) continue;
  process.stdout.write(`\n# ${file}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`bench ${file} failed with status ${r.status}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
