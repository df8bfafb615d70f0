// The ftrace panel: scheme and protocol (a reboot with the same ops), tracefs current_tracer and filters, ops registration and their counts.
import { SCHEME_NAMES } from '../../../src/ftrace/schemes/index.js';
import type { OpsHandle } from '../../../src/lab/ops-handle.js';
import { TRACERS } from '../../../src/tracefs/tracefs.js';
import { PROTOCOL_NAMES } from '../protocols.js';
import type { LabSession, OpsSpec } from '../session.js';
import type { App } from './app.js';
import { $, el, grouped, setOptions } from './dom.js';

/** Top entries of a count tracer shown under its ops. */
const COUNT_ROWS = 8;

export function setupFtracePanel(app: App): void {
  const scheme = $<HTMLSelectElement>('#scheme');
  const protocol = $<HTMLSelectElement>('#protocol');
  const tracer = $<HTMLSelectElement>('#current-tracer');
  const tracefsForm = $<HTMLFormElement>('#tracefs-form');
  const regForm = $<HTMLFormElement>('#register-form');
  const list = $('#ops-list');
  const lastPatch = $('#last-patch');
  setOptions(scheme, SCHEME_NAMES, app.config.scheme);
  setOptions(protocol, PROTOCOL_NAMES, app.config.protocol);
  setOptions(tracer, TRACERS, 'nop');
  setOptions($<HTMLSelectElement>('#reg-tracer'), TRACERS.filter((t) => t !== 'nop'), 'function');

  const rebootWith = (change: Partial<{ scheme: string; protocol: string }>) =>
    app.guard('Switch', async () => {
      const ok = await app.boot({ ...app.config, ...change });
      if (!ok) {
        scheme.value = app.config.scheme;
        protocol.value = app.config.protocol;
      }
    });
  scheme.addEventListener('change', () => void rebootWith({ scheme: scheme.value }));
  protocol.addEventListener('change', () => void rebootWith({ protocol: protocol.value }));

  tracer.addEventListener('change', () => tracefsForm.requestSubmit()); // a tracer takes effect when chosen
  tracefsForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void app.guard('tracefs', async () => {
      const s = app.session;
      if (!s) return;
      const data = new FormData(tracefsForm);
      const filter = String(data.get('filter') ?? '');
      const notrace = String(data.get('notrace') ?? '');
      if (filter !== s.tracefsState.filter) await s.setTracefsFilter('set_ftrace_filter', filter);
      if (notrace !== s.tracefsState.notrace) await s.setTracefsFilter('set_ftrace_notrace', notrace);
      if (tracer.value !== s.tracefsState.tracer) await s.setTracer(tracer.value);
      render(s);
    });
  });

  regForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void app.guard('Register', async () => {
      const s = app.session;
      if (!s) return;
      const data = new FormData(regForm);
      const spec: OpsSpec = {
        filter: String(data.get('filter') ?? ''),
        notrace: String(data.get('notrace') ?? ''),
        tracer: String(data.get('tracer') ?? 'function'),
      };
      await s.register(spec);
      render(s);
    });
  });

  app.onSession((s) => {
    scheme.value = s.config.scheme;
    protocol.value = s.config.protocol;
    tracer.value = s.tracefsState.tracer;
    $<HTMLInputElement>('#tracefs-filter').value = s.tracefsState.filter;
    $<HTMLInputElement>('#tracefs-notrace').value = s.tracefsState.notrace;
    render(s);
  });
  let ticks = 0;
  app.onTick((s) => {
    if (++ticks % 4 === 0) renderCounts(s); // count tables about once a second
  });

  const countTables = new Map<OpsHandle, HTMLElement>();

  function describe(s: LabSession, h: OpsHandle): string {
    const spec = s.userOps.get(h);
    const f = spec ? spec.filter.trim() || 'all functions' : s.tracefsState.filter.trim() || 'all functions';
    const n = spec ? spec.notrace.trim() : s.tracefsState.notrace.trim();
    return `${h.tracer} · filter: ${f}${n ? ` · notrace: ${n}` : ''}`;
  }

  function render(s: LabSession): void {
    countTables.clear();
    const items = s.lab.ftrace.registered().map((h) => {
      const own = s.userOps.has(h);
      const head = el('div', { class: 'ops-head' }, el('strong', {}, h.name), el('span', { class: 'summary' }, own ? describe(s, h) : `${describe(s, h)} (current_tracer)`));
      if (own) {
        const b = el('button', { type: 'button', 'aria-label': `Unregister ${h.name}` }, 'Unregister');
        b.addEventListener('click', () =>
          app.guard('Unregister', async () => {
            await s.unregister(h);
            render(s);
          }),
        );
        head.append(b);
      }
      const li = el('li', { 'data-ops': h.name }, head);
      if (h.tracer === 'count') {
        const holder = el('div');
        countTables.set(h, holder);
        li.append(holder);
      }
      return li;
    });
    list.replaceChildren(...(items.length ? items : [el('li', { class: 'summary' }, 'No ops registered: every site is a nop.')]));
    const r = s.lab.ftrace.lastReport;
    lastPatch.textContent = r
      ? `Last plan applied by ${r.protocol} (${r.mode === 'live' ? 'while the harts ran' : r.mode === 'quiescent' ? 'with nothing running' : 'partly while the harts ran'}): ${r.counts.writes} stores, ${r.counts.ipis} IPIs, ${r.counts.flushes} host icache flushes${r.pausedMs > 0 ? `, harts held ${r.pausedMs.toFixed(2)} ms` : ''}, ${r.hostMs.toFixed(2)} ms.`
      : '';
    renderCounts(s);
  }

  function renderCounts(s: LabSession): void {
    for (const [h, holder] of countTables) {
      if (!s.lab.ftrace.isRegistered(h)) continue;
      const top = [...s.lab.ftrace.counts(h)].sort((a, b) => b[1] - a[1]).slice(0, COUNT_ROWS);
      const table = el(
        'table',
        { class: 'data' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'function'), el('th', { scope: 'col', class: 'num' }, 'hits'))),
        el('tbody', {}, ...top.map(([name, n]) => el('tr', {}, el('td', { class: 'mono' }, name), el('td', { class: 'num' }, grouped(n))))),
      );
      holder.replaceChildren(top.length ? table : el('p', { class: 'summary' }, 'no hits yet'));
    }
  }
}
