// Linux in the page against Linux in Node, same run: host time of the 1-hart boot (Chromium worker vs the boot verb).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { DEBIAN_FW_JUMP, findCachedKernel } from '../src/board/kernel-cache.js';
import { CHROMIUM, CHROMIUM_ARGS, haveChromium, haveSite, serveSite } from '../test/web/chromium.js';
import { median, report } from './harness.js';

const RUNS = Number(process.env.BOOT_RUNS ?? 3);
/** The boot without the init's timing runs, to power-off (the same command line in both hosts). */
const APPEND = 'lab_calls=100 lab_bench=0';
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

const kernel = findCachedKernel();
if (!kernel || !existsSync(DEBIAN_FW_JUMP)) {
  console.log("browser boot bench skipped: run 'npm run kernel' first (needs Debian's opensbi)");
  process.exit(0);
}
if (!haveChromium() || !haveSite() || !existsSync(CLI)) {
  process.stderr.write('browser boot bench: needs /usr/bin/chromium and a built page and CLI (npm run build:web)\n');
  process.exit(1);
}

/** One boot in the page (a fresh Linux worker each time, as the page does): host ms from the worker's result. */
async function pageBoot(page: Page, watch: boolean): Promise<{ ms: number; insns: number }> {
  await page.fill('#linux-harts', '1');
  await page.selectOption('#linux-mode', 'deterministic');
  await page.fill('#linux-append', APPEND);
  await page.setChecked('#linux-watch', watch);
  await page.click('#linux-boot');
  await page.waitForSelector('#linux-state[data-state="running"]');
  await page.waitForSelector('#linux-state[data-state="done"], #linux-state[data-state="failed"]', { timeout: 600_000 });
  const state = page.locator('#linux-state');
  if ((await state.getAttribute('data-state')) !== 'done') throw new Error(`the page's boot failed: ${await state.textContent()}`);
  return { ms: Number(await state.getAttribute('data-host-ms')), insns: Number(await state.getAttribute('data-instructions')) };
}

/** One `ftrace-lab boot` in a fresh Node process (cold, like the page's fresh worker): host ms from --stats. */
function nodeBoot(watch: boolean): { ms: number; insns: number } {
  const args = [CLI, 'boot', '--append', APPEND, '--stats', ...(watch ? [] : ['--no-watch'])];
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ftrace-lab boot exited ${r.status}: ${r.stderr}`);
  const err = r.stderr;
  const m = /instructions (\d+) seconds ([\d.]+)/.exec(err);
  if (!m) throw new Error(`no --stats line in: ${err}`);
  return { ms: Number(m[2]) * 1000, insns: Number(m[1]) };
}

const site = await serveSite(true);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const page = await browser.newPage();
await page.goto(site.url);
await page.waitForSelector('#linux-boot:not([disabled])', { timeout: 60_000 });
await page.click('#run-toggle'); // the page's default lab would share the cores with the kernel
console.log(`kernel ${kernel.key}, append '${APPEND}', 1 hart, deterministic; ${RUNS} runs each, interleaved, medians`);
for (const watch of [false, true]) {
  const inPage: number[] = [];
  const inNode: number[] = [];
  let insns = 0;
  for (let i = 0; i < RUNS; i++) {
    const p = await pageBoot(page, watch);
    const n = nodeBoot(watch);
    if (p.insns !== n.insns) throw new Error(`the page retired ${p.insns} instructions, Node ${n.insns}: not the same boot`);
    insns = p.insns;
    inPage.push(p.ms);
    inNode.push(n.ms);
  }
  const what = watch ? 'with the patch watch' : 'no patch watch';
  report('linux', `Chromium worker, ${what}`, median(inPage), 'ms', { all: inPage, instructions: insns });
  report('linux', `Node (ftrace-lab boot, fresh process), ${what}`, median(inNode), 'ms', { all: inNode, instructions: insns });
  report('linux', `Chromium / Node, ${what}`, median(inPage) / median(inNode), 'x');
}
await browser.close();
await site.close();
