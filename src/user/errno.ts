// Linux errno values (asm-generic) that the host-served syscalls return, negated, in a0.
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EEXIST = 17;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ESPIPE = 29;
export const ERANGE = 34;
export const ENOSYS = 38;
export const ETIMEDOUT = 110;

/** Thrown by guest-memory helpers while serving a syscall; the dispatcher turns it into -errno. */
export class Errno extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}
