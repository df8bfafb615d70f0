// File syscalls: read/readv/write/writev on stdio and mapped read-only files, openat/close/lseek/fstat/newfstatat/readlinkat/ioctl.
import { EACCES, EBADF, EFAULT, EINVAL, EISDIR, EMFILE, ENOENT, ENOTDIR, ENOTTY, ESPIPE, Errno } from './errno.js';
import { MappedFiles, type OpenFile } from './files.js';
import type { SyscallHandler, UserKernel } from './kernel.js';
import { int, long, ulong } from './syscall-args.js';
import { SYS } from './syscall-numbers.js';

const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const O_ACCMODE = 3;
const O_CREAT = 0x40;
const O_TRUNC = 0x200;
const O_DIRECTORY = 0x10000;
const MAX_RW = 0x7ffff000;
const MAX_IOV = 1024;

const S_IFCHR = 0o020000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

function fileOf(k: UserKernel, fd: number): OpenFile {
  const f = k.fds.get(fd);
  if (!f) throw new Errno(EBADF);
  return f;
}

function readInto(k: UserKernel, f: OpenFile, buf: number, count: number): number {
  if (f.kind === 'stdout' || f.kind === 'stderr') throw new Errno(EBADF);
  const n = Math.min(count, MAX_RW);
  if (n === 0) return 0;
  let bytes: Uint8Array;
  if (f.kind === 'stdin') bytes = k.io.readStdin(n);
  else {
    bytes = f.data.subarray(Math.min(f.pos, f.data.length), Math.min(f.pos + n, f.data.length));
  }
  k.space.write(buf, bytes);
  if (f.kind === 'file') f.pos += bytes.length;
  return bytes.length;
}

function writeFrom(k: UserKernel, f: OpenFile, bytes: Uint8Array): number {
  if (f.kind === 'stdout') k.io.writeStdout(bytes);
  else if (f.kind === 'stderr') k.io.writeStderr(bytes);
  else throw new Errno(EBADF); // stdin and mapped files are open read-only
  return bytes.length;
}

/** iovec array -> [base, len] pairs. */
function iovecs(k: UserKernel, iov: number, cnt: number): [number, number][] {
  if (cnt < 0 || cnt > MAX_IOV) throw new Errno(EINVAL);
  const out: [number, number][] = [];
  for (let i = 0; i < cnt; i++) out.push([ulong(k.space.readU64(iov + 16 * i)), ulong(k.space.readU64(iov + 16 * i + 8))]);
  return out;
}

function pathArg(k: UserKernel, va: number): string {
  const p = k.space.readCString(va, 4096);
  if (p === undefined) throw new Errno(EFAULT);
  return p;
}

/** Resolves (dirfd, path) to a guest path; only AT_FDCWD or absolute paths name anything. */
function resolve(k: UserKernel, dirfd: number, path: string): string {
  if (path.startsWith('/') || dirfd === AT_FDCWD) return path;
  const f = k.fds.get(dirfd);
  if (!f) throw new Errno(EBADF);
  throw new Errno(ENOTDIR);
}

function statBytes(mode: number, size: number, ino: number, rdev = 0): Uint8Array {
  const b = new Uint8Array(128);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, 0x2an, true); // st_dev
  v.setBigUint64(8, BigInt(ino), true);
  v.setUint32(16, mode, true);
  v.setUint32(20, 1, true); // st_nlink
  v.setBigUint64(32, BigInt(rdev), true);
  v.setBigInt64(48, BigInt(size), true);
  v.setInt32(56, 4096, true); // st_blksize
  v.setBigInt64(64, BigInt(Math.ceil(size / 512)), true);
  return b;
}

function statOfOpen(f: OpenFile, fd: number): Uint8Array {
  if (f.kind === 'file') return statBytes(S_IFREG | 0o444, f.data.length, 1000 + fd);
  return statBytes(S_IFCHR | 0o620, 0, 10 + fd, 0x8800 + fd);
}

function statOfPath(k: UserKernel, path: string): Uint8Array {
  const data = k.files.get(path);
  if (data) return statBytes(S_IFREG | 0o444, data.length, 2000);
  if (MappedFiles.normalize(path) === '/' || k.files.isDirectory(path)) return statBytes(S_IFDIR | 0o555, 4096, 3000);
  throw new Errno(ENOENT);
}

const read: SyscallHandler = (k, a) => readInto(k, fileOf(k, int(a[0])), ulong(a[1]), ulong(a[2]));

const readv: SyscallHandler = (k, a) => {
  const f = fileOf(k, int(a[0]));
  let total = 0;
  for (const [base, len] of iovecs(k, ulong(a[1]), int(a[2]))) {
    const n = readInto(k, f, base, len);
    total += n;
    if (n < len) break;
  }
  return total;
};

const write: SyscallHandler = (k, a) => {
  const f = fileOf(k, int(a[0]));
  return writeFrom(k, f, k.space.read(ulong(a[1]), Math.min(ulong(a[2]), MAX_RW)));
};

const writev: SyscallHandler = (k, a) => {
  const f = fileOf(k, int(a[0]));
  const parts = iovecs(k, ulong(a[1]), int(a[2])).map(([base, len]) => k.space.read(base, len));
  const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return writeFrom(k, f, all);
};

const openat: SyscallHandler = (k, a) => {
  const path = resolve(k, int(a[0]), pathArg(k, ulong(a[1])));
  const flags = int(a[2]);
  const data = k.files.get(path);
  const writing = (flags & O_ACCMODE) !== 0 || (flags & (O_CREAT | O_TRUNC)) !== 0;
  if (!data) {
    if (k.files.isDirectory(path) || MappedFiles.normalize(path) === '/') throw new Errno(writing ? EISDIR : EACCES);
    throw new Errno(writing && flags & O_CREAT ? EACCES : ENOENT);
  }
  if (writing) throw new Errno(EACCES); // mapped files are read-only
  if (flags & O_DIRECTORY) throw new Errno(ENOTDIR);
  const fd = k.fds.open({ kind: 'file', path: MappedFiles.normalize(path), data, pos: 0 });
  if (fd < 0) throw new Errno(EMFILE);
  return fd;
};

const close: SyscallHandler = (k, a) => (k.fds.close(int(a[0])) ? 0 : -EBADF);

const lseek: SyscallHandler = (k, a) => {
  const f = fileOf(k, int(a[0]));
  if (f.kind !== 'file') throw new Errno(ESPIPE);
  const off = long(a[1]);
  const whence = int(a[2]);
  const base = whence === 0 ? 0 : whence === 1 ? f.pos : whence === 2 ? f.data.length : NaN;
  const pos = base + off;
  if (!Number.isFinite(pos) || pos < 0) throw new Errno(EINVAL);
  f.pos = pos;
  return pos;
};

const fstat: SyscallHandler = (k, a) => {
  const fd = int(a[0]);
  k.space.write(ulong(a[1]), statOfOpen(fileOf(k, fd), fd));
  return 0;
};

const newfstatat: SyscallHandler = (k, a) => {
  const dirfd = int(a[0]);
  const path = pathArg(k, ulong(a[1]));
  const flags = int(a[3]);
  let st: Uint8Array;
  if (path === '' && flags & AT_EMPTY_PATH) {
    st = dirfd === AT_FDCWD ? statOfPath(k, '/') : statOfOpen(fileOf(k, dirfd), dirfd);
  } else {
    if (path === '') throw new Errno(ENOENT);
    st = statOfPath(k, resolve(k, dirfd, path));
  }
  k.space.write(ulong(a[2]), st);
  return 0;
};

const readlinkat: SyscallHandler = (k, a) => {
  const path = resolve(k, int(a[0]), pathArg(k, ulong(a[1])));
  const size = int(a[3]);
  if (size <= 0) throw new Errno(EINVAL);
  if (MappedFiles.normalize(path) !== '/proc/self/exe') throw new Errno(k.files.get(path) ? EINVAL : ENOENT);
  const target = new TextEncoder().encode(k.exePath).subarray(0, size);
  k.space.write(ulong(a[2]), target);
  return target.length;
};

const ioctl: SyscallHandler = (k, a) => {
  fileOf(k, int(a[0]));
  return -ENOTTY; // no terminals here: TCGETS and every other request fail like on a pipe or file
};

const dup: SyscallHandler = (k, a) => {
  const fd = k.fds.open(fileOf(k, int(a[0])));
  return fd < 0 ? -EMFILE : fd;
};

const dup3: SyscallHandler = (k, a) => {
  const f = fileOf(k, int(a[0]));
  const newFd = int(a[1]);
  if (newFd === int(a[0]) || int(a[2]) & ~O_CLOEXEC) throw new Errno(EINVAL);
  return k.fds.dupTo(f, newFd) ? newFd : -EBADF;
};

const F_DUPFD = 0;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const F_DUPFD_CLOEXEC = 1030;
const O_CLOEXEC = 0x80000;

const fcntl: SyscallHandler = (k, a) => {
  const f = fileOf(k, int(a[0]));
  switch (int(a[1])) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      const min = int(a[2]);
      if (min < 0) throw new Errno(EINVAL);
      const fd = k.fds.open(f, min);
      return fd < 0 ? -EMFILE : fd;
    }
    case F_GETFD:
    case F_SETFD:
    case F_SETFL:
      return 0;
    case F_GETFL:
      return f.kind === 'stdout' || f.kind === 'stderr' ? 1 : 0; // O_WRONLY / O_RDONLY
    default:
      return -EINVAL;
  }
};

export const FILE_SYSCALLS: Record<number, SyscallHandler> = {
  [SYS.read]: read,
  [SYS.readv]: readv,
  [SYS.write]: write,
  [SYS.writev]: writev,
  [SYS.openat]: openat,
  [SYS.close]: close,
  [SYS.lseek]: lseek,
  [SYS.fstat]: fstat,
  [SYS.newfstatat]: newfstatat,
  [SYS.readlinkat]: readlinkat,
  [SYS.ioctl]: ioctl,
  [SYS.dup]: dup,
  [SYS.dup3]: dup3,
  [SYS.fcntl]: fcntl,
};
