// Issue 14 item 8: a bare-metal guest learns how many harts the machine has from the device tree a1 points to.
import { describe, expect, it } from 'vitest';
import { main as runMain } from '../../src/cli/run.js';
import { capture } from '../capture-output.js';
import { fixturePath } from '../fixtures/manifest.js';
import { vi } from 'vitest';

describe('hart count from the device tree', () => {
  it.each([1, 2, 4])('ftrace-lab run multihart --harts %i reports and uses that many harts (no poke)', async (harts) => {
    for (const elf of ['bin/multihart.rv64imac.elf', 'bin/multihart.rv64ima.elf']) {
      const cap = capture();
      let code: number;
      try {
        code = await runMain([fixturePath(elf), '--harts', String(harts), '--mode', harts === 2 ? 'deterministic' : 'parallel']);
      } finally {
        vi.restoreAllMocks();
      }
      expect(code).toBe(0);
      expect(cap.out()).toContain(`multihart: harts ${harts}\n`);
      expect(cap.out()).toContain(`multihart: amo counter ${harts * 2000}\n`);
      expect(cap.out()).toContain('multihart: ok');
    }
  });
});
