// Valid ELF executables made with the writer: inputs for round-trip, error and fuzz tests.
import { writeElfExecutable, type ElfWriteInput } from '../../src/elf/index.js';

const C_NOP = [0x01, 0x00];
const RET = [0x82, 0x80]; // c.jr ra
const LI_A0_61 = [0x13, 0x05, 0xd0, 0x03]; // addi a0, zero, 61

function u64s(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    dv.setUint32(i * 8, v % 2 ** 32, true);
    dv.setUint32(i * 8 + 4, Math.floor(v / 2 ** 32), true);
  });
  return out;
}

/** Functions with a 4+4 c.nop patch area (2 before the symbol, 2 after): `=4,2` with C. */
function patchableText(base: number, count: number): { text: Uint8Array; funcs: { name: string; addr: number; size: number }[]; entries: number[] } {
  const bytes: number[] = [];
  const funcs: { name: string; addr: number; size: number }[] = [];
  const entries: number[] = [];
  for (let i = 0; i < count; i++) {
    entries.push(base + bytes.length);
    bytes.push(...C_NOP, ...C_NOP);
    const addr = base + bytes.length;
    bytes.push(...C_NOP, ...C_NOP, ...LI_A0_61, ...RET);
    funcs.push({ name: `func${i}`, addr, size: base + bytes.length - addr });
  }
  return { text: new Uint8Array(bytes), funcs, entries };
}

/** A bare-metal test program at 0x80000000: .text, .data (tohost/fromhost), patchable entries, .bss. */
export function bareMetalInput(funcCount = 3): ElfWriteInput & { entries: number[] } {
  const base = 0x8000_0000;
  const { text, funcs, entries } = patchableText(base, funcCount);
  return {
    entry: funcs[0]!.addr,
    entries,
    sections: [
      { name: '.text', addr: base, data: text, exec: true, align: 4 },
      { name: '.tohost', addr: base + 0x1000, data: new Uint8Array(0x48), write: true, align: 8 },
      { name: '__patchable_function_entries', addr: base + 0x1048, data: u64s(entries), write: true, align: 8 },
      { name: '.data', addr: base + 0x1048 + entries.length * 8, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), write: true, align: 8 },
      { name: '.bss', addr: base + 0x2000, data: new Uint8Array(0), size: 0x300, nobits: true, write: true, align: 16 },
      { name: '.comment', addr: 0, data: new TextEncoder().encode('ftrace-lab test\0'), alloc: false, align: 1 },
    ],
    symbols: [
      { name: 'local_label', value: base, bind: 'local', section: '.text' },
      ...funcs.map((f) => ({ name: f.name, value: f.addr, size: f.size, type: 'func' as const, section: '.text' })),
      { name: 'tohost', value: base + 0x1000, size: 8, type: 'object', section: '.tohost' },
      { name: 'fromhost', value: base + 0x1040, size: 8, type: 'object', section: '.tohost' },
      { name: 'counter', value: base + 0x2000, size: 8, type: 'object', bind: 'weak', section: '.bss' },
      { name: 'ABS_CONST', value: 0x1234 },
    ],
  };
}

/** A low-address program with read-only data between text and data and no tohost. */
export function lowAddressInput(): ElfWriteInput {
  const { text, funcs } = patchableText(0x1_0000, 5);
  return {
    entry: 0x1_0000,
    eFlags: 0x5, // RVC | double-float ABI
    sections: [
      { name: '.text', addr: 0x1_0000, data: text, exec: true },
      { name: '.rodata', addr: 0x1_1000, data: new TextEncoder().encode('hello, world\n\0'), align: 1 },
      { name: '.data', addr: 0x1_2000, data: new Uint8Array(64).fill(0xaa), write: true },
      { name: '.sbss', addr: 0x1_2040, data: new Uint8Array(0), size: 16, nobits: true, write: true },
      { name: '.bss', addr: 0x1_2050, data: new Uint8Array(0), size: 0x2000, nobits: true, write: true },
    ],
    symbols: funcs.map((f, i) => ({ name: f.name, value: f.addr, size: f.size, type: 'func' as const, bind: i % 2 ? 'local' as const : 'global' as const, section: '.text' })),
  };
}

/** Text only, one function, no other sections. */
export function minimalInput(): ElfWriteInput {
  return {
    entry: 0x8000_0000,
    sections: [{ name: '.text', addr: 0x8000_0000, data: new Uint8Array([...LI_A0_61, ...RET]), exec: true }],
    symbols: [{ name: '_start', value: 0x8000_0000, size: 6, type: 'func', section: '.text' }],
  };
}

/** Far-apart sections: a segment per section, a .bss-only segment (filesz 0) and an empty allocated section. */
export function scatteredInput(): ElfWriteInput {
  const { text, funcs } = patchableText(0x8000_0000, 2);
  return {
    entry: 0x8000_0000,
    sections: [
      { name: '.note.empty', addr: 0x8000_0000, data: new Uint8Array(0) },
      { name: '.bss', addr: 0x8020_0000, data: new Uint8Array(0), size: 0x1_0000, nobits: true, write: true },
      { name: '.data', addr: 0x8010_0008, data: new Uint8Array([9, 9, 9, 9]), write: true, align: 4 },
      { name: '.text', addr: 0x8000_0000, data: text, exec: true },
      { name: '.text.hot', addr: 0x8000_3002, data: new Uint8Array([0x82, 0x80]), exec: true, align: 2 },
    ],
    symbols: [
      ...funcs.map((f) => ({ name: f.name, value: f.addr, size: f.size, type: 'func' as const, section: '.text' })),
      { name: 'hot', value: 0x8000_3002, size: 2, type: 'func', section: '.text.hot' },
      { name: 'big_buffer', value: 0x8020_0000, size: 0x1_0000, type: 'object', section: '.bss' },
    ],
  };
}

export function sampleElves(): { name: string; bytes: Uint8Array }[] {
  return [
    { name: 'bare-metal', bytes: writeElfExecutable(bareMetalInput()) },
    { name: 'bare-metal-many', bytes: writeElfExecutable(bareMetalInput(40)) },
    { name: 'low-address', bytes: writeElfExecutable(lowAddressInput()) },
    { name: 'minimal', bytes: writeElfExecutable(minimalInput()) },
    { name: 'scattered', bytes: writeElfExecutable(scatteredInput()) },
  ];
}
