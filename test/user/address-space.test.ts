// The user address space on its own: regions split by munmap/mprotect, free-range search, demand paging,
// page-table entries the hart will walk, moves (mremap), and copy-in/copy-out faults.
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/index.js';
import { AddressSpace } from '../../src/user/address-space.js';
import { Errno } from '../../src/user/errno.js';
import { UserError } from '../../src/user/errors.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../src/user/page-table.js';
import { PhysicalRam } from '../../src/user/physical-ram.js';

const RW = PROT_READ | PROT_WRITE;

function space(ram = 0x100000): AddressSpace {
  const m = Machine.create({ ram });
  return new AddressSpace(new PhysicalRam(m.wasm, ram));
}

describe('AddressSpace', () => {
  it('unmap in the middle of a region leaves two regions and frees only those pages', () => {
    const s = space();
    s.reserve(0x10000, 0x20000, RW, 'mmap');
    s.write(0x10000, new Uint8Array(0x10000).fill(7));
    s.unmap(0x14000, 0x16000);
    expect(s.list().map((r) => [r.start, r.end])).toEqual([[0x10000, 0x14000], [0x16000, 0x20000]]);
    expect(s.pageTable.lookup(0x14000)).toBeUndefined();
    expect(s.read(0x13fff, 1)[0]).toBe(7);
    expect(() => s.read(0x14000, 1)).toThrow(Errno);
    expect(s.tlbDirty).toBe(true);
  });

  it('protect splits regions, changes present pages, and fails over holes', () => {
    const s = space();
    s.reserve(0x10000, 0x14000, RW | PROT_EXEC, 'image');
    s.write(0x10000, new Uint8Array([1]));
    expect(s.protect(0x10000, 0x11000, PROT_READ)).toBe(true);
    expect(s.pageTable.lookup(0x10000)?.prot).toBe(PROT_READ);
    expect(s.icacheDirty).toBe(true);
    expect(s.list().map((r) => r.prot)).toEqual([PROT_READ, RW | PROT_EXEC]);
    expect(s.protect(0x13000, 0x15000, PROT_READ)).toBe(false);
    expect(() => s.write(0x10000, new Uint8Array([2]))).toThrow(Errno); // now read-only for the guest
    s.write(0x10000, new Uint8Array([2]), true); // the loader may
  });

  it('findFree searches top-down between regions', () => {
    const s = space();
    s.reserve(0x30000, 0x40000, RW, 'mmap');
    s.reserve(0x20000, 0x2c000, RW, 'mmap');
    expect(s.findFree(0x4000, 0x40000)).toBe(0x2c000);
    expect(s.findFree(0x5000, 0x40000)).toBe(0x1b000);
    expect(s.findFree(0x1000, 0x50000)).toBe(0x4f000);
    expect(s.findFree(0x100000, 0x50000)).toBeUndefined();
  });

  it('reserve rejects overlaps, unaligned bounds and addresses past Sv39 user space', () => {
    const s = space();
    s.reserve(0x10000, 0x20000, RW, 'mmap');
    expect(() => s.reserve(0x1f000, 0x21000, RW, 'mmap')).toThrow(UserError);
    expect(() => s.reserve(0x30001, 0x31000, RW, 'mmap')).toThrow(UserError);
    expect(() => s.reserve(2 ** 38 - 0x1000, 2 ** 38 + 0x1000, RW, 'mmap')).toThrow(UserError);
    expect(() => s.reserve(0, 0x1000, RW, 'mmap')).toThrow(UserError);
  });

  it('demand paging maps only allowed accesses; a present page never faults twice', () => {
    const s = space();
    s.reserve(0x10000, 0x12000, PROT_READ, 'mmap');
    expect(s.handleFault(0x10008, 'store')).toBe(false);
    expect(s.handleFault(0x10008, 'fetch')).toBe(false);
    expect(s.handleFault(0x10008, 'load')).toBe(true);
    expect(s.handleFault(0x10008, 'load')).toBe(false);
    expect(s.handleFault(0x50000, 'load')).toBe(false);
  });

  it('writes Sv39 PTEs the hart can walk: leaf V|R|W|U|A|D with the frame number', () => {
    const s = space();
    s.reserve(0x10000, 0x11000, RW, 'mmap');
    s.write(0x10000, new Uint8Array([1]));
    const leaf = s.pageTable.lookup(0x10000)!;
    const ram = s.ram;
    let table = s.pageTable.root;
    for (const idx of [0, 0]) table = Number(ram.readU64(table + idx * 8) >> 10n) * 4096;
    const pte = ram.readU64(table + 0x10 * 8);
    expect(pte & 0xffn).toBe(0xd7n);
    expect(Number(pte >> 10n) * 4096).toBe(leaf.pa);
    expect(s.satp >> 60n).toBe(8n);
  });

  it('move keeps the contents (frames move, no copy) and frees the old range', () => {
    const s = space();
    s.reserve(0x10000, 0x12000, RW, 'mmap');
    s.write(0x11ff0, new Uint8Array([9, 8, 7]));
    const pa = s.pageTable.lookup(0x11000)!.pa;
    expect(s.move(0x10000, 0x2000, 0x40000)).toBe(true);
    expect([...s.read(0x41ff0, 3)]).toEqual([9, 8, 7]);
    expect(s.pageTable.lookup(0x41000)!.pa).toBe(pa);
    expect(s.regionAt(0x10000)).toBeUndefined();
  });

  it('running out of guest RAM is a typed error', () => {
    const s = space(0x10000);
    s.reserve(0x10000, 0x40000, RW, 'mmap');
    expect(() => s.write(0x10000, new Uint8Array(0x30000))).toThrow(UserError);
  });
});
