// parseElf on the GCC/ld-built fixtures (test/fixtures/bin): agrees with llvm-readelf on entry, loads, symbols, entries.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/elf/index.js';

const BIN = fileURLToPath(new URL('../fixtures/bin/', import.meta.url));
const fixtures = existsSync(BIN) ? readdirSync(BIN).filter((n) => n.endsWith('.elf')).sort() : [];
const hasTool = spawnSync('llvm-readelf', ['--version']).status === 0;

function readelf(args: string[], path: string): string {
  const r = spawnSync('llvm-readelf', [...args, path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(r.status).toBe(0);
  return r.stdout;
}

/** The u64 LE values of a section from llvm-readelf's hex dump. */
function hexDumpU64s(out: string): number[] {
  const bytes: number[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*0x[0-9a-f]+ ((?:[0-9a-f]{2,8} ?){1,4})/i.exec(line);
    if (!m) continue;
    for (const word of m[1]!.trim().split(/\s+/)) for (let i = 0; i < word.length; i += 2) bytes.push(parseInt(word.slice(i, i + 2), 16));
  }
  const values: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) {
    let v = 0;
    for (let k = 7; k >= 0; k--) v = v * 256 + bytes[i + k]!;
    values.push(v);
  }
  return values;
}

describe.skipIf(fixtures.length === 0 || (!hasTool && !process.env.CI))('GCC-built fixtures', () => {
  it.each(fixtures)('%s matches llvm-readelf', (name) => {
    const path = BIN + name;
    const img = parseElf(new Uint8Array(readFileSync(path)));

    const header = readelf(['-h'], path);
    expect(img.entry).toBe(parseInt(/Entry point address:\s+(0x[0-9a-f]+)/i.exec(header)![1]!, 16));
    expect(img.eFlags).toBe(parseInt(/Flags:\s+(0x[0-9a-f]+)/i.exec(header)![1]!, 16));

    const loads = [...readelf(['-lW'], path).matchAll(/LOAD\s+(0x\w+) (0x\w+) (0x\w+) (0x\w+) (0x\w+)/g)];
    expect(img.segments.map((s) => [s.vaddr, s.paddr, s.data.length, s.memsz])).toEqual(
      loads.map((m) => [parseInt(m[2]!, 16), parseInt(m[3]!, 16), parseInt(m[4]!, 16), parseInt(m[5]!, 16)]),
    );

    const symLines = readelf(['-sW'], path).split('\n').filter((l) => /^\s*\d+: /.test(l));
    expect(img.symbols.length).toBe(symLines.length - 1); // minus the null symbol
    const funcs = symLines.map((l) => l.trim().split(/\s+/)).filter((f) => f[3] === 'FUNC' && parseInt(f[1]!, 16) !== 0);
    expect(img.functions.length).toBe(funcs.length);
    const tohostLine = symLines.find((l) => / tohost$/.test(l));
    expect(img.tohost).toBe(tohostLine ? parseInt(tohostLine.trim().split(/\s+/)[1]!, 16) : undefined);

    const sections = readelf(['-SW'], path);
    const pfe = sections.includes('__patchable_function_entries')
      ? hexDumpU64s(readelf(['-x', '__patchable_function_entries'], path))
      : [];
    expect(img.patchableEntries).toEqual(pfe);
    expect(img.patchableEntries.length).toBeGreaterThan(0);
    // each entry points at a NOP area before a function symbol inside an executable segment
    const text = img.segments.find((s) => s.flags & 1)!;
    for (const e of img.patchableEntries) expect(e >= text.vaddr && e < text.vaddr + text.memsz).toBe(true);
  });
});
