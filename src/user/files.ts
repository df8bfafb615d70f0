// The process's files: read-only guest paths the caller mapped in, and the descriptor table (stdin/stdout/stderr + opened files).
import { posix } from 'node:path';
import { UserError } from './errors.js';

/** Guest path -> contents; nothing else exists in the guest's file system. */
export class MappedFiles {
  private readonly files = new Map<string, Uint8Array>();

  /** Normal form of a guest path (relative paths are relative to the guest's cwd, '/'). */
  static normalize(path: string): string {
    const abs = posix.normalize(path.startsWith('/') ? path : '/' + path);
    return abs.length > 1 && abs.endsWith('/') ? abs.slice(0, -1) : abs;
  }

  add(guestPath: string, contents: Uint8Array): void {
    if (guestPath === '' || guestPath.includes('\0')) throw new UserError('USER_BAD_MAP', `bad guest path '${guestPath}'`);
    this.files.set(MappedFiles.normalize(guestPath), contents);
  }

  get(path: string): Uint8Array | undefined {
    return this.files.get(MappedFiles.normalize(path));
  }

  /** Is path a directory that holds some mapped file? */
  isDirectory(path: string): boolean {
    const p = MappedFiles.normalize(path);
    const prefix = p === '/' ? '/' : p + '/';
    for (const k of this.files.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
}

/** Where the guest's standard streams go. */
export interface StdStreams {
  /** Up to max bytes of stdin; an empty array is end of file. */
  readStdin(max: number): Uint8Array;
  writeStdout(bytes: Uint8Array): void;
  writeStderr(bytes: Uint8Array): void;
}

export type OpenFile =
  | { kind: 'stdin' }
  | { kind: 'stdout' }
  | { kind: 'stderr' }
  | { kind: 'file'; path: string; data: Uint8Array; pos: number };

export const MAX_FDS = 1024;

export class FdTable {
  private readonly table: (OpenFile | undefined)[] = [{ kind: 'stdin' }, { kind: 'stdout' }, { kind: 'stderr' }];

  get(fd: number): OpenFile | undefined {
    return Number.isInteger(fd) && fd >= 0 ? this.table[fd] : undefined;
  }

  /** Lowest free descriptor >= min for f, or -1 when the table is full. */
  open(f: OpenFile, min = 0): number {
    let fd = min;
    while (fd < MAX_FDS && this.table[fd] !== undefined) fd++;
    if (fd >= MAX_FDS) return -1;
    this.table[fd] = f;
    return fd;
  }

  /** Makes newFd refer to the same open file as oldFd (closing what newFd had); false if out of range. */
  dupTo(f: OpenFile, newFd: number): boolean {
    if (!Number.isInteger(newFd) || newFd < 0 || newFd >= MAX_FDS) return false;
    this.table[newFd] = f;
    return true;
  }

  close(fd: number): boolean {
    if (this.get(fd) === undefined) return false;
    this.table[fd] = undefined;
    return true;
  }
}
