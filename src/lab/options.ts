// Options of Lab.create and their validation (defaults, typed LAB_BAD_OPTION errors).
import type { SiteLayoutKind } from '../ftrace/site-layout.js';
import type { PatchProtocol } from '../patch/protocol.js';
import type { GuestImage } from '../workload/guest-image.js';
import type { SyntheticKernelOptions } from '../workload/synthetic-kernel.js';
import { MAX_HARTS } from '../machine/layout.js';
import { LabError } from './errors.js';

export type LabScheme = 'list' | 'callops';
export type LabMode = 'deterministic' | 'parallel';

/** The synthetic kernel and the ftrace-ops sample that main runs. */
export interface LabKernelOptions extends SyntheticKernelOptions {
  /** Does main run the ftrace-ops sample driver after the kernel (default false)? */
  readonly runSample?: boolean;
  /** The sample's nr_function_calls (default 100,000). */
  readonly nrCalls?: number;
  /** Input of synthetic_kernel_run (default 1). */
  readonly input?: number;
  /** Kernel runs per hart (0 = forever, for live use; default once). */
  readonly repeat?: number;
  readonly layout?: SiteLayoutKind;
}

export interface LabOptions {
  /** Harts (default 1). */
  readonly harts?: number;
  /** Call-site scheme (default 'callops'). */
  readonly scheme?: LabScheme;
  /** The synthetic kernel (the default guest when no `elf` is given). */
  readonly kernel?: LabKernelOptions;
  /** A RISC-V ELF with __patchable_function_entries; the guest runtime is placed above its highest segment. */
  readonly elf?: Uint8Array;
  readonly mode?: LabMode;
  readonly seed?: number;
  readonly quantum?: number;
  /** Per-hart trace buffer (tracefs buffer_size_kb; default 256). */
  readonly bufferSizeKb?: number;
  /** Guest RAM bytes (default 64 MiB). */
  readonly ram?: number;
  /** How plans reach the text (default: StopAllApply). */
  readonly protocol?: PatchProtocol;
  /** A guest image built earlier with the same harts/scheme/bufferSizeKb (skips assembling; benchmarks reuse it). */
  readonly image?: GuestImage;
}

export interface ResolvedLabOptions {
  readonly harts: number;
  readonly scheme: LabScheme;
  readonly mode: LabMode;
  readonly bufferSizeKb: number;
  readonly ram: number;
}

function bad(message: string): never {
  throw new LabError('LAB_BAD_OPTION', message);
}

export function resolveLabOptions(opts: LabOptions): ResolvedLabOptions {
  if (typeof opts !== 'object' || opts === null) bad('Lab options must be an object');
  const harts = opts.harts ?? 1;
  if (!Number.isInteger(harts) || harts < 1 || harts > MAX_HARTS) bad(`harts must be an integer from 1 to ${MAX_HARTS}, got ${String(harts)}`);
  const scheme = opts.scheme ?? 'callops';
  if (scheme !== 'list' && scheme !== 'callops') bad(`scheme must be 'list' or 'callops', got '${String(scheme)}'`);
  const mode = opts.mode ?? 'deterministic';
  if (mode !== 'deterministic' && mode !== 'parallel') bad(`mode must be 'deterministic' or 'parallel', got '${String(mode)}'`);
  const bufferSizeKb = opts.bufferSizeKb ?? 256;
  if (!Number.isInteger(bufferSizeKb) || bufferSizeKb < 1 || bufferSizeKb > 65536) bad(`bufferSizeKb must be an integer from 1 to 65536, got ${String(bufferSizeKb)}`);
  const ram = opts.ram ?? 64 << 20;
  if (opts.elf !== undefined && !(opts.elf instanceof Uint8Array)) bad('elf must be a Uint8Array');
  if (opts.elf !== undefined && opts.kernel !== undefined) bad('give either kernel or elf, not both');
  return { harts, scheme, mode, bufferSizeKb, ram };
}
