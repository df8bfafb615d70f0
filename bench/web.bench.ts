// The page's figures: first paint, engine ready and first boot on the built site (cold loads in Debian's Chromium), and the
// aggregate instruction rate of 2 harts in page workers against the same lab in Node workers, measured in the same run.
import '../src/machine/platform-node.js';
import { chromium } from 'playwright-core';
import { LabSession, type SessionConfig } from '../web/src/session.js';
import { CHROMIUM, CHROMIUM_ARGS, haveChromium, haveSite, serveSite } from '../test/web/chromium.js';
import { median, report } from './harness.js';

const LOADS = 7;
const WARM_MS = 1500;
const WINDOW_MS = 2000;

if (!haveChromium() || !haveSite()) {
  process.stderr.write('web bench: needs /usr/bin/chromium and a built page (npm run build:web)\n');
  process.exit(1);
}

const site = await serveSite(true);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

// Cold loads: a fresh context (empty cache) each time.
const fcp: number[] = [];
const engine: number[] = [];
const booted: number[] = [];
const wasmFetches: number[] = [];
for (let i = 0; i < LOADS; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  let fetches = 0;
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) fetches++;
  });
  await page.goto(site.url);
  await page.waitForSelector('html[data-booted]', { timeout: 60_000 });
  const t = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    engine: performance.getEntriesByName('engine-compile')[0] ? performance.getEntriesByName('engine-compile')[0]!.startTime + performance.getEntriesByName('engine-compile')[0]!.duration : NaN,
    now: performance.now(),
  }));
  fcp.push(t.fcp);
  engine.push(t.engine);
  booted.push(t.now);
  wasmFetches.push(fetches);
  await context.close();
}
report('web', 'first contentful paint, built site (median of 7 cold loads)', median(fcp), 'ms', { all: fcp });
report('web', 'engine fetched + compiled (compileStreaming)', median(engine), 'ms', { all: engine });
report('web', 'default lab booted (1000-function kernel, 2 harts)', median(booted), 'ms', { all: booted });
report('web', 'engine.wasm fetches per load (max)', Math.max(...wasmFetches), 'fetches');

/** Aggregate retired instructions per second of all harts over WINDOW_MS, after WARM_MS of tier-up. */
async function windowRate(sample: () => Promise<{ retired: bigint; ms: number }>): Promise<number> {
  await new Promise((r) => setTimeout(r, WARM_MS));
  const a = await sample();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const b = await sample();
  return Number(b.retired - a.retired) / ((b.ms - a.ms) / 1000) / 1e6;
}

// 2 harts, default kernel, no ops: in page workers vs in Node workers (same lab options), interleaved 3 times.
const pageRates: number[] = [];
const nodeRates: number[] = [];
const cfg: SessionConfig = { mode: 'parallel', harts: 2, seed: 1, scheme: 'callops', protocol: 'stop-all', guest: { kind: 'kernel', functions: 1000, prefix: 'kfunc_', seed: 1 } };
for (let round = 0; round < 3; round++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(site.url);
  await page.waitForSelector('html[data-booted]', { timeout: 60_000 });
  // The Harts panel's counters and the page time they were read at (its 250 ms tick).
  pageRates.push(
    await windowRate(async () => {
      const r = await page.evaluate(() => ({
        retired: [...document.querySelectorAll<HTMLElement>('#harts-table tbody td[data-retired]')].map((td) => td.dataset.retired!),
        ms: Number(document.querySelector<HTMLElement>('#harts-table')!.dataset.sampledAt),
      }));
      return { retired: r.retired.reduce((s, v) => s + BigInt(v), 0n), ms: r.ms };
    }),
  );
  await context.close();
  const s = await LabSession.boot(cfg);
  s.start();
  nodeRates.push(await windowRate(async () => ({ retired: s.hartInfo().reduce((sum, h) => sum + h.retired, 0n), ms: performance.now() })));
  await s.stop();
}
// Smoothness under a trace firehose: 4 harts, one ops tracing every function; frames/s and long tasks over 3 s.
{
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(site.url);
  await page.waitForSelector('html[data-booted]', { timeout: 60_000 });
  await page.fill('#boot-harts', '4');
  await page.click('#boot-form button[type=submit]');
  await page.waitForSelector('html[data-boots="2"]', { timeout: 60_000 });
  await page.click('#register-form button[type=submit]');
  await page.waitForSelector('#ops-list li[data-ops]');
  await page.waitForTimeout(1000);
  // A string, not a function: tsx would wrap named functions in a helper the page does not have.
  const r = (await page.evaluate(`new Promise((resolve) => {
    const long = [];
    const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => long.push(e.duration)));
    obs.observe({ type: 'longtask' });
    let frames = 0;
    const t0 = performance.now();
    const total = () => Number(document.querySelector('#trace-counts').dataset.total);
    const e0 = total();
    const frame = () => {
      frames++;
      if (performance.now() - t0 < 3000) return requestAnimationFrame(frame);
      obs.disconnect();
      const s = (performance.now() - t0) / 1000;
      resolve({ fps: frames / s, longTasks: long.length, longMs: long.reduce((a, b) => a + b, 0), events: (total() - e0) / s });
    };
    requestAnimationFrame(frame);
  })`)) as { fps: number; longTasks: number; longMs: number; events: number };
  report('web', 'UI frames/s, 4 harts tracing every function', r.fps, 'fps');
  report('web', 'long tasks (> 50 ms) in those 3 s', r.longTasks, 'tasks', { totalMs: r.longMs });
  report('web', 'trace events reaching the page', r.events, 'events/s');
  await context.close();
}

report('web', '2 harts in page workers, aggregate (median of 3)', median(pageRates), 'M instr/s', { all: pageRates });
report('web', '2 harts in Node workers, aggregate (median of 3)', median(nodeRates), 'M instr/s', { all: nodeRates });
report('web', 'page / Node', median(pageRates) / median(nodeRates), 'x');

await browser.close();
await site.close();
