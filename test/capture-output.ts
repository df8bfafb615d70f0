// Test helper: captures what a CLI verb writes to process.stdout/stderr (restore with vi.restoreAllMocks()).
import { vi } from 'vitest';

const dec = new TextDecoder();
const text = (s: unknown): string => (s instanceof Uint8Array ? dec.decode(s) : String(s));

export function capture(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += text(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += text(s)), true));
  return { out: () => out, err: () => err };
}
