// The site inspector, enabled_functions and Console tabs: a function's patch area before/after the last plan, the tracefs file, the UART.
import type { LabSession } from '../session.js';
import { siteView, type SiteRow } from '../site-view.js';
import type { App } from './app.js';
import { $, el } from './dom.js';
import type { Tabs } from './tabs.js';

function listingTable(title: string, rows: readonly SiteRow[], id: string): HTMLElement {
  const body = rows.map((r) =>
    el(
      'tr',
      { class: [r.written ? 'written' : '', r.patchable ? '' : 'body'].join(' ').trim(), 'data-addr': r.addr.toString(16) },
      el('td', {}, r.addr.toString(16)),
      el('td', {}, r.raw),
      el('td', {}, r.text.replace('\t', ' ')),
      el('td', { class: 'note' }, r.note),
    ),
  );
  return el(
    'section',
    { id, 'aria-label': title },
    el('h3', {}, title),
    el('table', { class: 'listing' }, el('thead', {}, el('tr', {}, ...['address', 'bytes', 'instruction', ''].map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, ...body)),
  );
}

export function setupInspector(app: App, tabs: Tabs): void {
  const form = $<HTMLFormElement>('#inspect-form');
  const input = $<HTMLInputElement>('#inspect-name');
  const out = $('#inspect-out');
  const names = $('#function-names');
  let shown = ''; // function on display
  let planSeen: unknown = null;

  const show = (s: LabSession, name: string): void => {
    let v;
    try {
      v = siteView(s.lab, name);
    } catch (err) {
      out.replaceChildren(el('p', { class: 'summary', role: 'alert' }, (err as Error).message));
      shown = '';
      return;
    }
    shown = v.symbol;
    planSeen = s.lab.ftrace.plan();
    const touched = v.writes.length > 0;
    out.replaceChildren(
      el(
        'p',
        { class: 'summary' },
        `${v.symbol}: rec->ip 0x${v.ip.toString(16)}, patch area 0x${v.areaStart.toString(16)}+${v.areaSize} (${v.layout}), scheme ${v.scheme}, traced by ${v.refcount} ops. ` +
          (touched ? `The last plan wrote ${v.writes.length} time${v.writes.length > 1 ? 's' : ''} here (rows marked ◆).` : 'The last plan did not write this site, so both listings are the same.'),
      ),
      el('div', { class: 'site-grid' }, listingTable('before the last plan', v.before, 'site-before'), listingTable('now (after the last plan)', v.after, 'site-after')),
      el(
        'table',
        { class: 'data', id: 'site-writes' },
        el('caption', { class: 'summary' }, 'Writes of the last plan to this area, in order'),
        el('thead', {}, el('tr', {}, ...['address', 'what', 'old', 'new'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, ...v.writes.map((w) => el('tr', {}, el('td', { class: 'mono' }, w.addr.toString(16)), el('td', {}, w.what), el('td', { class: 'mono' }, w.old), el('td', { class: 'mono' }, w.new)))),
      ),
    );
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const s = app.session;
    if (s) show(s, input.value);
  });

  app.onSession((s) => {
    names.replaceChildren(...s.lab.core.records.records.slice(0, 20000).map((r) => el('option', { value: r.symbol })));
    if (!input.value) input.value = s.lab.core.records.records[0]?.symbol ?? '';
    if (shown) show(s, shown);
    else out.replaceChildren(el('p', { class: 'summary' }, 'Pick a patchable function and press Show.'));
    renderEnabled(s);
  });
  app.onTick((s) => {
    // A new plan (register, unregister, filter change) refreshes what is on display.
    if (shown && s.lab.ftrace.plan() !== planSeen) show(s, shown);
    if (tabs.current === 'tab-enabled') renderEnabled(s);
  });
  tabs.onShow((id) => {
    if (id === 'tab-enabled' && app.session) renderEnabled(app.session);
  });

  // The Console tab: the guest's UART output (kept by the session, shown when it changed).
  let consoleSeen = '';
  const renderConsole = (s: LabSession) => {
    if (s.console === consoleSeen) return;
    consoleSeen = s.console;
    const out = $('#console-out');
    out.textContent = s.console || '(the guest has written nothing to its UART)';
    out.scrollTop = out.scrollHeight;
  };
  app.onSession((s) => {
    consoleSeen = '\0';
    renderConsole(s);
  });
  app.onTick((s) => {
    if (tabs.current === 'tab-console') renderConsole(s);
  });
  tabs.onShow((id) => {
    if (id === 'tab-console' && app.session) renderConsole(app.session);
  });

  let enabledSeen: unknown = null;
  function renderEnabled(s: LabSession): void {
    const plan = s.lab.ftrace.plan();
    if (plan === enabledSeen) return;
    enabledSeen = plan;
    const text = s.lab.tracefs.read('enabled_functions');
    const lines = text ? text.trimEnd().split('\n').length : 0;
    $('#enabled-count').textContent = `${lines} function${lines === 1 ? '' : 's'} enabled (tracefs enabled_functions).`;
    $('#enabled-functions').textContent = text || '(none)';
  }
}
