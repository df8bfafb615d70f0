// The page in a real browser: Debian's Chromium (playwright-core) against web/dist served with and without COOP/COEP.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, toElf } from '../../src/isa/index.js';
import { LabSession, type SessionConfig } from '../../web/src/session.js';
import { ARTIFACTS, haveChromium, haveSite, launchChromium, serveSite, SITE_DIR } from './chromium.js';

const CI = process.env.CI === 'true';
const ready = haveChromium() && haveSite();
if (CI && !haveChromium()) throw new Error('CI: /usr/bin/chromium is missing (.ci/run installs it with apt-get install chromium)');
if (CI && !haveSite()) throw new Error(`CI: ${SITE_DIR} is not built (npm test builds it: npm run build:page)`);

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const FIXTURE_ELF = fileURLToPath(new URL('../fixtures/bin/calls.rv64imac.elf', import.meta.url));

let browser: { context: BrowserContext; close: () => Promise<void> };
let isolated: { url: string; close: () => Promise<void> };
let plain: { url: string; close: () => Promise<void> };
const pageErrors: string[] = [];

/** engine.wasm requests since the last open() (tests use one tab at a time; workers' requests count too). */
let wasmFetches = 0;

/** A fresh tab on `url`, waiting until the default lab has booted. */
async function open(url: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${url}: ${e.message}`));
  wasmFetches = 0;
  await page.goto(url);
  await page.waitForSelector('html[data-boots="1"]', { timeout: 60_000 });
  return page;
}

async function boots(page: Page): Promise<number> {
  return Number(await page.evaluate(() => document.documentElement.dataset.boots ?? '0'));
}

/** Fills the Machine form and boots; resolves once the new lab is up. */
async function boot(page: Page, f: Partial<Record<'mode' | 'harts' | 'seed' | 'functions' | 'prefix' | 'kernelSeed', string>>): Promise<void> {
  const before = await boots(page);
  if (f.mode) await page.selectOption('#boot-mode', f.mode);
  if (f.harts) await page.fill('#boot-harts', f.harts);
  if (f.seed) await page.fill('#boot-seed', f.seed);
  if (f.functions) await page.fill('#boot-functions', f.functions);
  if (f.prefix) await page.fill('#boot-prefix', f.prefix);
  if (f.kernelSeed) await page.fill('#boot-kseed', f.kernelSeed);
  await page.check('input[name=guest][value=kernel]');
  await page.click('#boot-form button[type=submit]');
  await page.waitForSelector(`html[data-boots="${before + 1}"]`, { timeout: 60_000 });
}

/** Instructions retired per hart, as the Harts panel shows them. */
async function retired(page: Page): Promise<bigint[]> {
  return (await page.locator('#harts-table tbody td[data-retired]').evaluateAll((tds) => tds.map((td) => (td as HTMLElement).dataset.retired!))).map(BigInt);
}

/** Waits until every hart has retired `delta` more instructions than `from` (proves they all run). */
async function advanced(page: Page, from: bigint[], delta: bigint): Promise<bigint[]> {
  await page.waitForFunction(
    ({ from, delta }) => {
      const now = [...document.querySelectorAll<HTMLElement>('#harts-table tbody td[data-retired]')].map((td) => BigInt(td.dataset.retired!));
      return now.length === from.length && now.every((v, i) => v - BigInt(from[i]!) >= BigInt(delta));
    },
    { from: from.map(String), delta: String(delta) },
    { timeout: 60_000 },
  );
  return retired(page);
}

/** Waits for `n` more UI ticks (each pumps the trace and samples the harts), then for frames to render them. */
async function ticks(page: Page, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const at = await page.locator('#harts-table').getAttribute('data-sampled-at');
    await page.waitForFunction((at) => document.querySelector<HTMLElement>('#harts-table')?.dataset.sampledAt !== at, at);
  }
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function traceTotal(page: Page): Promise<number> {
  return Number((await page.locator('#trace-counts').getAttribute('data-total')) ?? '0');
}

async function register(page: Page, filter: string, notrace = ''): Promise<void> {
  const n = await page.locator('#ops-list li[data-ops]').count();
  await page.fill('#reg-filter', filter);
  await page.fill('#reg-notrace', notrace);
  await page.click('#register-form button[type=submit]');
  await page.waitForFunction((n) => document.querySelectorAll('#ops-list li[data-ops]').length === n + 1, n);
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: false });
}

describe.skipIf(!ready)('the page in Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    browser.context.on('request', (r) => {
      if (new URL(r.url()).pathname.endsWith('.wasm')) wasmFetches++;
    });
    isolated = await serveSite(true);
    plain = await serveSite(false);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
    expect(pageErrors).toEqual([]);
  });

  it('loads cross-origin isolated, runs 2 then 4 harts in workers whose counters advance', async () => {
    const page = await open(isolated.url);
    expect(await page.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([true, 'function']);
    expect(await page.locator('#isolation-message').isHidden()).toBe(true);
    const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'first-paint.json'), JSON.stringify({ firstContentfulPaintMs: paint }) + '\n');

    expect(await page.locator('#harts-table tbody tr').count()).toBe(2);
    await advanced(page, await retired(page), 1_000_000n);
    const hartWorkers = () => page.workers().filter((w) => w.url().includes('hart-worker')).length;
    expect(hartWorkers()).toBe(2);

    await boot(page, { harts: '4' });
    expect(await page.locator('#harts-table tbody tr').count()).toBe(4);
    const r4 = await advanced(page, await retired(page), 1_000_000n);
    expect(r4).toHaveLength(4);
    await page.waitForFunction(() => [...document.querySelectorAll('#harts-table tbody td')].filter((td) => td.textContent === 'running').length === 4);
    expect(hartWorkers()).toBe(4);
    // One fetch + compileStreaming for the page; the 4 + 2 hart workers got the compiled module by message.
    expect(wasmFetches).toBe(1);
    // Hold hart 2: its counter stops while hart 0 goes on; resume it.
    await page.click('#harts-table tbody tr[data-hart="2"] button');
    await page.waitForFunction(() => document.querySelector('#harts-table tbody tr[data-hart="2"] td:nth-child(2)')?.textContent === 'paused');
    const held = await retired(page);
    await page.waitForFunction(
      (h0) => BigInt(document.querySelector<HTMLElement>('#harts-table tbody tr[data-hart="0"] td[data-retired]')!.dataset.retired!) > BigInt(h0) + 5_000_000n,
      held[0]!.toString(),
      { timeout: 60_000 },
    );
    const r5 = await retired(page);
    expect(r5[2]).toBe(held[2]);
    await page.click('#harts-table tbody tr[data-hart="2"] button');
    await advanced(page, r5, 500_000n);
    await page.close();
  });

  it("registering an ops on 'foo*' makes trace lines appear, unregistering stops them", async () => {
    const page = await open(isolated.url);
    await boot(page, { functions: '300', prefix: 'foo_' });
    expect(await traceTotal(page)).toBe(0);
    await register(page, 'foo*');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#trace-counts')?.dataset.total ?? 0) > 100);
    const text = await page.locator('#trace-rows').textContent();
    expect(text).toMatch(/hart-\d-\d +\[00\d\] \.\.\.\.\. +\d+\.\d{6}: foo_\d+ <-(foo_\d+|synthetic_kernel_run)/);
    // Thousands of lines: only the visible rows (plus a small overscan) exist in the DOM.
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#trace-counts')?.dataset.total ?? 0) > 20_000, undefined, { timeout: 60_000 });
    const rendered = Number(await page.locator('#trace-rows').getAttribute('data-count'));
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(80);
    expect((await page.locator('#trace-rows').textContent())!.split('\n')).toHaveLength(rendered);
    await shot(page, 'lab-1280x800.png');
    await page.setViewportSize({ width: 420, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shot(page, 'lab-narrow.png');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.click('#ops-list li[data-ops="ops1"] button');
    await page.waitForFunction(() => document.querySelectorAll('#ops-list li[data-ops]').length === 0);
    // What the guest recorded before the unregister is drained by the next UI tick; after that the total stays put
    // while every hart keeps running through the (now disabled) sites.
    await ticks(page, 2);
    const settled = await traceTotal(page);
    await advanced(page, await retired(page), 10_000_000n);
    await ticks(page, 2);
    expect(await traceTotal(page)).toBe(settled);
    await page.close();
  });

  it('the sweep in the page gives the CALL_OPS row (1 relevant) the same guest instruction count as ftrace-lab bench', async () => {
    const page = await open(isolated.url);
    await page.click('#tab-sweep');
    await page.fill('#sweep-rows', '1,0');
    await page.fill('#sweep-calls', '2000');
    await page.fill('#sweep-repeats', '1');
    for (const box of await page.locator('#sweep-schemes input').all()) {
      if ((await box.getAttribute('value')) !== 'callops') await box.uncheck();
    }
    await page.click('#sweep-run');
    await page.waitForSelector('#sweep-download:not([disabled])', { timeout: 120_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#sweep-download')]);
    const json = JSON.parse(readFileSync(await download.path(), 'utf8')) as { rows: Record<string, unknown>[] };
    expect(json.rows).toHaveLength(1);
    const cli = JSON.parse(
      execFileSync(process.execPath, [CLI, 'bench', '--scheme', 'callops', '--relevant', '1', '--irrelevant', '0', '--calls', '2000', '--repeats', '1', '--json', '--no-files'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ) as { rows: Record<string, unknown>[] };
    const pick = (r: Record<string, unknown>) => ({ scheme: r.scheme, relevant: r.relevant, irrelevant: r.irrelevant, tracedInstret: r.tracedInstret, baselineInstret: r.baselineInstret, overheadInsns: r.overheadInsns });
    expect(pick(json.rows[0]!)).toEqual(pick(cli.rows[0]!));
    expect(await page.locator('#sweep-table tbody tr[data-scheme=callops] td:nth-child(4)').textContent()).toBe((cli.rows[0]!.tracedInsns as number).toFixed(2));
    expect(await page.locator('#chart-insns canvas').count()).toBe(1);
    await shot(page, 'sweep.png');
    await page.close();
  });

  it("switching the scheme changes the site's disassembly (the ops carries over)", async () => {
    const page = await open(isolated.url);
    await boot(page, { functions: '200', prefix: 'foo_' });
    await register(page, 'foo_10');
    await page.click('#tab-inspector');
    await page.fill('#inspect-name', 'foo_10');
    await page.click('#inspect-form button[type=submit]');
    const callops = await page.locator('#site-after').innerText();
    expect(callops).toContain('ops literal -> ops1');
    expect(callops).toContain('calls ftrace_caller');
    expect(await page.locator('#site-after tr.written').count()).toBe(2); // the literal and the jalr word
    const n = await boots(page);
    await page.selectOption('#scheme', 'list');
    await page.waitForSelector(`html[data-boots="${n + 1}"]`);
    await page.waitForFunction(() => document.querySelector('#inspect-out p')?.textContent?.includes('scheme list'));
    const list = await page.locator('#site-after').innerText();
    expect(list).not.toEqual(callops);
    expect(list).not.toContain('ops literal');
    expect(list).toContain('calls ftrace_caller');
    expect(await page.locator('#ops-list li[data-ops]').count()).toBe(1);
    await page.close();
  });

  it('bad input: a non-ELF and an ELF without patchable entries show the typed error; the page keeps working', async () => {
    const page = await open(isolated.url);
    await page.setInputFiles('#boot-elf', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('this is not an ELF file\n') });
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.locator('#error-text').textContent()).toContain('ELF_NOT_ELF');
    // The same through drag-and-drop on the drop zone.
    await page.click('#error-dismiss');
    const transfer = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['#!/bin/sh\necho not an ELF\n'], 'script.sh', { type: 'text/x-sh' }));
      return dt;
    });
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: transfer });
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.locator('#error-text').textContent()).toContain('ELF_NOT_ELF');
    const plainElf = toElf(assemble('\t.globl _start\n_start:\n\tj _start\n', { file: 'loop.s' }));
    await page.setInputFiles('#boot-elf', { name: 'loop.elf', mimeType: 'application/octet-stream', buffer: Buffer.from(plainElf) });
    await page.waitForFunction(() => document.querySelector('#error-text')?.textContent?.includes('LAB_BAD_ELF'));
    expect(await boots(page)).toBe(1);
    // Still the first machine, still running, still traceable.
    await advanced(page, await retired(page), 1_000_000n);
    await register(page, 'kfunc_1*');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#trace-counts')?.dataset.total ?? 0) > 0);
    // And a real ELF (GCC, -fpatchable-function-entry=8,4) boots, its ops carried over, and runs to its exit.
    await page.fill('#reg-filter', '');
    await page.click('#ops-list li[data-ops="ops1"] button');
    await page.setInputFiles('#boot-elf', { name: 'calls.rv64imac.elf', mimeType: 'application/octet-stream', buffer: readFileSync(FIXTURE_ELF) });
    await page.waitForSelector('html[data-boots="2"]');
    await page.waitForFunction(() => document.querySelector('#run-state')?.textContent?.startsWith('Halted with exit code 0'), undefined, { timeout: 60_000 });
    expect(await page.locator('#status').textContent()).toContain('ELF calls.rv64imac.elf');
    await page.click('#tab-console');
    const expected = readFileSync(fileURLToPath(new URL('../fixtures/expected/calls.stdout', import.meta.url)), 'utf8');
    await page.waitForFunction((t) => document.querySelector('#console-out')?.textContent === t, expected);
    await page.close();
  });

  it('is keyboard-usable: arrow keys switch tabs, Enter registers', async () => {
    const page = await open(isolated.url);
    await page.focus('#tab-trace');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-enabled');
    expect(await page.locator('#view-enabled').isVisible()).toBe(true);
    await page.focus('#reg-filter');
    await page.keyboard.type('kfunc_2*');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#ops-list li[data-ops="ops1"]');
    await page.waitForFunction(() => (document.querySelector('#enabled-functions')?.textContent ?? '').includes('kfunc_2'));
    await page.close();
  });

  it('a load without the isolation headers shows the fallback message and runs deterministically in one thread', async () => {
    const page = await open(plain.url);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    const banner = page.locator('#isolation-message');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain('not cross-origin isolated');
    expect(await page.locator('#boot-mode').inputValue()).toBe('deterministic');
    await advanced(page, await retired(page), 1_000_000n);
    expect(page.workers().filter((w) => w.url().includes('hart-worker'))).toHaveLength(0);
    await shot(page, 'fallback.png');
    await page.close();
  });

  it('deterministic mode in the page gives the same result as in Node for the same seed', async () => {
    const cfg: SessionConfig = {
      mode: 'deterministic',
      harts: 2,
      seed: 7,
      scheme: 'callops',
      protocol: 'stop-all',
      guest: { kind: 'kernel', functions: 200, prefix: 'foo_', seed: 3 },
    };
    const page = await open(isolated.url);
    await page.click('#run-toggle'); // stop the default machine: the new one then boots stopped
    await page.waitForFunction(() => document.querySelector('#run-toggle')?.textContent === 'Start');
    await boot(page, { mode: 'deterministic', harts: '2', seed: '7', functions: '200', prefix: 'foo_', kernelSeed: '3' });
    await register(page, 'foo_1*');
    await page.fill('#step-insns', '3000000');
    await page.click('#step-run');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#digest')?.dataset.events ?? 0) > 0);
    const inPage = await page.locator('#digest').evaluate((d) => ({ ...(d as HTMLElement).dataset }));

    const node = await LabSession.boot(cfg);
    await node.register({ filter: 'foo_1*', notrace: '', tracer: 'function' });
    await node.runFor(3_000_000);
    expect(inPage).toEqual({
      retired: node.hartInfo().map((h) => h.retired.toString()).join(' '),
      events: String(node.digest.events),
      digest: node.digest.hex(),
    });
    await page.close();
  });
});
