// Where `npm run kernel` (kernel/build.sh) leaves the lab's kernel: the cache directory and the key of the current inputs.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** kernel/build.sh's inputs, in the order it hashes them. */
export const KERNEL_INPUTS = ['build.sh', 'lab.config', 'initramfs.list', 'init/lab-init.c'] as const;
/** Debian's OpenSBI build of the generic platform (package `opensbi`). */
export const DEBIAN_FW_JUMP = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin';

/** The repository's kernel/ folder (next to src/ and dist/). */
export function kernelSourceDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'kernel');
}

export function cacheDir(): string {
  const env = process.env.FTRACE_LAB_CACHE;
  if (env) return env;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ftrace-lab');
}

/** The key kernel/build.sh computes: sha256 over "name NUL content NUL" of each input, first 16 hex digits. */
export function kernelKey(dir = kernelSourceDir()): string {
  const h = createHash('sha256');
  for (const f of KERNEL_INPUTS) {
    h.update(`${f}\0`);
    h.update(readFileSync(join(dir, f)));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

export interface CachedKernel {
  dir: string;
  image: string;
  systemMap: string;
  key: string;
}

/** The built kernel for the current inputs, or undefined when `npm run kernel` has not built it. */
export function findCachedKernel(): CachedKernel | undefined {
  const key = kernelKey();
  const dir = join(cacheDir(), 'kernel', key);
  if (!existsSync(join(dir, 'kernel.json'))) return undefined;
  return { dir, key, image: join(dir, 'Image'), systemMap: join(dir, 'System.map') };
}
