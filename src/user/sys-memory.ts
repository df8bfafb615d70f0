// Memory syscalls: brk, anonymous (and private read-only file) mmap, munmap, mprotect, mremap, madvise, riscv_flush_icache.
import { pageUp } from './address-space.js';
import { EACCES, EBADF, EEXIST, EFAULT, EINVAL, ENOMEM, Errno } from './errno.js';
import { UserError } from './errors.js';
import type { SyscallHandler, UserKernel } from './kernel.js';
import { PROT_READ, PROT_WRITE, USER_VA_LIMIT } from './page-table.js';
import { FRAME } from './physical-ram.js';
import { int, ulong } from './syscall-args.js';
import { SYS } from './syscall-numbers.js';

/** mmap places mappings top-down from here (below the stack). */
export const MMAP_TOP = 0x2000000000;
/** The program break may grow this far past its start. */
export const BRK_MAX = 0x40000000;

const MAP_SHARED = 0x1;
const MAP_PRIVATE = 0x2;
const MAP_SHARED_VALIDATE = 0x3;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_FIXED_NOREPLACE = 0x100000;

/** Runs a mapping change; guest RAM running out becomes ENOMEM. */
function withFrames<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UserError && e.code === 'USER_OUT_OF_MEMORY') throw new Errno(ENOMEM);
    throw e;
  }
}

const brk: SyscallHandler = (k, a) => {
  const want = ulong(a[0]);
  if (want < k.brkStart || want > k.brkStart + BRK_MAX) return k.brk;
  const oldEnd = k.brkRegion?.end ?? k.brkStart;
  const newEnd = pageUp(want);
  if (newEnd > oldEnd) {
    if (!k.space.isFree(oldEnd, newEnd)) return k.brk;
    if (k.brkRegion) k.space.resize(k.brkRegion, newEnd);
    else k.brkRegion = k.space.reserve(k.brkStart, newEnd, PROT_READ | PROT_WRITE, 'brk');
  } else if (newEnd < oldEnd && k.brkRegion) {
    if (newEnd === k.brkStart) {
      k.space.unmap(k.brkStart, oldEnd);
      k.brkRegion = undefined;
    } else k.space.resize(k.brkRegion, newEnd);
  }
  k.brk = want;
  return want;
};

function mapFile(k: UserKernel, fd: number, offset: number): Uint8Array {
  const f = k.fds.get(fd);
  if (!f) throw new Errno(EBADF);
  if (f.kind !== 'file') throw new Errno(EACCES);
  return f.data.subarray(Math.min(offset, f.data.length));
}

const mmap: SyscallHandler = (k, a) => {
  const hint = ulong(a[0]);
  const len = ulong(a[1]);
  const prot = int(a[2]);
  const flags = int(a[3]);
  const offset = ulong(a[5]);
  const type = flags & MAP_SHARED_VALIDATE;
  if (len === 0 || (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) || prot & ~7) {
    throw new Errno(EINVAL);
  }
  if (offset % FRAME) throw new Errno(EINVAL);
  const size = pageUp(len);
  if (size > USER_VA_LIMIT) throw new Errno(ENOMEM);
  const contents = flags & MAP_ANONYMOUS ? undefined : mapFile(k, int(a[4]), offset);
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  let addr: number | undefined;
  if (fixed) {
    if (hint % FRAME || hint + size > USER_VA_LIMIT || hint < FRAME) throw new Errno(hint % FRAME ? EINVAL : ENOMEM);
    if (!k.space.isFree(hint, hint + size)) {
      if (flags & MAP_FIXED_NOREPLACE) throw new Errno(EEXIST);
      k.space.unmap(hint, hint + size);
    }
    addr = hint;
  } else {
    const h = Math.floor(hint / FRAME) * FRAME;
    addr = h !== 0 && k.space.isFree(h, h + size) ? h : k.space.findFree(size, MMAP_TOP);
    if (addr === undefined) throw new Errno(ENOMEM);
  }
  const where = addr;
  withFrames(() => {
    k.space.reserve(where, where + size, prot, 'mmap');
    if (contents) k.space.write(where, contents.subarray(0, Math.min(contents.length, size)), true);
  });
  return addr;
};

const munmap: SyscallHandler = (k, a) => {
  const addr = ulong(a[0]);
  const len = ulong(a[1]);
  if (addr % FRAME || len === 0 || addr + len > USER_VA_LIMIT) throw new Errno(EINVAL);
  k.space.unmap(addr, addr + pageUp(len));
  if (k.brkRegion && !k.space.regionAt(k.brkRegion.start)) k.brkRegion = undefined;
  return 0;
};

const mprotect: SyscallHandler = (k, a) => {
  const addr = ulong(a[0]);
  const len = ulong(a[1]);
  const prot = int(a[2]);
  if (addr % FRAME || prot & ~7 || addr + len > USER_VA_LIMIT) throw new Errno(EINVAL);
  if (len === 0) return 0;
  return withFrames(() => k.space.protect(addr, addr + pageUp(len), prot)) ? 0 : -ENOMEM;
};

const MREMAP_MAYMOVE = 1;
const MREMAP_FIXED = 2;

/** Grows in place when the pages after are free, else moves (MREMAP_MAYMOVE); shrinking unmaps the tail. */
const mremap: SyscallHandler = (k, a) => {
  const old = ulong(a[0]);
  const oldSize = pageUp(ulong(a[1]));
  const newSize = pageUp(ulong(a[2]));
  const flags = int(a[3]);
  if (old % FRAME || newSize === 0 || flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED) || flags & MREMAP_FIXED) return -EINVAL;
  if (newSize > USER_VA_LIMIT || oldSize > USER_VA_LIMIT) return -ENOMEM;
  if (oldSize === 0 || !k.space.covered(old, old + oldSize)) return -EFAULT;
  const region = k.space.regionAt(old + oldSize - 1)!; // the new pages get the protection of the last old one
  if (newSize <= oldSize) {
    if (newSize < oldSize) k.space.unmap(old + newSize, old + oldSize);
    return old;
  }
  if (k.space.isFree(old + oldSize, old + newSize)) {
    k.space.reserve(old + oldSize, old + newSize, region.prot, region.kind);
    return old;
  }
  if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
  const to = k.space.findFree(newSize, MMAP_TOP);
  if (to === undefined) return -ENOMEM;
  k.space.move(old, oldSize, to);
  k.space.reserve(to + oldSize, to + newSize, region.prot, region.kind);
  return to;
};

/** The hart's decoded-instruction cache forgets everything (a JIT wrote code). */
const riscvFlushIcache: SyscallHandler = (k) => {
  k.space.icacheDirty = true;
  return 0;
};

/** Advice is accepted and ignored (MADV_DONTNEED on private anonymous memory would zero it; nobody relies on it here). */
const madvise: SyscallHandler = (_k, a) => (ulong(a[0]) % FRAME ? -EINVAL : 0);

export const MEMORY_SYSCALLS: Record<number, SyscallHandler> = {
  [SYS.brk]: brk,
  [SYS.mmap]: mmap,
  [SYS.munmap]: munmap,
  [SYS.mprotect]: mprotect,
  [SYS.madvise]: madvise,
  [SYS.mremap]: mremap,
  [SYS.riscv_flush_icache]: riscvFlushIcache,
};
