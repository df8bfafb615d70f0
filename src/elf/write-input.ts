// Writer input checks: turns an ElfWriteInput into validated, normalised sections (or an ELF_BAD_INPUT error).
import { ElfError, hex } from './errors.js';
import { permissionsOf, type PlannedSection } from './segment-plan.js';
import type { ElfSectionInput, ElfSymbolInput, ElfWriteInput } from './types.js';

const RESERVED = new Set(['', '.symtab', '.strtab', '.shstrtab']);

function bad(message: string): never {
  throw new ElfError('ELF_BAD_INPUT', message);
}

function checkAddress(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ElfError('ELF_RANGE', `${what} must be a non-negative integer below 2^53, got ${String(v)}`);
  }
  return v;
}

function defaultAlign(addr: number, exec: boolean): number {
  const max = exec ? 4 : 8;
  let a = 1;
  while (a < max && addr % (a * 2) === 0) a *= 2;
  return a;
}

function normaliseSection(s: ElfSectionInput, index: number): PlannedSection {
  if (typeof s !== 'object' || s === null || typeof s.name !== 'string') bad(`section ${index} has no name`);
  if (RESERVED.has(s.name)) bad(`section name ${JSON.stringify(s.name)} is reserved for the writer`);
  if (!(s.data instanceof Uint8Array)) bad(`section ${s.name}: data must be a Uint8Array`);
  const addr = checkAddress(s.addr, `section ${s.name} address`);
  const nobits = s.nobits === true;
  if (nobits && s.data.length > 0) bad(`section ${s.name} is NOBITS but has ${s.data.length} data bytes`);
  const size = nobits ? checkAddress(s.size ?? 0, `section ${s.name} size`) : s.data.length;
  if (!nobits && s.size !== undefined && s.size !== size) bad(`section ${s.name}: size ${s.size} differs from data length ${size}`);
  const alloc = s.alloc !== false;
  const exec = s.exec === true;
  const align = s.align ?? defaultAlign(addr, exec);
  if (!Number.isSafeInteger(align) || align < 1 || (align & (align - 1)) !== 0 || align > 0x4000_0000) {
    bad(`section ${s.name}: alignment ${align} is not a power of two`);
  }
  if (alloc && addr % align !== 0) bad(`section ${s.name}: address ${hex(addr)} is not aligned to ${align}`);
  if (!Number.isSafeInteger(addr + size)) throw new ElfError('ELF_RANGE', `section ${s.name} ends above 2^53`);
  return { index: index + 1, name: s.name, addr, size, data: s.data, nobits, alloc, flags: permissionsOf(exec, s.write === true), align, offset: 0 };
}

function checkNoOverlap(sections: PlannedSection[]): void {
  const used = sections.filter((s) => s.alloc && s.size > 0).sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < used.length; i++) {
    const a = used[i - 1]!;
    const b = used[i]!;
    if (b.addr < a.addr + a.size) {
      throw new ElfError('ELF_OVERLAP', `sections ${a.name} [${hex(a.addr)}, ${hex(a.addr + a.size)}) and ${b.name} [${hex(b.addr)}, ${hex(b.addr + b.size)}) overlap`);
    }
  }
}

function checkSymbol(sym: ElfSymbolInput, names: Set<string>): void {
  if (typeof sym !== 'object' || sym === null || typeof sym.name !== 'string') bad('a symbol has no name');
  checkAddress(sym.value, `symbol ${sym.name} value`);
  checkAddress(sym.size ?? 0, `symbol ${sym.name} size`);
  if (sym.section !== undefined && !names.has(sym.section)) bad(`symbol ${sym.name}: unknown section ${JSON.stringify(sym.section)}`);
}

export function validateWriteInput(input: ElfWriteInput): PlannedSection[] {
  if (typeof input !== 'object' || input === null || !Array.isArray(input.sections) || !Array.isArray(input.symbols)) {
    bad('writer input must have sections and symbols arrays');
  }
  checkAddress(input.entry, 'entry');
  const eFlags = input.eFlags ?? 0;
  if (!Number.isInteger(eFlags) || eFlags < 0 || eFlags > 0xffff_ffff) bad(`eFlags ${eFlags} is not a u32`);
  const sections = input.sections.map(normaliseSection);
  const names = new Set<string>();
  for (const s of sections) {
    if (names.has(s.name)) bad(`duplicate section name ${JSON.stringify(s.name)}`);
    names.add(s.name);
  }
  checkNoOverlap(sections);
  for (const sym of input.symbols) checkSymbol(sym, names);
  return sections;
}
