// The process's initial stack as the Linux ELF loader lays it out: argc, argv, envp, auxv, strings and AT_RANDOM bytes.
import type { AddressSpace } from './address-space.js';

export const AT_NULL = 0;
export const AT_PHDR = 3;
export const AT_PHENT = 4;
export const AT_PHNUM = 5;
export const AT_PAGESZ = 6;
export const AT_BASE = 7;
export const AT_FLAGS = 8;
export const AT_ENTRY = 9;
export const AT_UID = 11;
export const AT_EUID = 12;
export const AT_GID = 13;
export const AT_EGID = 14;
export const AT_HWCAP = 16;
export const AT_CLKTCK = 17;
export const AT_SECURE = 23;
export const AT_RANDOM = 25;
export const AT_EXECFN = 31;

/** AT_HWCAP of an rv64gc hart: one bit per single-letter extension (bit = letter - 'A'). */
export const HWCAP_RV64GC = [...'IMAFDC'].reduce((m, c) => m | (1 << (c.charCodeAt(0) - 65)), 0);

export interface StackInputs {
  argv: string[];
  envp: string[];
  /** argv[0]-like path the program was started as (AT_EXECFN). */
  execfn: string;
  random: Uint8Array;
  auxv: [number, number][];
}

export interface InitialStack {
  sp: number;
  /** Guest addresses of interest (tests). */
  argvAddr: number;
  envpAddr: number;
  auxvAddr: number;
  randomAddr: number;
}

/** Writes the initial stack below `top` and returns the initial sp (16-byte aligned, pointing at argc). */
export function buildInitialStack(space: AddressSpace, top: number, inp: StackInputs): InitialStack {
  const enc = new TextEncoder();
  let cur = top;
  const putString = (s: string): number => {
    const b = enc.encode(s + '\0');
    cur -= b.length;
    space.write(cur, b);
    return cur;
  };
  const execfnAddr = putString(inp.execfn);
  const envAddrs = inp.envp.map(putString);
  const argAddrs = inp.argv.map(putString);
  cur = Math.floor(cur / 16) * 16 - 16;
  const randomAddr = cur;
  space.write(randomAddr, inp.random.subarray(0, 16));
  const auxv: [number, number][] = [...inp.auxv, [AT_RANDOM, randomAddr], [AT_EXECFN, execfnAddr], [AT_NULL, 0]];
  const words = 1 + argAddrs.length + 1 + envAddrs.length + 1 + 2 * auxv.length;
  const sp = Math.floor((cur - 8 * words) / 16) * 16;
  const area = new BigUint64Array(words);
  let i = 0;
  area[i++] = BigInt(argAddrs.length);
  const argvAddr = sp + 8 * i;
  for (const a of argAddrs) area[i++] = BigInt(a);
  area[i++] = 0n;
  const envpAddr = sp + 8 * i;
  for (const e of envAddrs) area[i++] = BigInt(e);
  area[i++] = 0n;
  const auxvAddr = sp + 8 * i;
  for (const [k, v] of auxv) {
    area[i++] = BigInt(k);
    area[i++] = BigInt.asUintN(64, BigInt(v));
  }
  space.write(sp, new Uint8Array(area.buffer));
  return { sp, argvAddr, envpAddr, auxvAddr, randomAddr };
}
