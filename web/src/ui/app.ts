// The page's state: the current LabSession, (re)booting with its ops carried over, errors and status shown to the user.
import { LabSession, type SessionConfig } from '../session.js';
import { $, errorText } from './dom.js';

export class App {
  session: LabSession | null = null;
  config: SessionConfig;
  /** Set while a boot is in progress (controls that would race with it are disabled). */
  booting = false;
  /** Successful boots so far. */
  boots = 0;
  /** Parallel mode available (cross-origin isolated, SharedArrayBuffer present)? */
  readonly isolated: boolean;
  private readonly sessionListeners = new Set<(s: LabSession) => void>();
  private readonly tickListeners = new Set<(s: LabSession) => void>();

  constructor(initial: SessionConfig, isolated: boolean) {
    this.config = initial;
    this.isolated = isolated;
    $('#error-dismiss').addEventListener('click', () => this.clearError());
  }

  /** Listeners called with every new session (after boot). */
  onSession(fn: (s: LabSession) => void): void {
    this.sessionListeners.add(fn);
  }

  /** Listeners called a few times a second while a session exists. */
  onTick(fn: (s: LabSession) => void): void {
    this.tickListeners.add(fn);
  }

  tick(): void {
    const s = this.session;
    if (!s) return;
    s.pump();
    for (const fn of this.tickListeners) fn(s);
  }

  status(text: string): void {
    $('#status').textContent = text;
  }

  showError(err: unknown, context?: string): void {
    $('#error-text').textContent = (context ? `${context}: ` : '') + errorText(err);
    $('#error').hidden = false;
  }

  clearError(): void {
    $('#error').hidden = true;
    $('#error-text').textContent = '';
  }

  /**
   * Boots `cfg`. The old session keeps running until the new one has booted, so bad input (a non-ELF, a filter
   * that matches nothing) leaves the page as it was. Ops and tracefs settings carry over; the run state too.
   */
  async boot(cfg: SessionConfig, opts: { start?: boolean } = {}): Promise<boolean> {
    if (this.booting) return false;
    this.booting = true;
    this.status('Booting…');
    try {
      let next: LabSession;
      try {
        next = await LabSession.boot(cfg);
      } catch (err) {
        this.showError(err, 'Boot failed, the previous machine is unchanged');
        return false;
      }
      const old = this.session;
      // Keep a machine the user stopped stopped; anything else (running, or a guest that ended) runs the new one.
      const wasRunning = opts.start ?? (old ? old.state !== 'stopped' : true);
      const ops = old ? [...old.userOps.values()] : [];
      const tracefs = old?.tracefsState ?? { tracer: 'nop', filter: '', notrace: '' };
      await old?.dispose();
      const problems = await next.restoreFrom(ops, tracefs);
      this.session = next;
      this.config = cfg;
      this.clearError();
      if (problems.length) this.showError(new Error(problems.join('\n')), 'Not carried over to the new machine');
      if (wasRunning) next.start(); // before the listeners, so the panels show the state it is in
      for (const fn of this.sessionListeners) fn(next);
      this.boots++;
      document.documentElement.dataset.boots = String(this.boots); // lets scripts and tests wait for a boot
      return true;
    } finally {
      this.booting = false;
      this.status(this.describe());
    }
  }

  /** One line about the current machine for the status area. */
  describe(): string {
    const s = this.session;
    if (!s) return 'No machine';
    const c = s.config;
    const guest = c.guest.kind === 'kernel' ? `synthetic kernel (${c.guest.functions} functions)` : `ELF ${c.guest.name}`;
    return `${c.harts} hart${c.harts > 1 ? 's' : ''}, ${c.mode}, ${guest}, scheme ${c.scheme}, protocol ${c.protocol}`;
  }

  /** Runs `fn` for a button, showing a typed error in the page instead of throwing. */
  async guard(context: string, fn: () => Promise<unknown> | unknown): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.showError(err, context);
    }
  }
}
