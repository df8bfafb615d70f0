// The Harts panel: start/stop, hold all or one hart, per-hart state and live M instr/s, exact deterministic runs with a digest.
import type { LabSession } from '../session.js';
import type { App } from './app.js';
import { $, el, grouped } from './dom.js';

/** Rate over the last sample interval, per hart. */
interface Sample {
  readonly t: number;
  readonly retired: bigint[];
}

export function setupHartsPanel(app: App): void {
  const toggle = $<HTMLButtonElement>('#run-toggle');
  const pauseAll = $<HTMLButtonElement>('#pause-all');
  const resumeAll = $<HTMLButtonElement>('#resume-all');
  const tbody = $('#harts-table tbody');
  const det = $('#det-controls');
  const stepInput = $<HTMLInputElement>('#step-insns');
  const stepRun = $<HTMLButtonElement>('#step-run');
  let last: Sample | null = null;
  let rows: { state: HTMLElement; rate: HTMLElement; retired: HTMLElement; button: HTMLButtonElement }[] = [];

  const session = () => app.session;

  toggle.addEventListener('click', () =>
    app.guard('Start/stop', async () => {
      const s = session();
      if (!s || app.booting) return;
      if (s.running) await s.stop();
      else s.start();
      refresh(s);
    }),
  );
  pauseAll.addEventListener('click', () =>
    app.guard('Pause all', async () => {
      const s = session();
      if (s) await Promise.all(Array.from({ length: s.harts }, (_, h) => s.pauseHart(h)));
    }),
  );
  resumeAll.addEventListener('click', () =>
    app.guard('Resume all', () => {
      const s = session();
      if (s) for (let h = 0; h < s.harts; h++) s.resumeHart(h);
    }),
  );
  stepRun.addEventListener('click', () =>
    app.guard('Exact run', async () => {
      const s = session();
      const n = Number(stepInput.value);
      if (!s) return;
      if (!Number.isSafeInteger(n) || n < 1) throw new Error('the instruction count must be a positive integer');
      stepRun.disabled = true;
      try {
        await s.runFor(n);
      } finally {
        stepRun.disabled = false;
      }
      refresh(s);
    }),
  );

  app.onSession((s) => {
    last = null;
    rows = [];
    tbody.replaceChildren();
    for (let h = 0; h < s.harts; h++) {
      const state = el('td');
      const rate = el('td', { class: 'num' });
      const retired = el('td', { class: 'num' });
      const button = el('button', { type: 'button', 'aria-label': `Pause hart ${h}` }, 'Pause');
      button.addEventListener('click', () =>
        app.guard(`Hart ${h}`, async () => {
          const cur = session();
          if (!cur) return;
          if (cur.lab.machine.isHartPaused(h)) cur.resumeHart(h);
          else await cur.pauseHart(h);
          refresh(cur);
        }),
      );
      tbody.append(el('tr', { 'data-hart': h }, el('th', { scope: 'row' }, String(h)), state, rate, retired, el('td', {}, button)));
      rows.push({ state, rate, retired, button });
    }
    det.hidden = s.config.mode !== 'deterministic';
    refresh(s);
  });
  app.onTick((s) => refresh(s, true));

  /** Updates the panel; `sample` (the periodic tick) also measures the rates. */
  function refresh(s: LabSession, sample = false): void {
    const info = s.hartInfo();
    const now = performance.now();
    const dt = last ? (now - last.t) / 1000 : 0;
    info.forEach((h, i) => {
      const r = rows[i];
      if (!r) return;
      const prev = last?.retired[i];
      const rate = prev !== undefined && dt > 0 ? Number(h.retired - prev) / dt / 1e6 : 0;
      r.state.textContent = h.state;
      r.state.className = `state-${h.state}`;
      if (sample) {
        r.rate.textContent = s.running ? rate.toFixed(1) : '–';
        r.rate.dataset.mips = String(s.running ? rate : 0);
      }
      r.retired.textContent = grouped(h.retired);
      r.retired.dataset.retired = h.retired.toString();
      const held = s.lab.machine.isHartPaused(i);
      r.button.textContent = held ? 'Resume' : 'Pause';
      r.button.setAttribute('aria-label', `${held ? 'Resume' : 'Pause'} hart ${i}`);
      r.button.setAttribute('aria-pressed', String(held));
    });
    if (sample || !last) last = { t: now, retired: info.map((h) => h.retired) };
    $('#harts-table').dataset.sampledAt = String(now); // when the retired counts were read (page clock, ms)
    const open = s.state === 'stopped' || s.state === 'running';
    toggle.disabled = !open || app.booting;
    toggle.textContent = s.running ? 'Stop' : 'Start';
    pauseAll.disabled = resumeAll.disabled = !open;
    stepRun.disabled = s.state !== 'stopped';
    const ended =
      s.state === 'halted' ? `Halted${s.exitCode !== undefined ? ` with exit code ${s.exitCode}` : ''}${s.error ? ` (${s.error})` : ''}. Boot again to rerun.`
      : s.state === 'fault' ? `Stopped in a fault loop: hart ${s.fault?.hart} pc 0x${s.fault?.pc.toString(16)} cause ${s.fault?.cause}.`
      : s.state === 'error' ? `Engine error: ${s.error}`
      : s.running ? 'Running.' : 'Stopped.';
    $('#run-state').textContent = ended;
    if (s.config.mode === 'deterministic') {
      const per = info.map((h) => h.retired.toString()).join(' ');
      const d = $('#digest');
      d.textContent = `retired per hart: ${per} · trace events: ${s.digest.events} · digest ${s.digest.hex()}`;
      d.dataset.retired = per;
      d.dataset.events = String(s.digest.events);
      d.dataset.digest = s.digest.hex();
    }
  }
}
