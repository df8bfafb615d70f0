// The overhead sweep tab: runs runOverheadSweep in a worker on the page's compiled engine, tabulates, charts, offers the JSON.
import { SCHEME_NAMES } from '../../../src/ftrace/schemes/index.js';
import { PUBLISHED_ROWS, type SweepRow } from '../../../src/lab/overhead-sweep.js';
import { sweepJson } from '../../../src/lab/sweep-report.js';
import { drawChart } from '../sweep-chart.js';
import type { SweepMessage, SweepRequest } from '../sweep-protocol.js';
import type { App } from './app.js';
import { $, el } from './dom.js';
import type { Tabs } from './tabs.js';

/** "1,0 1,1 2,0" -> [[1,0],[1,1],[2,0]] (typed errors for anything else). */
export function parseRows(text: string): [number, number][] {
  const parts = text.trim().split(/[\s;]+/).filter(Boolean);
  if (parts.length === 0) throw new Error('give at least one row as relevant,irrelevant (e.g. 1,0 1,10)');
  return parts.map((p) => {
    const m = /^(\d+),(\d+)$/.exec(p);
    if (!m) throw new Error(`row '${p}' is not relevant,irrelevant (two integers)`);
    const r: [number, number] = [Number(m[1]), Number(m[2])];
    if (r[0] > 10000 || r[1] > 10000) throw new Error(`row '${p}': at most 10000 ops of each kind`);
    if (r[0] + r[1] === 0) throw new Error(`row '${p}' registers no ops`);
    return r;
  });
}

export function setupSweepPanel(app: App, tabs: Tabs, engine: () => WebAssembly.Module | null, createWorker: () => Worker): void {
  const form = $<HTMLFormElement>('#sweep-form');
  const run = $<HTMLButtonElement>('#sweep-run');
  const cancel = $<HTMLButtonElement>('#sweep-cancel');
  const download = $<HTMLButtonElement>('#sweep-download');
  const progress = $<HTMLProgressElement>('#sweep-progress');
  const status = $('#sweep-status');
  const tbody = $('#sweep-table tbody');
  const schemesBox = $('#sweep-schemes');
  $<HTMLInputElement>('#sweep-rows').value = PUBLISHED_ROWS.map(([r, i]) => `${r},${i}`).join(' ');
  schemesBox.replaceChildren(
    ...SCHEME_NAMES.map((name) => el('label', { class: 'choice' }, el('input', { type: 'checkbox', name: 'scheme', value: name, checked: true }), name)),
  );
  let worker: Worker | null = null;
  let rows: SweepRow[] = [];
  let meta: Record<string, unknown> = {};

  const fmt = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const renderTable = () =>
    tbody.replaceChildren(
      ...rows.map((r) =>
        el(
          'tr',
          { 'data-scheme': r.scheme, 'data-relevant': r.relevant, 'data-irrelevant': r.irrelevant, 'data-traced-insns': r.tracedInsns, 'data-traced-instret': r.tracedInstret.toString() },
          el('td', {}, r.scheme),
          el('td', { class: 'num' }, String(r.relevant)),
          el('td', { class: 'num' }, String(r.irrelevant)),
          el('td', { class: 'num' }, fmt(r.tracedInsns, 2)),
          el('td', { class: 'num' }, fmt(r.overheadInsns, 2)),
          el('td', { class: 'num' }, fmt(r.tracedNs, 1)),
          el('td', { class: 'num' }, fmt(r.overheadNs, 1)),
        ),
      ),
    );
  const renderCharts = () => {
    drawChart($('#chart-insns'), rows, (r) => r.overheadInsns, 'guest insns / call');
    drawChart($('#chart-ns'), rows, (r) => r.overheadNs, 'ns / call');
  };
  tabs.onShow((id) => {
    if (id === 'tab-sweep' && rows.length) renderCharts(); // sizes are known once the tab is visible
  });

  const finish = (text: string) => {
    worker?.terminate();
    worker = null;
    run.disabled = false;
    cancel.disabled = true;
    status.textContent = text;
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void app.guard('Overhead sweep', () => {
      const module = engine();
      if (!module) throw new Error('the engine is not loaded yet');
      const data = new FormData(form);
      const int = (name: string, lo: number, hi: number) => {
        const v = Number(data.get(name));
        if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${name} must be an integer from ${lo} to ${hi}`);
        return v;
      };
      const schemes = data.getAll('scheme').map(String);
      if (schemes.length === 0) throw new Error('tick at least one scheme');
      const req: SweepRequest = {
        module,
        schemes,
        rows: parseRows(String(data.get('rows') ?? '')),
        calls: int('calls', 1, 10_000_000),
        repeats: int('repeats', 1, 50),
        saveRegs: data.get('saveRegs') !== null,
      };
      rows = [];
      renderTable();
      renderCharts();
      download.disabled = true;
      run.disabled = true;
      cancel.disabled = false;
      progress.max = req.schemes.length * req.rows.length;
      progress.value = 0;
      status.textContent = 'Running…';
      meta = { calls: req.calls, repeats: req.repeats, saveRegs: req.saveRegs, host: navigator.userAgent };
      worker = createWorker();
      worker.addEventListener('message', (ev: MessageEvent<SweepMessage>) => {
        const m = ev.data;
        if (m.type === 'row') {
          rows.push(m.row);
          progress.value = m.done;
          status.textContent = `${m.done}/${m.total} rows`;
          renderTable();
          renderCharts();
        } else if (m.type === 'done') {
          rows = [...m.rows];
          meta = { ...meta, seconds: m.seconds };
          renderTable();
          renderCharts();
          download.disabled = false;
          finish(`Done: ${rows.length} rows in ${m.seconds.toFixed(1)} s.`);
        } else {
          finish('Failed.');
          app.showError(Object.assign(new Error(m.message), m.code ? { code: m.code, name: 'SweepError' } : {}), 'Overhead sweep');
        }
      });
      worker.addEventListener('error', (ev) => {
        finish('Failed.');
        app.showError(new Error(ev.message || 'the sweep worker failed'), 'Overhead sweep');
      });
      worker.postMessage(req);
    });
  });

  cancel.addEventListener('click', () => finish(`Cancelled after ${rows.length} rows.`));

  download.addEventListener('click', () => {
    const blob = new Blob([sweepJson(rows, meta) + '\n'], { type: 'application/json' });
    const a = el('a', { href: URL.createObjectURL(blob), download: 'ftrace-lab-sweep.json' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });
}
