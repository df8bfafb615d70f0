// The generated QEMU-virt device tree: structure, round trip through our reader, and dtc's opinion of the blob.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findNode, prop, readFdt } from '../../src/board/fdt.js';
import { virtDtb } from '../../src/board/virt-dt.js';

function hasDtc(): boolean {
  try {
    execFileSync('dtc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const dtc = hasDtc();
if (!dtc && process.env.CI === 'true') throw new Error('dtc is missing under CI=true: .ci/run installs device-tree-compiler');

const u32s = (b: Uint8Array | undefined) => Array.from({ length: (b?.length ?? 0) / 4 }, (_, i) => new DataView(b!.buffer, b!.byteOffset).getUint32(i * 4, false));
const str = (b: Uint8Array | undefined) => new TextDecoder().decode(b).replace(/\0$/, '');

describe('virt device tree', () => {
  it('declares the harts, RAM, devices and /chosen, and reads back', () => {
    const t = readFdt(virtDtb({ harts: 3, ram: 96 << 20, bootargs: 'console=ttyS0 quiet', initrd: { start: 0x84000000, end: 0x84001000 } }));
    const cpus = findNode(t, '/cpus')!;
    expect(cpus.children.filter((c) => c.name.startsWith('cpu@')).map((c) => c.name)).toEqual(['cpu@0', 'cpu@1', 'cpu@2']);
    expect(u32s(prop(cpus, 'timebase-frequency'))).toEqual([10_000_000]);
    const cpu2 = findNode(t, '/cpus/cpu@2')!;
    expect(str(prop(cpu2, 'riscv,isa'))).toBe('rv64imafdc');
    expect(str(prop(cpu2, 'mmu-type'))).toBe('riscv,sv39');
    expect(u32s(prop(findNode(t, '/memory@80000000')!, 'reg'))).toEqual([0, 0x80000000, 0, 96 << 20]);
    expect(u32s(prop(findNode(t, '/soc/serial@10000000')!, 'interrupts'))).toEqual([10]);
    const plic = findNode(t, '/soc/plic@c000000')!;
    // each hart: M-mode external (11) and S-mode external (9) on its cpu-intc (phandle hart + 1)
    expect(u32s(prop(plic, 'interrupts-extended'))).toEqual([1, 11, 1, 9, 2, 11, 2, 9, 3, 11, 3, 9]);
    expect(str(prop(findNode(t, '/chosen')!, 'bootargs'))).toBe('console=ttyS0 quiet');
    expect(u32s(prop(findNode(t, '/chosen')!, 'linux,initrd-start'))).toEqual([0, 0x84000000]);
  });

  it('rejects corrupt blobs with a typed error', () => {
    const good = virtDtb({ harts: 1, ram: 64 << 20 });
    expect(() => readFdt(new Uint8Array(10))).toThrow(expect.objectContaining({ code: 'BOARD_BAD_DTB' }));
    const badMagic = good.slice();
    badMagic[0] = 0;
    expect(() => readFdt(badMagic)).toThrow(expect.objectContaining({ code: 'BOARD_BAD_DTB' }));
    const truncated = good.slice(0, good.length - 40);
    expect(() => readFdt(truncated)).toThrow(expect.objectContaining({ code: 'BOARD_BAD_DTB' }));
  });

  it.skipIf(!dtc)('dtc -I dtb decompiles it without warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftrace-lab-dtb-'));
    const file = join(dir, 'virt.dtb');
    writeFileSync(file, virtDtb({ harts: 4, ram: 256 << 20, bootargs: 'console=ttyS0' }));
    const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const warnings = execFileSync('sh', ['-c', `dtc -I dtb -O dts -o /dev/null '${file}' 2>&1`], { encoding: 'utf8' });
    expect(warnings).toBe('');
    expect(dts).toContain('cpu@3 {');
    expect(dts).toContain('compatible = "sifive,plic-1.0.0\\0riscv,plic0";');
    expect(dts).toContain('compatible = "sifive,test1\\0sifive,test0\\0syscon";');
    expect(dts).toContain('stdout-path = "/soc/serial@10000000";');
  });
});
