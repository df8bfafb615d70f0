// The QEMU-virt board's device tree, generated for a hart count and RAM size (what OpenSBI and Linux read at boot).
import {
  CLINT_BASE, CLINT_SIZE, PLIC_BASE, PLIC_SIZE, PLIC_SOURCES, RAM_GUEST_BASE, TEST_BASE, TEST_SIZE, UART_BASE, UART_IRQ,
  UART_SIZE,
} from '../machine/layout.js';
import { type FdtNode, node, u64Cells, writeFdt } from './fdt.js';

/** CLINT timebase (mtime ticks per second), as on QEMU virt. */
export const TIMEBASE_HZ = 10_000_000;
/** The ISA string every cpu node carries. */
export const RISCV_ISA = 'rv64imafdc';
/** The same ISA as the newer per-extension properties (Linux >= 6.7 prefers them). */
export const RISCV_EXTENSIONS = ['i', 'm', 'a', 'f', 'd', 'c', 'zicntr', 'zicsr', 'zifencei'];
/** The 16550's input clock as QEMU virt declares it (Linux derives the divisor from it). */
const UART_CLOCK_HZ = 3_686_400;

export interface VirtDtOptions {
  harts: number;
  /** Bytes of RAM declared to the guest at 0x8000_0000. */
  ram: number;
  /** /chosen bootargs (the kernel command line). */
  bootargs?: string;
  /** /chosen linux,initrd-start/end (physical). */
  initrd?: { start: number; end: number };
}

const reg = (base: number, size: number) => [...u64Cells(base), ...u64Cells(size)];

/** The device tree of the lab's QEMU-virt-compatible board. Phandles: cpu h's interrupt controller = h + 1. */
export function virtDeviceTree(o: VirtDtOptions): FdtNode {
  const intc = (h: number) => h + 1;
  const plicPhandle = o.harts + 1;
  const testPhandle = o.harts + 2;
  const harts = Array.from({ length: o.harts }, (_, h) => h);
  const cpus = harts.map((h) =>
    node(`cpu@${h}`, [
      ['device_type', 'cpu'],
      ['reg', [h]],
      ['status', 'okay'],
      ['compatible', 'riscv'],
      ['riscv,isa', RISCV_ISA],
      ['riscv,isa-base', 'rv64i'],
      ['riscv,isa-extensions', RISCV_EXTENSIONS],
      ['mmu-type', 'riscv,sv39'],
    ], [
      node('interrupt-controller', [
        ['#address-cells', [0]],
        ['#interrupt-cells', [1]],
        ['interrupt-controller', null],
        ['compatible', 'riscv,cpu-intc'],
        ['phandle', [intc(h)]],
      ]),
    ]),
  );
  const chosen: [string, string | number[]][] = [['stdout-path', `/soc/serial@${UART_BASE.toString(16)}`]];
  if (o.bootargs !== undefined) chosen.unshift(['bootargs', o.bootargs]);
  if (o.initrd) chosen.push(['linux,initrd-start', u64Cells(o.initrd.start)], ['linux,initrd-end', u64Cells(o.initrd.end)]);
  return node('', [
    ['#address-cells', [2]],
    ['#size-cells', [2]],
    ['compatible', 'riscv-virtio'],
    ['model', 'ftrace-lab,virt'],
  ], [
    node('chosen', chosen),
    node(`memory@${RAM_GUEST_BASE.toString(16)}`, [['device_type', 'memory'], ['reg', reg(RAM_GUEST_BASE, o.ram)]]),
    node('poweroff', [['compatible', 'syscon-poweroff'], ['regmap', [testPhandle]], ['offset', [0]], ['value', [0x5555]]]),
    node('reboot', [['compatible', 'syscon-reboot'], ['regmap', [testPhandle]], ['offset', [0]], ['value', [0x7777]]]),
    node('cpus', [['#address-cells', [1]], ['#size-cells', [0]], ['timebase-frequency', [TIMEBASE_HZ]]], cpus),
    node('soc', [['#address-cells', [2]], ['#size-cells', [2]], ['compatible', 'simple-bus'], ['ranges', null]], [
      node(`test@${TEST_BASE.toString(16)}`, [
        ['compatible', ['sifive,test1', 'sifive,test0', 'syscon']],
        ['reg', reg(TEST_BASE, TEST_SIZE)],
        ['phandle', [testPhandle]],
      ]),
      node(`serial@${UART_BASE.toString(16)}`, [
        ['compatible', 'ns16550a'],
        ['reg', reg(UART_BASE, UART_SIZE)],
        ['clock-frequency', [UART_CLOCK_HZ]],
        ['interrupt-parent', [plicPhandle]],
        ['interrupts', [UART_IRQ]],
      ]),
      node(`plic@${PLIC_BASE.toString(16)}`, [
        ['compatible', ['sifive,plic-1.0.0', 'riscv,plic0']],
        ['reg', reg(PLIC_BASE, PLIC_SIZE)],
        ['#address-cells', [0]],
        ['#interrupt-cells', [1]],
        ['interrupt-controller', null],
        ['interrupts-extended', harts.flatMap((h) => [intc(h), 11, intc(h), 9])],
        ['riscv,ndev', [PLIC_SOURCES - 1]],
        ['phandle', [plicPhandle]],
      ]),
      node(`clint@${CLINT_BASE.toString(16)}`, [
        ['compatible', ['sifive,clint0', 'riscv,clint0']],
        ['reg', reg(CLINT_BASE, CLINT_SIZE)],
        ['interrupts-extended', harts.flatMap((h) => [intc(h), 3, intc(h), 7])],
      ]),
    ]),
  ]);
}

/** virtDeviceTree as a DTB blob. */
export function virtDtb(o: VirtDtOptions): Uint8Array {
  return writeFdt(virtDeviceTree(o));
}
