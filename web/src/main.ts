// The page's entry: check isolation, compile the engine once (streaming), boot the default lab and wire the panels.
import engineUrl from '../../build/engine.wasm?url';
import { loadBrowserPlatform } from '../../src/machine/platform-browser.js';
import { checkIsolation, fallbackMessage } from './isolation.js';
import { PROTOCOL_NAMES } from './protocols.js';
import type { SessionConfig } from './session.js';
import { App } from './ui/app.js';
import { setupBootForm } from './ui/boot-form.js';
import { $ } from './ui/dom.js';
import { setupFtracePanel } from './ui/ftrace-panel.js';
import { setupHartsPanel } from './ui/harts-panel.js';
import { setupInspector } from './ui/inspector-panel.js';
import { setupLinuxPanel } from './ui/linux-panel.js';
import { setupSweepPanel } from './ui/sweep-panel.js';
import { Tabs } from './ui/tabs.js';
import { setupTraceView } from './ui/trace-view.js';

/** UI refresh period (hart rates, trace tail, counts). */
const TICK_MS = 250;

async function main(): Promise<void> {
  const iso = checkIsolation();
  if (!iso.isolated) {
    const banner = $('#isolation-message');
    banner.textContent = fallbackMessage(iso);
    banner.hidden = false;
  }
  const initial: SessionConfig = {
    mode: iso.isolated ? 'parallel' : 'deterministic',
    harts: 2,
    seed: 1,
    scheme: 'callops',
    protocol: PROTOCOL_NAMES[0]!,
    guest: { kind: 'kernel', functions: 1000, prefix: 'kfunc_', seed: 1 },
  };
  const app = new App(initial, iso.isolated);
  const tabs = new Tabs($('#tabs'));
  setupBootForm(app);
  setupHartsPanel(app);
  setupFtracePanel(app);
  setupTraceView(app);
  setupInspector(app, tabs);

  let module: WebAssembly.Module | null = null;
  setupSweepPanel(app, tabs, () => module, () => new Worker(new URL('./workers/sweep-worker.ts', import.meta.url), { type: 'module', name: 'sweep' }));
  const linuxReady = setupLinuxPanel(app, tabs, () => module, () => new Worker(new URL('./workers/linux-worker.ts', import.meta.url), { type: 'module', name: 'linux' }));

  try {
    const t0 = performance.now();
    ({ module } = await loadBrowserPlatform({
      engineUrl,
      createWorker: (hart) => new Worker(new URL('./workers/hart-worker.ts', import.meta.url), { type: 'module', name: `hart-${hart}` }),
    }));
    performance.measure('engine-compile', { start: t0 });
  } catch (err) {
    app.status('The engine could not be loaded.');
    app.showError(err, 'Engine');
    return;
  }
  document.documentElement.dataset.engine = 'ready';
  linuxReady();
  await app.boot(initial, { start: true });
  document.documentElement.dataset.booted = 'true';
  setInterval(() => app.tick(), TICK_MS);
}

void main();
