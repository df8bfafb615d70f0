// Test helper: locates and overwrites ELF64 header, program header, section header and symbol fields.

export class ElfFields {
  readonly dv: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(at: number): number {
    return this.dv.getUint16(at, true);
  }
  u32(at: number): number {
    return this.dv.getUint32(at, true);
  }
  u64(at: number): number {
    return Number(this.dv.getBigUint64(at, true));
  }
  set(at: number, width: 1 | 2 | 4 | 8, value: bigint | number): void {
    const v = BigInt(value);
    if (width === 1) this.dv.setUint8(at, Number(v & 0xffn));
    else if (width === 2) this.dv.setUint16(at, Number(v & 0xffffn), true);
    else if (width === 4) this.dv.setUint32(at, Number(v & 0xffff_ffffn), true);
    else this.dv.setBigUint64(at, v & 0xffff_ffff_ffff_ffffn, true);
  }
  get phoff(): number {
    return this.u64(32);
  }
  get shoff(): number {
    return this.u64(40);
  }
  get phnum(): number {
    return this.u16(56);
  }
  get shnum(): number {
    return this.u16(60);
  }
  phdr(i: number): number {
    return this.phoff + i * 56;
  }
  shdr(i: number): number {
    return this.shoff + i * 64;
  }
  /** Index of the first section whose sh_type is `type`. */
  sectionOfType(type: number): number {
    for (let i = 0; i < this.shnum; i++) if (this.u32(this.shdr(i) + 4) === type) return i;
    throw new Error(`no section of type ${type}`);
  }
  sectionNamed(name: string): number {
    const strtab = this.shdr(this.u16(62));
    const base = this.u64(strtab + 24);
    for (let i = 0; i < this.shnum; i++) {
      const at = base + this.u32(this.shdr(i));
      const end = this.bytes.indexOf(0, at);
      if (new TextDecoder().decode(this.bytes.subarray(at, end)) === name) return i;
    }
    throw new Error(`no section ${name}`);
  }
  /** File offset of symbol i (0 = the null symbol). */
  symbol(i: number): number {
    return this.u64(this.shdr(this.sectionOfType(2)) + 24) + i * 24;
  }
}

/** Field offsets (relative to their structure) and widths, for the fuzzer and the error tests. */
export const EHDR_FIELDS: [number, 1 | 2 | 4 | 8][] = [
  [4, 1], [5, 1], [6, 1], [16, 2], [18, 2], [20, 4], [24, 8], [32, 8], [40, 8], [48, 4], [52, 2], [54, 2], [56, 2], [58, 2], [60, 2], [62, 2],
];
export const PHDR_FIELDS: [number, 1 | 2 | 4 | 8][] = [[0, 4], [4, 4], [8, 8], [16, 8], [24, 8], [32, 8], [40, 8], [48, 8]];
export const SHDR_FIELDS: [number, 1 | 2 | 4 | 8][] = [[0, 4], [4, 4], [8, 8], [16, 8], [24, 8], [32, 8], [40, 4], [44, 4], [48, 8], [56, 8]];
export const SYM_FIELDS: [number, 1 | 2 | 4 | 8][] = [[0, 4], [4, 1], [5, 1], [6, 2], [8, 8], [16, 8]];
