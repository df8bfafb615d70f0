// The overhead sweep's worker: installs the engine the page compiled, runs runOverheadSweep, posts every row.
import { runOverheadSweep } from '../../../src/lab/overhead-sweep.js';
import type { LabScheme } from '../../../src/lab/options.js';
import { installModulePlatform } from '../../../src/machine/platform-browser.js';
import type { SweepMessage, SweepRequest } from '../sweep-protocol.js';

const scope = globalThis as unknown as {
  addEventListener(type: 'message', fn: (e: { data: SweepRequest }) => void): void;
  postMessage(m: SweepMessage): void;
};

scope.addEventListener('message', (e) => {
  const req = e.data;
  installModulePlatform(req.module);
  const t0 = performance.now();
  // A fresh worker runs the engine in the baseline tier at first; without this warm-up the first rows' host
  // times (the first baseline above all) are measured before the optimised code is in and come out too high.
  const warmUp = () => runOverheadSweep({ schemes: req.schemes as LabScheme[], rows: [[1, 0]], calls: Math.min(req.calls, 20_000), repeats: 2 });
  warmUp().then(() => runOverheadSweep({
    schemes: req.schemes as LabScheme[],
    rows: req.rows,
    calls: req.calls,
    repeats: req.repeats,
    saveRegs: req.saveRegs,
    onRow: (done, total, row) => scope.postMessage({ type: 'row', done, total, row }),
  })).then(
    (rows) => scope.postMessage({ type: 'done', rows, seconds: (performance.now() - t0) / 1000 }),
    (err: unknown) => {
      const e2 = err as { message?: string; code?: string };
      scope.postMessage({ type: 'failed', message: e2?.message ?? String(err), ...(e2?.code ? { code: e2.code } : {}) });
    },
  );
});
