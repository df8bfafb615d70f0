#!/usr/bin/env node
// Incremental build: runs `asc` (the Wasm engine) and `tsc` (the host) only when their inputs changed since the last
// successful build. Inputs are fingerprinted by content (SHA-256 over every input file, the compiler's version and the
// command), kept in build/.build-stamps.json; a missing output also forces the step.
// Usage: node scripts/build.mjs [wasm|ts]... [--force | --check]   (no step names = both, in order)
//   --check: only say which steps are up to date and which would run (exit 0 either way).
//   FTRACE_LAB_BUILD_ROOT: build another checkout than the one holding this script (tests use it).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.FTRACE_LAB_BUILD_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'build', '.build-stamps.json');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Every file under dir (recursively) whose name ends with one of exts. */
function filesUnder(dir, exts) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

const pkgVersion = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

const STEPS = {
  wasm: {
    what: 'build/engine.wasm',
    tool: 'asc',
    inputs: () => [...filesUnder(join(root, 'assembly'), ['.ts']), join(root, 'src/machine/layout.ts'), join(root, 'asconfig.json')],
    outputs: ['build/engine.wasm'],
    version: () => `assemblyscript ${pkgVersion('assemblyscript')}`,
    command: [bin('asc'), 'assembly/index.ts', '--config', 'asconfig.json', '--target', 'release'],
  },
  ts: {
    what: 'dist/',
    tool: 'tsc',
    inputs: () => [...filesUnder(join(root, 'src'), ['.ts']), join(root, 'tsconfig.json')],
    outputs: ['dist/index.js', 'dist/cli/main.js'],
    version: () => `typescript ${pkgVersion('typescript')}`,
    command: [bin('tsc'), '-p', 'tsconfig.json'],
  },
};

function fingerprint(step) {
  const h = createHash('sha256');
  h.update(`${step.version()}\n${step.command.map((c) => relative(root, c) || c).join(' ')}\n`);
  for (const f of step.inputs().sort()) {
    h.update(`${relative(root, f)}\n${statSync(f).size}\n`);
    h.update(readFileSync(f));
  }
  return h.digest('hex');
}

const args = process.argv.slice(2);
const force = args.includes('--force');
const check = args.includes('--check');
const names = args.filter((a) => a !== '--force' && a !== '--check');
for (const n of names) if (!(n in STEPS)) throw new Error(`build.mjs: unknown step '${n}' (steps: ${Object.keys(STEPS).join(', ')})`);
const stamps = existsSync(stampFile) ? JSON.parse(readFileSync(stampFile, 'utf8')) : {};

for (const name of names.length ? names : Object.keys(STEPS)) {
  const step = STEPS[name];
  const t0 = performance.now();
  const fp = fingerprint(step);
  const present = step.outputs.every((o) => existsSync(join(root, o)));
  if (!force && present && stamps[name] === fp) {
    process.stderr.write(`build: ${step.what} is up to date (${step.tool} skipped; inputs checked in ${(performance.now() - t0).toFixed(0)} ms)\n`);
    continue;
  }
  if (check) {
    process.stderr.write(`build: ${step.what} would be rebuilt by ${step.tool} (${present ? 'inputs changed' : 'output missing'})\n`);
    continue;
  }
  const r = spawnSync(step.command[0], step.command.slice(1), { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    delete stamps[name];
    mkdirSync(dirname(stampFile), { recursive: true });
    writeFileSync(stampFile, JSON.stringify(stamps, null, 2) + '\n');
    process.exit(r.status ?? 1);
  }
  stamps[name] = fp;
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, JSON.stringify(stamps, null, 2) + '\n');
  process.stderr.write(`build: ${step.what} rebuilt by ${step.tool} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
