// `ftrace-lab start` (npm start): the overhead sweep on the synthetic kernel, sized to finish well within a minute.
import { PUBLISHED_ROWS } from '../lab/overhead-sweep.js';
import { runBench } from './bench.js';

/** Calls per row for npm start (the bench verb's default stays 100,000). */
export const START_CALLS = 10_000;

export async function main(argv: string[]): Promise<number> {
  const out = argv.includes('--no-files') ? null : 'bench-out';
  await runBench({ calls: START_CALLS, rows: [...PUBLISHED_ROWS], saveRegs: false, schemes: ['list', 'callops'], repeats: 3, out, json: false });
  return 0;
}
