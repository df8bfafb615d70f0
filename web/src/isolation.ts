// Can harts run in parallel Web Workers here? Needs cross-origin isolation (COOP/COEP headers) and SharedArrayBuffer.

export interface IsolationReport {
  readonly isolated: boolean;
  /** Why not, for the page's message (empty when isolated). */
  readonly reason: string;
}

export function checkIsolation(g: { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown } = globalThis as never): IsolationReport {
  const coi = g.crossOriginIsolated === true;
  const sab = typeof g.SharedArrayBuffer === 'function';
  if (coi && sab) return { isolated: true, reason: '' };
  const why = [!coi ? 'crossOriginIsolated is false' : '', !sab ? 'SharedArrayBuffer is missing' : ''].filter(Boolean).join(' and ');
  return { isolated: false, reason: why };
}

/** The message the page shows when it falls back to one thread. */
export function fallbackMessage(r: IsolationReport): string {
  return (
    `This page is not cross-origin isolated (${r.reason}), so the harts cannot share memory with Web Workers. ` +
    `It runs in deterministic single-thread mode instead: every hart in this tab, one at a time, with a seeded schedule. ` +
    `For parallel harts serve the page with the headers "Cross-Origin-Opener-Policy: same-origin" and ` +
    `"Cross-Origin-Embedder-Policy: require-corp" (npx ftrace-lab serve does).`
  );
}
