// Fuzzing parseElf: thousands of seeded mutations of valid files; only ElfError may ever escape.
import { Prng } from '../../src/util/prng.js';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ElfError, parseElf, type ElfImage } from '../../src/elf/index.js';
import { EHDR_FIELDS, ElfFields, PHDR_FIELDS, SHDR_FIELDS, SYM_FIELDS } from './elf-fields.js';
import { sampleElves } from './sample-elves.js';

/** Seeded uniform floats in [0, 1), so every failure is reproducible from its case number. */
function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.float();
}

const EXTREMES: bigint[] = [0n, 1n, 0x7fn, 0xffn, 0xffffn, 0xfff1n, 0x7fff_ffffn, 0xffff_ffffn, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];

type Field = [number, 1 | 2 | 4 | 8];

/** Every header, program header, section header and symbol field of a valid file, as absolute offsets. */
function fieldsOf(f: ElfFields): Field[] {
  const out: Field[] = [...EHDR_FIELDS];
  for (let i = 0; i < f.phnum; i++) out.push(...PHDR_FIELDS.map(([o, w]): Field => [f.phdr(i) + o, w]));
  for (let i = 0; i < f.shnum; i++) out.push(...SHDR_FIELDS.map(([o, w]): Field => [f.shdr(i) + o, w]));
  const symtab = f.shdr(f.sectionOfType(2));
  const count = f.u64(symtab + 32) / 24;
  for (let i = 0; i < count; i++) out.push(...SYM_FIELDS.map(([o, w]): Field => [f.symbol(i) + o, w]));
  return out;
}

function mutate(original: Uint8Array, fields: Field[], rand: () => number): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let bytes = original.slice();
  const f = new ElfFields(bytes);
  const steps = 1 + Math.floor(rand() * 3);
  for (let s = 0; s < steps; s++) {
    const kind = rand();
    if (kind < 0.3) {
      const flips = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < flips; i++) bytes[Math.floor(rand() * bytes.length)]! ^= 1 << Math.floor(rand() * 8);
    } else if (kind < 0.8) {
      const [at, width] = pick(fields);
      const r = rand();
      const size = BigInt(original.length);
      const value = r < 0.6 ? pick(EXTREMES) : r < 0.8 ? pick([size, size - 1n, size + 1n, size / 2n]) : BigInt(Math.floor(rand() * 2 ** 32));
      f.set(at, width, value);
    } else if (kind < 0.95) {
      bytes = bytes.slice(0, Math.floor(rand() * bytes.length));
      break; // field offsets are meaningless after a cut
    } else {
      bytes.fill(pick([0, 0xff]), Math.floor(rand() * bytes.length), Math.floor(rand() * bytes.length));
    }
  }
  return bytes;
}

/** Properties every accepted image must have, whatever the input. */
function checkImage(img: ElfImage, fileLength: number): void {
  const safe = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
  expect(safe(img.entry)).toBe(true);
  expect(img.segments.length).toBeGreaterThan(0);
  let fileBytes = 0;
  for (const s of img.segments) {
    expect(safe(s.vaddr) && safe(s.memsz) && safe(s.vaddr + s.memsz)).toBe(true);
    expect(s.data.length).toBeLessThanOrEqual(s.memsz);
    fileBytes += s.data.length;
  }
  expect(img.symbols.length * 24).toBeLessThanOrEqual(fileLength);
  expect(img.patchableEntries.length * 8).toBeLessThanOrEqual(fileLength);
  expect(img.sections.length * 64).toBeLessThanOrEqual(fileLength);
  for (const s of img.symbols) expect(safe(s.value) && safe(s.size)).toBe(true);
  for (let i = 1; i < img.functions.length; i++) expect(img.functions[i]!.value).toBeGreaterThanOrEqual(img.functions[i - 1]!.value);
  expect(fileBytes).toBeLessThanOrEqual(fileLength * img.segments.length);
}

const CASES_PER_FILE = 2000;

/** GCC/ld-built bare-metal fixtures, when present, as extra valid inputs (real layouts, many symbols). */
function gccSeeds(): { name: string; bytes: Uint8Array }[] {
  return ['calls.rv64imac.elf', 'compute.rv64ima.elf']
    .map((name) => ({ name, path: fileURLToPath(new URL(`../fixtures/bin/${name}`, import.meta.url)) }))
    .filter(({ path }) => existsSync(path))
    .map(({ name, path }) => ({ name, bytes: new Uint8Array(readFileSync(path)) }));
}

describe('parseElf fuzz', () => {
  it(`only ever throws ElfError (${CASES_PER_FILE} mutations per valid file)`, () => {
    const outcomes = new Map<string, number>();
    for (const [fileIndex, { name, bytes }] of [...sampleElves(), ...gccSeeds()].entries()) {
      const fields = fieldsOf(new ElfFields(bytes.slice()));
      for (let n = 0; n < CASES_PER_FILE; n++) {
        const seed = fileIndex * 1_000_003 + n;
        const rand = prng(seed);
        const input = mutate(bytes, fields, rand);
        const opts = rand() < 0.5 ? { ram: { base: 0x8000_0000, size: 0x800_0000 } } : {};
        let img: ElfImage | undefined;
        try {
          img = parseElf(input, opts);
        } catch (e) {
          if (!(e instanceof ElfError)) {
            throw new Error(`${name} case ${n} (seed ${seed}): escaped ${String(e)}`, { cause: e });
          }
          expect(e.message.length).toBeGreaterThan(10);
          outcomes.set(e.code, (outcomes.get(e.code) ?? 0) + 1);
          continue;
        }
        checkImage(img, input.length);
        outcomes.set('accepted', (outcomes.get('accepted') ?? 0) + 1);
      }
    }
    if (process.env.ELF_FUZZ_STATS) console.log(Object.fromEntries(outcomes));
    // The mutations reach deep into the reader: many distinct errors, and some files survive.
    for (const code of ['accepted', 'ELF_TRUNCATED', 'ELF_RANGE', 'ELF_BAD_SYMTAB', 'ELF_BAD_STRTAB', 'ELF_OVERLAP', 'ELF_BAD_HEADER', 'ELF_NOT_ELF']) {
      expect(outcomes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
  }, 60_000);
});
