// The Linux worker: installs the page's compiled engine (hart workers nested here in parallel mode) and boots the kernel.
import { installModulePlatform } from '../../../src/machine/platform-browser.js';
import { runLinuxBoot } from '../linux-boot.js';
import type { LinuxBootMessage, LinuxBootRequest } from '../linux-protocol.js';

const scope = globalThis as unknown as {
  addEventListener(type: 'message', fn: (e: { data: LinuxBootRequest }) => void, options?: { once?: boolean }): void;
  postMessage(m: LinuxBootMessage): void;
};

scope.addEventListener(
  'message',
  (e) => {
    const { module, ...req } = e.data;
    installModulePlatform(
      module,
      req.mode === 'parallel'
        ? (hart) => new Worker(new URL('./hart-worker.ts', import.meta.url), { type: 'module', name: `linux-hart-${hart}` })
        : undefined,
    );
    void runLinuxBoot(req, (m) => scope.postMessage(m));
  },
  { once: true },
);
