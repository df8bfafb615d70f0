// The live trace: ftrace text lines in a virtualised list (only the visible rows exist in the DOM), following the tail.
import { formatTrace, formatTraceHeader, formatTraceLine } from '../../../src/tracefs/trace-format.js';
import type { LabSession } from '../session.js';
import type { App } from './app.js';
import { $, el, grouped } from './dom.js';

/** Must equal the CSS --row (line-height of .trace-rows). */
const ROW_PX = 18;
/** Extra rows rendered above and below the visible ones. */
const OVERSCAN = 10;

export function setupTraceView(app: App): void {
  const viewport = $('#trace-viewport');
  const spacer = $('#trace-spacer');
  const rows = $('#trace-rows');
  const follow = $<HTMLInputElement>('#trace-follow');
  const tracingOn = $<HTMLInputElement>('#trace-on');
  const counts = $('#trace-counts');
  const header = $('#trace-header');
  let dirty = false;
  let programmaticScroll = false;
  let lastTotal = -1;

  const session = () => app.session;

  const schedule = () => {
    if (dirty) return;
    dirty = true;
    requestAnimationFrame(render);
  };

  viewport.addEventListener('scroll', () => {
    if (programmaticScroll) {
      programmaticScroll = false;
    } else {
      // Scrolling away from the bottom stops following; scrolling back to it resumes.
      const atBottom = viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - ROW_PX;
      follow.checked = atBottom;
    }
    schedule();
  });
  viewport.addEventListener('keydown', (e) => {
    if (e.key === 'End') {
      follow.checked = true;
      schedule();
    }
  });
  follow.addEventListener('change', schedule);
  tracingOn.addEventListener('change', () => app.guard('tracing_on', () => session()?.setTracingOn(tracingOn.checked)));
  $('#trace-clear').addEventListener('click', () => {
    const s = session();
    if (!s) return;
    s.pump();
    s.tail.clear();
    lastTotal = -1;
    schedule();
  });

  $('#trace-save').addEventListener('click', () => {
    const s = session();
    if (!s) return;
    s.pump();
    const events = Array.from({ length: s.tail.size }, (_, i) => s.tail.at(i));
    const text = formatTrace(events, { tracer: s.tracefsState.tracer, entries: events.length, written: s.tail.total, cpus: s.harts });
    const a = el('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/plain' })), download: 'trace.txt' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });

  app.onSession((s) => {
    tracingOn.checked = s.tracingOn;
    lastTotal = -1;
    schedule();
  });
  app.onTick((s) => {
    if (s.tail.total !== lastTotal) schedule();
  });

  function render(): void {
    dirty = false;
    const s = session();
    if (!s) return;
    lastTotal = s.tail.total;
    const n = s.tail.size;
    spacer.style.height = `${n * ROW_PX}px`;
    if (follow.checked) {
      const bottom = Math.max(0, n * ROW_PX - viewport.clientHeight);
      if (Math.abs(viewport.scrollTop - bottom) > 1) {
        programmaticScroll = true;
        viewport.scrollTop = bottom;
      }
    }
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_PX) - OVERSCAN);
    const count = Math.ceil(viewport.clientHeight / ROW_PX) + 2 * OVERSCAN;
    const last = Math.min(n, first + count);
    const lines: string[] = [];
    for (let i = first; i < last; i++) lines.push(formatTraceLine(s.tail.at(i)));
    rows.style.transform = `translateY(${first * ROW_PX}px)`;
    rows.textContent = lines.join('\n');
    rows.dataset.first = String(first);
    rows.dataset.count = String(last - first);
    const lost = s.lab.trace.lost();
    const lostGuest = lost.perHart.reduce((a, b) => a + b, 0);
    // The first lines of the kernel's header (the column legend is in the saved file).
    header.textContent = formatTraceHeader({ tracer: s.tracefsState.tracer, entries: n, written: s.tail.total, cpus: s.harts }).split('\n').slice(0, 3).join('\n');
    counts.textContent = `${grouped(s.tail.total)} events since boot, newest ${grouped(n)} kept here` + (lostGuest ? `, ${grouped(lostGuest)} overwritten in the guest ring buffers` : '');
    counts.dataset.total = String(s.tail.total);
  }
}
