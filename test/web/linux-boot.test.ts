// Real Linux in the page: Chromium fetches the cached kernel and OpenSBI from the server, boots them in a worker,
// streams the console while the page keeps running its own timer, and shows the boot time and the patch report.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_FW_JUMP, findCachedKernel } from '../../src/board/kernel-cache.js';
import { linuxAssetRoutes } from '../../src/cli/linux-assets-node.js';
import { haveChromium, haveSite, launchChromium, serveSite, SITE_DIR } from './chromium.js';

const CI = process.env.CI === 'true';
const haveKernel = findCachedKernel() !== undefined && existsSync(DEBIAN_FW_JUMP);
if (CI && !haveChromium()) throw new Error('CI: /usr/bin/chromium is missing (.ci/run installs it with apt-get install chromium)');
if (CI && !haveSite()) throw new Error(`CI: ${SITE_DIR} is not built (npm test builds it: npm run build:page)`);
if (CI && !haveKernel) throw new Error("CI: the lab's kernel or OpenSBI is missing (.ci/run runs 'npm run kernel' when the cache is empty)");
const browserReady = haveChromium() && haveSite();

let browser: { context: BrowserContext; close: () => Promise<void> };
let site: { url: string; close: () => Promise<void> };
let plain: { url: string; close: () => Promise<void> };
let bare: { url: string; close: () => Promise<void> };
const pageErrors: string[] = [];
const fake: Record<string, string | undefined> = {};
const temp = mkdtempSync(join(tmpdir(), 'ftrace-lab-linux-page-'));

async function open(url: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${url}: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector('html[data-boots="1"]', { timeout: 60_000 });
  await page.waitForSelector('#linux-boot:not([disabled])');
  return page;
}

/** The next Linux worker the page starts (call before clicking Boot Linux). */
function linuxWorker(page: Page): Promise<Worker> {
  return page.waitForEvent('worker', { predicate: (w) => w.url().includes('linux-worker'), timeout: 60_000 });
}

const linuxState = (page: Page) => page.locator('#linux-state').getAttribute('data-state');

describe.skipIf(!browserReady)('Boot Linux in the page (Chromium)', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    site = await serveSite(true);
    plain = await serveSite(false);
    // The same routes, answering with the files the test puts in `fake` (none at first).
    const routes = Object.fromEntries(Object.entries(linuxAssetRoutes()).map(([path, r]) => [path, { ...r, resolve: () => fake[path] }]));
    bare = await serveSite(true, routes);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await plain?.close();
    await bare?.close();
    rmSync(temp, { recursive: true, force: true });
    expect(pageErrors).toEqual([]);
  });

  it('without a built kernel the panel names the command that builds it; a corrupt Image gives the typed error', async () => {
    const page = await open(bare.url);
    await page.waitForSelector('#linux-assets[data-ready="false"]');
    expect(await page.locator('#linux-assets').textContent()).toContain("run 'npm run kernel'");
    await page.click('#linux-boot');
    await page.waitForSelector('#linux-state[data-state="failed"]');
    expect(await page.locator('#linux-state').textContent()).toMatch(/linux\/Image answered 404; the lab's kernel is not built: run 'npm run kernel'/);
    expect(await page.locator('#linux-boot').isDisabled()).toBe(false);
    // A file that is not a RISC-V Image: the worker reports the board's typed error, the page keeps working.
    fake['/linux/Image'] = join(temp, 'Image');
    fake['/linux/fw_jump.bin'] = join(temp, 'fw_jump.bin');
    writeFileSync(fake['/linux/Image'], Buffer.alloc(4096, 0x5a));
    writeFileSync(fake['/linux/fw_jump.bin'], Buffer.alloc(256, 0x13));
    await page.click('#linux-boot');
    await page.waitForSelector('#linux-state[data-state="failed"]');
    expect(await page.locator('#linux-state').textContent()).toBe('Boot failed: BOARD_BAD_IMAGE: kernel Image has no RISC-V Image magic ("RSC\\x05" at 0x38)');
    expect(await page.locator('#error-text').textContent()).toContain('BOARD_BAD_IMAGE');
    expect(await page.locator('#linux-boot').isDisabled()).toBe(false);
    await page.close();
  });

  it.skipIf(!haveKernel)('boots the kernel on 1 hart in a worker: banner, init summary, power-off, boot time, patch report; the page keeps running', async () => {
    const page = await open(site.url);
    await page.waitForSelector('#linux-assets[data-ready="true"]');
    await page.fill('#linux-append', 'lab_calls=20 lab_bench=0');
    const started = linuxWorker(page);
    await page.click('#linux-boot');
    const closed = (await started).waitForEvent('close');
    // The banner arrives while the kernel is still running: the console streams, it does not appear at the end.
    await page.waitForFunction(() => /Linux version 6\.\d+/.test(document.querySelector('#linux-console')?.textContent ?? ''), undefined, { timeout: 120_000 });
    await page.waitForSelector('#linux-state[data-state="done"], #linux-state[data-state="failed"]', { timeout: 300_000 });
    expect(await page.locator('#linux-state').textContent()).toMatch(/^Booted to power-off in \d+\.\d\d s of host time: \d+\.\d M instructions on 1 hart \(deterministic\)/);
    const text = (await page.locator('#linux-console').textContent())!;
    expect(text).toContain('OpenSBI');
    expect(text).toContain('lab: trace events=21 expected=21');
    expect(text).toContain('lab: summary ok');
    expect(text.indexOf('Linux version')).toBeLessThan(text.indexOf('lab: summary ok'));
    const report = (await page.locator('#linux-report').textContent())!;
    expect(report).toMatch(/^ftrace-lab boot: the guest powered off after [\d,]+ instructions \(hart 0: [\d,]+\), \d+\.\d\d s host/);
    expect(report).toContain("== the kernel's own code patching, seen from outside");
    expect(report).toMatch(/site ksys_write @ 0x[0-9a-f]+ \(pa 0x[0-9a-f]+\): nop; nop {2}-> {2}auipc t0/);
    // Responsiveness: the page's own 100 ms timer ran throughout the boot and the console came in many pieces.
    const ticks = Number(await page.locator('#linux-state').getAttribute('data-ticks'));
    const pieces = Number(await page.locator('#linux-console').getAttribute('data-pieces'));
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(pieces).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#view-linux').isVisible()).toBe(true);
    // The worker ran it, and is gone once the kernel powered off.
    await closed;
    await page.close();
  }, 360_000);

  it.skipIf(!haveKernel)('boots on 2 harts in parallel mode (hart workers nested in the Linux worker); Stop ends a boot that would run on', async () => {
    const page = await open(site.url);
    await page.fill('#linux-harts', '2');
    await page.selectOption('#linux-mode', 'parallel');
    await page.fill('#linux-append', 'lab_cpus=2 lab_calls=10 lab_bench=0');
    await page.uncheck('#linux-watch');
    await page.click('#linux-boot');
    await page.waitForSelector('#linux-state[data-state="done"], #linux-state[data-state="failed"]', { timeout: 300_000 });
    expect(await page.locator('#linux-state').textContent()).toMatch(/^Booted to power-off in .* on 2 harts \(parallel\)/);
    const text = (await page.locator('#linux-console').textContent())!;
    expect(text).toContain('online=2');
    expect(text).toContain('lab: trace events=21 expected=21');
    expect(await page.locator('#linux-report').textContent()).toContain('(no patch report: the watch was off)');
    // 100,000 timed write() calls per variant keep this boot going far longer than the test needs to stop it.
    await page.fill('#linux-harts', '1');
    await page.selectOption('#linux-mode', 'deterministic');
    await page.fill('#linux-append', 'lab_bench=100000');
    const started = linuxWorker(page);
    await page.click('#linux-boot');
    const worker = await started;
    await page.waitForFunction(() => (document.querySelector('#linux-console')?.textContent ?? '').includes('lab: experiment'), undefined, { timeout: 120_000 });
    await Promise.all([worker.waitForEvent('close'), page.click('#linux-stop')]);
    expect(await linuxState(page)).toBe('stopped');
    expect(await page.locator('#linux-console').textContent()).not.toContain('lab: summary');
    expect(await page.locator('#linux-boot').isDisabled()).toBe(false);
    await page.close();
  }, 360_000);

  it.skipIf(!haveKernel)('without cross-origin isolation: parallel mode is offered as unavailable, a deterministic boot works', async () => {
    const page = await open(plain.url);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.locator('#linux-mode option[value=parallel]').isDisabled()).toBe(true);
    await page.fill('#linux-append', 'lab_calls=5 lab_bench=0');
    await page.uncheck('#linux-watch');
    await page.click('#linux-boot');
    await page.waitForSelector('#linux-state[data-state="done"], #linux-state[data-state="failed"]', { timeout: 300_000 });
    expect(await linuxState(page)).toBe('done');
    expect(await page.locator('#linux-console').textContent()).toContain('lab: trace events=6 expected=6');
    await page.close();
  }, 360_000);
});
