// Flattened device tree (DTB, version 17) writer and a small reader: the blob firmware and kernels read at boot.
import { concatBytes } from '../ftrace/bytes.js';
import { BoardError } from './errors.js';

/** A property value: a string (NUL-terminated), a list of strings, u32 cells, raw bytes, or empty (a flag). */
export type FdtValue = string | string[] | number[] | Uint8Array | null;

export interface FdtNode {
  name: string;
  props: [string, FdtValue][];
  children: FdtNode[];
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;
const HEADER_SIZE = 40;
const RSVMAP_SIZE = 16; // one terminating (0, 0) entry

export function node(name: string, props: [string, FdtValue][] = [], children: FdtNode[] = []): FdtNode {
  return { name, props, children };
}

/** Cells of a 64-bit value as two u32 cells (high, low), as `#address-cells = <2>` wants. */
export function u64Cells(v: number | bigint): number[] {
  const b = BigInt(v);
  return [Number((b >> 32n) & 0xffffffffn), Number(b & 0xffffffffn)];
}

function encodeValue(v: FdtValue): Uint8Array {
  if (v === null) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') v = [v];
  if (v.length > 0 && typeof v[0] === 'string') {
    const utf8 = new TextEncoder();
    return concatBytes(...(v as string[]).map((s) => utf8.encode(`${s}\0`)));
  }
  const cells = v as number[];
  const out = new Uint8Array(cells.length * 4);
  const dv = new DataView(out.buffer);
  cells.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c > 0xffffffff) throw new BoardError('BOARD_BAD_DTB', `cell ${c} is not a u32`);
    dv.setUint32(i * 4, c, false);
  });
  return out;
}

/** Serialises a tree (the root's name must be '') into a DTB blob. */
export function writeFdt(root: FdtNode, bootCpuid = 0): Uint8Array {
  const strings: number[] = [];
  const stringOff = new Map<string, number>();
  const struct: number[] = [];
  const enc = new TextEncoder();
  const u32 = (v: number) => struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  const bytes = (b: Uint8Array) => {
    for (const x of b) struct.push(x);
    while (struct.length % 4 !== 0) struct.push(0);
  };
  const nameOff = (name: string): number => {
    let off = stringOff.get(name);
    if (off === undefined) {
      off = strings.length;
      for (const b of enc.encode(`${name}\0`)) strings.push(b);
      stringOff.set(name, off);
    }
    return off;
  };
  const emit = (n: FdtNode) => {
    u32(FDT_BEGIN_NODE);
    bytes(enc.encode(`${n.name}\0`));
    for (const [name, value] of n.props) {
      const v = encodeValue(value);
      u32(FDT_PROP);
      u32(v.length);
      u32(nameOff(name));
      bytes(v);
    }
    for (const c of n.children) emit(c);
    u32(FDT_END_NODE);
  };
  emit(root);
  u32(FDT_END);
  const offStruct = HEADER_SIZE + RSVMAP_SIZE;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const out = new Uint8Array((total + 7) & ~7);
  const dv = new DataView(out.buffer);
  const header = [FDT_MAGIC, out.length, offStruct, offStrings, HEADER_SIZE, 17, 16, bootCpuid, strings.length, struct.length];
  header.forEach((v, i) => dv.setUint32(i * 4, v, false));
  out.set(struct, offStruct);
  out.set(strings, offStrings);
  return out;
}

/** Parses a DTB blob back into a tree (for checks and for `--dtb` files); throws BOARD_BAD_DTB on malformed input. */
export function readFdt(blob: Uint8Array): FdtNode {
  const bad = (why: string) => new BoardError('BOARD_BAD_DTB', `not a valid device tree blob: ${why}`);
  if (blob.length < HEADER_SIZE) throw bad('shorter than its header');
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (dv.getUint32(0, false) !== FDT_MAGIC) throw bad('bad magic');
  const total = dv.getUint32(4, false);
  const offStruct = dv.getUint32(8, false);
  const offStrings = dv.getUint32(12, false);
  const sizeStrings = dv.getUint32(32, false);
  const sizeStruct = dv.getUint32(36, false);
  if (total > blob.length || offStruct + sizeStruct > total || offStrings + sizeStrings > total) throw bad('sizes out of range');
  const dec = new TextDecoder();
  const cstr = (at: number, end: number): [string, number] => {
    let e = at;
    while (e < end && blob[e] !== 0) e++;
    if (e >= end) throw bad('unterminated string');
    return [dec.decode(blob.subarray(at, e)), e + 1];
  };
  let at = offStruct;
  const end = offStruct + sizeStruct;
  const word = () => {
    if (at + 4 > end) throw bad('truncated structure block');
    const v = dv.getUint32(at, false);
    at += 4;
    return v;
  };
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  for (;;) {
    const tok = word();
    if (tok === FDT_BEGIN_NODE) {
      const [name, next] = cstr(at, end);
      at = (next + 3) & ~3;
      const n = node(name);
      if (stack.length > 0) stack[stack.length - 1]!.children.push(n);
      else if (root) throw bad('two root nodes');
      else root = n;
      stack.push(n);
    } else if (tok === FDT_PROP) {
      const len = word();
      const off = word();
      if (stack.length === 0 || at + len > end || off >= sizeStrings) throw bad('property outside a node or out of range');
      const [name] = cstr(offStrings + off, offStrings + sizeStrings);
      stack[stack.length - 1]!.props.push([name, blob.slice(at, at + len)]);
      at = (at + len + 3) & ~3;
    } else if (tok === FDT_END_NODE) {
      if (!stack.pop()) throw bad('unbalanced end of node');
    } else if (tok === FDT_NOP) {
      continue;
    } else if (tok === FDT_END) {
      break;
    } else {
      throw bad(`unknown token ${tok}`);
    }
  }
  if (!root || stack.length !== 0) throw bad('unbalanced nodes');
  return root;
}

/** The node at a path like '/cpus' ('/' = root), or undefined. Names match with or without their '@unit'. */
export function findNode(root: FdtNode, path: string): FdtNode | undefined {
  let n: FdtNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) {
    n = n.children.find((c) => c.name === part || c.name.split('@')[0] === part);
    if (!n) return undefined;
  }
  return n;
}

/** A property's raw bytes, or undefined. */
export function prop(n: FdtNode, name: string): Uint8Array | undefined {
  const v = n.props.find(([p]) => p === name)?.[1];
  return v === undefined ? undefined : encodeValue(v);
}
