// -march strings and `.option arch` edits -> the set of enabled extensions.
import type { Extension } from '../table.js';

export const DEFAULT_MARCH = 'rv64imac';

/** Extensions enabled by a -march string like rv64imac, rv64gc, rv64ima_zicsr_zifencei; undefined if malformed. */
export function parseMarch(march: string): Set<Extension> | undefined {
  const m = /^rv64([a-z]*)((?:_[a-z0-9]+)*)$/.exec(march.toLowerCase());
  if (!m) return undefined;
  const exts = new Set<Extension>(['Zicsr', 'Zifencei', 'priv']);
  for (const ch of m[1]!.replace(/g/g, 'imafd')) {
    const ext = ({ i: 'I', e: 'I', m: 'M', a: 'A', f: 'F', d: 'D', c: 'C' } as Record<string, Extension>)[ch];
    if (ext) exts.add(ext);
    else if (!/[0-9p]/.test(ch)) return undefined;
  }
  if (!exts.has('I')) return undefined;
  if (exts.has('D')) exts.add('F');
  return exts;
}

/** Apply `.option arch, +c, -d` style edits (or a full rv64... string); undefined if malformed. */
export function editArch(exts: ReadonlySet<Extension>, args: string[]): Set<Extension> | undefined {
  if (args.length === 1 && /^rv64/i.test(args[0]!)) return parseMarch(args[0]!);
  const out = new Set(exts);
  for (const a of args) {
    const m = /^([+-])([a-z]+)$/i.exec(a);
    if (!m) return undefined;
    const ext = ({ m: 'M', a: 'A', f: 'F', d: 'D', c: 'C', zicsr: 'Zicsr', zifencei: 'Zifencei' } as Record<string, Extension>)[m[2]!.toLowerCase()];
    if (!ext) return undefined;
    if (m[1] === '+') out.add(ext);
    else out.delete(ext);
  }
  return out;
}
