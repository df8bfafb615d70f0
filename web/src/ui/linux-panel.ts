// The "Boot Linux" panel: fetches the kernel, OpenSBI and System.map the server offers, boots them in a worker, streams the console.
import { BoardError } from '../../../src/board/errors.js';
import { LINUX_ASSET_HELP, LINUX_ASSET_PATHS, type LinuxAsset } from '../../../src/board/linux-assets.js';
import type { LinuxBootMessage, LinuxBootRequest } from '../linux-protocol.js';
import type { App } from './app.js';
import { $ } from './dom.js';
import type { Tabs } from './tabs.js';

/** Characters of kernel console the page keeps (a boot prints about 10 KB). */
export const LINUX_CONSOLE_CHARS = 1 << 20;
/** The budgets `ftrace-lab boot` uses by default: 2e10 instructions, 600 s of host time. */
const MAX_INSNS = 2e10;
const TIMEOUT_MS = 600_000;
/** Period of the live elapsed-time line while the kernel runs. */
const CLOCK_MS = 100;

/** A Linux input the server does not have: a BoardError whose message names the command that makes it. */
function missingAsset(asset: LinuxAsset, url: string, status: number): BoardError {
  return new BoardError(
    asset === 'firmware' ? 'BOARD_NO_FIRMWARE' : 'BOARD_NO_KERNEL',
    `no Linux to boot: ${url} answered ${status}; ${LINUX_ASSET_HELP[asset]} (the page fetches it from 'npx ftrace-lab serve', which serves the kernel cache)`,
  );
}

async function fetchAsset(asset: LinuxAsset, method: 'GET' | 'HEAD'): Promise<Response> {
  const url = new URL(LINUX_ASSET_PATHS[asset], document.baseURI).href;
  const res = await fetch(url, { method, cache: 'no-cache' });
  if (!res.ok) throw missingAsset(asset, url, res.status);
  return res;
}

/** Settles every fetch, then throws the first failure in the order given (the Image before the firmware). */
async function inOrder<T extends unknown[]>(...ps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const all = await Promise.allSettled(ps);
  for (const r of all) if (r.status === 'rejected') throw r.reason;
  return all.map((r) => (r as PromiseFulfilledResult<unknown>).value) as T;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Wires the panel; call the function it returns once the engine is compiled (it enables Boot Linux). */
export function setupLinuxPanel(app: App, tabs: Tabs, engine: () => WebAssembly.Module | null, createWorker: () => Worker): () => void {
  const form = $<HTMLFormElement>('#linux-form');
  const bootButton = $<HTMLButtonElement>('#linux-boot');
  const stopButton = $<HTMLButtonElement>('#linux-stop');
  const assets = $('#linux-assets');
  const state = $('#linux-state');
  const consoleOut = $('#linux-console');
  const report = $('#linux-report');
  const mode = $<HTMLSelectElement>('#linux-mode');
  if (!app.isolated) {
    const parallel = mode.querySelector<HTMLOptionElement>('option[value=parallel]')!;
    parallel.disabled = true;
    parallel.textContent += ' (needs cross-origin isolation)';
  }

  let worker: Worker | null = null;
  let clock: ReturnType<typeof setInterval> | undefined;
  let consoleChars = 0;

  const setState = (s: 'idle' | 'loading' | 'running' | 'done' | 'failed' | 'stopped', text: string) => {
    state.dataset.state = s;
    state.textContent = text;
  };
  const appendConsole = (text: string) => {
    if (!text) return;
    const follow = consoleOut.scrollTop + consoleOut.clientHeight >= consoleOut.scrollHeight - 4;
    consoleOut.append(text);
    consoleChars += text.length;
    if (consoleChars > LINUX_CONSOLE_CHARS) {
      consoleOut.textContent = (consoleOut.textContent ?? '').slice(-LINUX_CONSOLE_CHARS / 2);
      consoleChars = consoleOut.textContent.length;
    }
    consoleOut.dataset.pieces = String(Number(consoleOut.dataset.pieces ?? 0) + 1);
    if (follow) consoleOut.scrollTop = consoleOut.scrollHeight;
  };
  const end = () => {
    worker?.terminate(); // ends the nested hart workers too
    worker = null;
    clearInterval(clock);
    clock = undefined;
    bootButton.disabled = engine() === null;
    stopButton.disabled = true;
  };

  /** What the server offers, shown before anyone clicks (HEAD requests; nothing is downloaded). */
  const checkAssets = async (): Promise<void> => {
    try {
      const [image, firmware] = await inOrder<[Response, Response]>(fetchAsset('image', 'HEAD'), fetchAsset('firmware', 'HEAD'));
      const map = await fetchAsset('systemMap', 'HEAD').then(() => true, () => false);
      assets.dataset.ready = 'true';
      assets.textContent = `Ready: Image ${mb(Number(image.headers.get('Content-Length') ?? 0))}, fw_jump.bin ${mb(Number(firmware.headers.get('Content-Length') ?? 0))}` +
        (map ? ', System.map (patch report).' : '; no System.map, so no patch report.');
    } catch (err) {
      assets.dataset.ready = 'false';
      assets.textContent = err instanceof BoardError ? err.message : `cannot reach the server: ${(err as Error).message}`;
    }
  };

  const boot = async (): Promise<void> => {
    const module = engine();
    if (!module) throw new Error('the engine is not loaded yet');
    const data = new FormData(form);
    const int = (name: string, lo: number, hi: number, label: string) => {
      const v = Number(data.get(name));
      if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${label} must be an integer from ${lo} to ${hi}`);
      return v;
    };
    const harts = int('harts', 1, 4, 'Harts');
    const seed = int('seed', 0, 2 ** 31, 'Scheduler seed');
    const parallel = data.get('mode') === 'parallel' && app.isolated;
    const watch = data.get('watch') !== null;
    bootButton.disabled = true;
    stopButton.disabled = false;
    consoleOut.textContent = '';
    consoleOut.dataset.pieces = '0';
    consoleChars = 0;
    report.textContent = '';
    setState('loading', 'Fetching the kernel, OpenSBI and System.map…');
    tabs.show('tab-linux');
    const t0 = performance.now();
    let kernel: ArrayBuffer, firmware: ArrayBuffer, systemMap: string | undefined;
    try {
      [kernel, firmware, systemMap] = await inOrder<[ArrayBuffer, ArrayBuffer, string | undefined]>(
        fetchAsset('image', 'GET').then((r) => r.arrayBuffer()),
        fetchAsset('firmware', 'GET').then((r) => r.arrayBuffer()),
        watch ? fetchAsset('systemMap', 'GET').then((r) => r.text(), () => undefined) : Promise.resolve(undefined),
      );
    } catch (err) {
      end();
      setState('failed', err instanceof BoardError ? err.message : `Could not fetch the kernel: ${(err as Error).message}`);
      void checkAssets();
      return;
    }
    const fetchMs = performance.now() - t0;
    // The lab's own machine would take the cores the kernel needs: stop it (Start in the Harts panel resumes it).
    const lab = app.session;
    const stoppedLab = lab?.running === true;
    if (stoppedLab) await lab!.stop();
    const req: LinuxBootRequest = {
      module,
      kernel: new Uint8Array(kernel),
      firmware: new Uint8Array(firmware),
      systemMap,
      harts,
      mode: parallel ? 'parallel' : 'deterministic',
      seed,
      append: String(data.get('append') ?? '').trim(),
      maxInsns: MAX_INSNS,
      timeoutMs: TIMEOUT_MS,
    };
    const started = performance.now();
    let instructions = 0;
    let ticks = 0;
    const running = () =>
      `Booting on ${harts} hart${harts > 1 ? 's' : ''} (${req.mode})… ${((performance.now() - started) / 1000).toFixed(1)} s, ${(instructions / 1e6).toFixed(1)} M instructions` +
      (stoppedLab ? ' (the lab machine was stopped to leave the cores to the kernel)' : '');
    setState('running', running());
    state.dataset.ticks = '0';
    clock = setInterval(() => {
      state.textContent = running();
      state.dataset.ticks = String(++ticks); // the page's own timer kept running while the kernel booted
    }, CLOCK_MS);
    worker = createWorker();
    const mine = worker;
    worker.addEventListener('message', (ev: MessageEvent<LinuxBootMessage>) => {
      if (worker !== mine) return;
      const m = ev.data;
      appendConsole(m.console);
      if (m.type === 'progress') {
        instructions = m.instructions;
        return;
      }
      end();
      if (m.type === 'failed') {
        setState('failed', `Boot failed: ${m.code ? `${m.code}: ` : ''}${m.message}`);
        app.showError(Object.assign(new Error(m.message), m.code ? { code: m.code, name: 'BoardError' } : {}), 'Boot Linux');
        return;
      }
      const mips = m.instructions / m.hostMs / 1000;
      const how = m.outcome === 'poweroff' ? 'Booted to power-off' : `Ended (${m.outcome})`;
      state.dataset.hostMs = m.hostMs.toFixed(0);
      state.dataset.instructions = String(m.instructions);
      state.dataset.outcome = m.outcome;
      setState(
        m.outcome === 'poweroff' ? 'done' : 'failed',
        `${how} in ${(m.hostMs / 1000).toFixed(2)} s of host time: ${(m.instructions / 1e6).toFixed(1)} M instructions on ${harts} hart${harts > 1 ? 's' : ''} ` +
          `(${req.mode}), ${mips.toFixed(0)} M instr/s. Fetching the files took ${(fetchMs / 1000).toFixed(2)} s.` +
          (stoppedLab ? ' The lab machine was stopped for the boot (Start in the Harts panel resumes it).' : ''),
      );
      report.textContent = m.summary + '\n\n' + (m.report ?? (watch ? '(no patch report: the server has no System.map)' : '(no patch report: the watch was off)'));
    });
    worker.addEventListener('error', (ev) => {
      if (worker !== mine) return;
      end();
      setState('failed', `The Linux worker failed: ${ev.message || 'unknown error'}`);
    });
    worker.postMessage(req, [req.kernel.buffer]);
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void app.guard('Boot Linux', boot);
  });
  stopButton.addEventListener('click', () => {
    if (!worker) return;
    end();
    setState('stopped', 'Stopped (the worker and its harts were terminated).');
  });
  void checkAssets();
  return () => {
    bootButton.disabled = worker !== null;
  };
}
