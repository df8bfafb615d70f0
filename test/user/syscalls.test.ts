// Linux-user syscalls through real ecalls from U-mode: results in a0, errno values, guest-visible side effects.
import { describe, expect, it } from 'vitest';
import { runUserProgram, SYS } from '../../src/user/index.js';
import { EXIT_A0, reported, reportingProgram, runUser, sys, userElf } from './programs.js';

const ENOENT = 2n, EBADF = 9n, EACCES = 13n, EFAULT = 14n, EINVAL = 22n, ENOTTY = 25n, ESPIPE = 29n, ENOSYS = 38n, ENOMEM = 12n;

describe('process basics', () => {
  it('write to stdout and stderr, exit_group code', () => {
    const r = runUser(`
_start:
  li a0, 1
  la a1, msg
  li a2, 6
${sys(SYS.write)}
  li a0, 2
  la a1, msg
  li a2, 3
${sys(SYS.write)}
  li a0, 42
${EXIT_A0}
  .data
msg: .ascii "hello\\n"
`);
    expect(r.status).toBe('exited');
    expect(r.exitCode).toBe(42);
    expect(r.out).toBe('hello\n');
    expect(r.err).toBe('hel');
  });

  it('exit (93) ends the single-threaded process too; codes are taken mod 256', () => {
    const r = runUser(`_start:\n  li a0, 300\n${sys(SYS.exit)}`);
    expect(r.exitCode).toBe(300 & 0xff);
  });

  it('argc, argv and envp on the initial stack; sp is 16-byte aligned', () => {
    // prints argv[1], envp[0], then exits with argc * 16 + (sp & 15)
    const r = runUser(`
_start:
  mv s0, sp
  ld s1, 0(sp)
  ld a0, 16(sp)
  call puts
  slli t0, s1, 3
  add t0, t0, s0
  ld a0, 16(t0)
  call puts
  andi t1, s0, 15
  slli a0, s1, 4
  add a0, a0, t1
${EXIT_A0}
puts:
  mv a1, a0
  li a2, 0
1:
  add t0, a1, a2
  lbu t0, 0(t0)
  beqz t0, 2f
  addi a2, a2, 1
  j 1b
2:
  li a0, 1
${sys(SYS.write)}
  ret
`, { argv: ['prog', 'first-arg', 'two'], env: { GREETING: 'hi' } });
    expect(r.out).toBe('first-argGREETING=hi');
    expect(r.exitCode).toBe(3 * 16);
  });

  it('auxv holds AT_PAGESZ 4096, AT_ENTRY = entry, AT_HWCAP rv64gc, 16 bytes at AT_RANDOM, AT_SECURE 0', () => {
    // walks auxv and reports the values of types 6, 9, 16, 23 and whether AT_RANDOM points into the stack
    const r = runUser(reportingProgram(`
  ld t0, 0(sp)
  addi t0, t0, 2
  slli t0, t0, 3
  add s0, sp, t0
1: ld t1, 0(s0)
  addi s0, s0, 8
  bnez t1, 1b
  mv s1, s0
  li s2, 6
  call find
  li s2, 9
  call find
  li s2, 16
  call find
  li s2, 23
  call find
  li s2, 25
  call find
  j done
find:
  mv s3, ra
  mv t0, s1
2: ld t1, 0(t0)
  ld a0, 8(t0)
  addi t0, t0, 16
  beqz t1, 3f
  bne t1, s2, 2b
  call report
  mv ra, s3
  ret
3: li a0, -1
  call report
  mv ra, s3
  ret
done:
`));
    const [pagesz, entry, hwcap, secure, random] = reported(r.out);
    expect(pagesz).toBe(4096n);
    expect(entry).toBe(0x10000n);
    expect(hwcap).toBe((1n << 8n) | (1n << 12n) | (1n << 0n) | (1n << 5n) | (1n << 3n) | (1n << 2n));
    expect(secure).toBe(0n);
    expect(random! > 0x3f00000000n && random! < 0x4000000000n).toBe(true);
  });
});

describe('floating point (rv64gc programs)', () => {
  it('the process starts with the FPU on (mstatus.FS not Off): F/D instructions run in U-mode', () => {
    const r = runUserProgram(userElf(`
_start:
  la t0, vals
  fld fa0, 0(t0)
  fld fa1, 8(t0)
  fmul.d fa2, fa0, fa1
  fcvt.l.d a0, fa2, rtz
  frflags a1
  add a0, a0, a1
${EXIT_A0}
  .data
  .align 3
vals: .dword 0x4004000000000000, 0x4011000000000000 # 2.5, 4.25
`, 'rv64imafdc'), { maxInsns: 1e6 });
    expect(r.status).toBe('exited');
    expect(r.exitCode).toBe(10 + 1); // 10.625 truncated, plus the inexact flag
  });
});

describe('errors come back as -errno in a0', () => {
  it('bad fds, bad pointers, unknown syscalls, ioctl TCGETS', () => {
    const r = runUser(reportingProgram(`
  li a0, 7
  la a1, buf
  li a2, 4
${sys(SYS.write)}
  call report
  li a0, 1
  li a1, 0x123
  li a2, 4
${sys(SYS.write)}
  call report
  li a0, 1
  li a1, 0x5401
  la a2, buf
${sys(SYS.ioctl)}
  call report
  li a0, 1
  li a1, 0
  li a2, 0
${sys(SYS.lseek)}
  call report
${sys(4000)}
  call report
${sys(4000)}
  call report
  li a0, 0
  la a1, buf
  li a2, 8
${sys(SYS.write)}
  call report
  li a0, 1
  la a1, buf
  li a2, 0x7ffff000
${sys(SYS.write)}
  call report
  li a0, 1
  li a1, -1
  li a2, -1
${sys(SYS.write)}
  call report
`, 'buf: .zero 64'));
    expect(reported(r.out)).toEqual([-EBADF, -EFAULT, -ENOTTY, -ESPIPE, -ENOSYS, -ENOSYS, -EBADF, -EFAULT, -EFAULT]);
    expect(r.unknownSyscalls).toEqual([4000]);
  });

  it('an unknown syscall is reported once by name and number through the diagnostic channel, not on guest stderr', () => {
    const lines: string[] = [];
    const r = runUser(`
_start:
${sys(SYS.riscv_hwprobe)}
${sys(SYS.riscv_hwprobe)}
${sys(4321)}
  li a0, 0
${EXIT_A0}`, { io: { diagnostic: (l) => lines.push(l) } });
    expect(r.exitCode).toBe(0);
    expect(r.err).toBe('');
    expect(lines).toEqual(['unknown syscall riscv_hwprobe (258): returning -ENOSYS', 'unknown syscall syscall_4321 (4321): returning -ENOSYS']);
  });
});

describe('files mapped in by the caller', () => {
  const files = { 'data/in.txt': new TextEncoder().encode('0123456789abcdef') };

  it('openat/read/lseek/fstat/close on a mapped file; ENOENT outside the map; EACCES for writing', () => {
    const r = runUser(reportingProgram(`
  li a0, -100
  la a1, path
  li a2, 0
${sys(SYS.openat)}
  mv s0, a0
  call report
  mv a0, s0
  la a1, buf
  li a2, 4
${sys(SYS.read)}
  call report
  mv a0, s0
  li a1, -3
  li a2, 2
${sys(SYS.lseek)}
  call report
  mv a0, s0
  la a1, buf
  li a2, 64
${sys(SYS.read)}
  call report
  li a0, 1
  la a1, buf
  li a2, 3
${sys(SYS.write)}
  call report
  mv a0, s0
  la a1, statbuf
${sys(SYS.fstat)}
  call report
  la t0, statbuf
  ld a0, 48(t0)
  call report
  mv a0, s0
${sys(SYS.close)}
  call report
  mv a0, s0
${sys(SYS.close)}
  call report
  li a0, -100
  la a1, nopath
  li a2, 0
${sys(SYS.openat)}
  call report
  li a0, -100
  la a1, path
  li a2, 1
${sys(SYS.openat)}
  call report
  li a0, -100
  la a1, dotpath
  la a2, statbuf
  li a3, 0
${sys(SYS.newfstatat)}
  call report
  la t0, statbuf
  lwu a0, 16(t0)
  call report
`, `path: .asciz "data/in.txt"
dotpath: .asciz "/./data/../data/in.txt"
nopath: .asciz "/etc/passwd"
  .align 3
buf: .zero 64
statbuf: .zero 128`), { files });
    expect(r.out).toContain('\ndef');
    const v = reported(r.out.replace('\ndef', '\n'));
    expect(v).toEqual([3n, 4n, 13n, 3n, 3n, 0n, 16n, 0n, -EBADF, -ENOENT, -EACCES, 0n, 0o100444n]);
  });

  it('readlinkat /proc/self/exe gives the absolute program path', () => {
    const r = runUser(`
_start:
  li a0, -100
  la a1, p
  la a2, buf
  li a3, 100
${sys(SYS.readlinkat)}
  mv a2, a0
  li a0, 1
  la a1, buf
${sys(SYS.write)}
  li a0, 0
${EXIT_A0}
  .data
p: .asciz "/proc/self/exe"
buf: .zero 100`, { argv: ['bin/tool'] });
    expect(r.out).toBe('/bin/tool');
  });

  it('reads stdin through the io hook until end of file', () => {
    let fed = false;
    const r = runUser(reportingProgram(`
  li a0, 0
  la a1, buf
  li a2, 64
${sys(SYS.read)}
  call report
  li a0, 0
  la a1, buf
  li a2, 64
${sys(SYS.read)}
  call report
`, 'buf: .zero 64'), { io: { readStdin: () => (fed ? new Uint8Array(0) : ((fed = true), new TextEncoder().encode('abc'))) } });
    expect(reported(r.out)).toEqual([3n, 0n]);
  });
});

describe('memory', () => {
  it('brk grows (pages appear zeroed and writable), refuses to move below its start', () => {
    const r = runUser(reportingProgram(`
  li a0, 0
${sys(SYS.brk)}
  mv s0, a0
  call report
  li t0, 0x12345
  add a0, s0, t0
${sys(SYS.brk)}
  call report
  li t0, 0x12000
  add t0, s0, t0
  ld a0, 0(t0)
  call report
  li t1, 77
  sd t1, 0(t0)
  ld a0, 0(t0)
  call report
  li a0, 0x1000
${sys(SYS.brk)}
  sub a0, a0, s0
  call report
`));
    const [start, grown, zero, stored, back] = reported(r.out);
    expect(start! % 4096n).toBe(0n);
    expect(grown).toBe(start! + 0x12345n);
    expect(zero).toBe(0n);
    expect(stored).toBe(77n);
    expect(back).toBe(0x12345n);
  });

  it('mmap anonymous memory, touch it, munmap it: a later access is SIGSEGV (exit 139)', () => {
    const r = runUser(reportingProgram(`
  li a0, 0
  li a1, 0x3000
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys(SYS.mmap)}
  mv s0, a0
  call report
  li t0, 99
  li t1, 0x2ff8
  add t1, t1, s0
  sd t0, 0(t1)
  ld a0, 0(t1)
  call report
  mv a0, s0
  li a1, 0x3000
${sys(SYS.munmap)}
  call report
  ld a0, 0(s0)
  call report
`));
    const v = reported(r.out);
    expect(v[0]! % 4096n).toBe(0n);
    expect(v.slice(1)).toEqual([99n, 0n]);
    expect(r.status).toBe('signaled');
    expect(r.signal?.name).toBe('SIGSEGV');
    expect(r.exitCode).toBe(139);
  });

  it('mprotect read-only makes stores fault; bad arguments give EINVAL/ENOMEM', () => {
    const r = runUser(reportingProgram(`
  li a0, 0
  li a1, 0x2000
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys(SYS.mmap)}
  mv s0, a0
  addi a0, s0, 1
  li a1, 0x1000
  li a2, 1
${sys(SYS.mprotect)}
  call report
  li a0, 0x7000000000
  li a1, 0x1000
  li a2, 1
${sys(SYS.mprotect)}
  call report
  li a0, 0
  li a1, 0
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys(SYS.mmap)}
  call report
  mv a0, s0
  li a1, 0x2000
  li a2, 1
${sys(SYS.mprotect)}
  call report
  ld a0, 0(s0)
  call report
  sd a0, 8(s0)
  call report
`));
    expect(reported(r.out)).toEqual([-EINVAL, -EINVAL, -EINVAL, 0n, 0n]);
    expect(r.signal?.name).toBe('SIGSEGV');
    expect(r.detail).toContain('cause 15');
  });

  it('mremap grows in place when the pages above are free, else moves with MREMAP_MAYMOVE (contents kept); shrinks in place', () => {
    const r = runUser(reportingProgram(`
  li a0, 0
  li a1, 0x2000
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys(SYS.mmap)}
  mv s0, a0
  li a0, 0
  li a1, 0x1000
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys(SYS.mmap)}
  mv s2, a0
  li t0, 1234
  sd t0, 8(s2)
  sub a0, s0, s2
  call report
  mv a0, s0
  li a1, 0x2000
  li a2, 0x8000
  li a3, 0
${sys(SYS.mremap)}
  sub a0, a0, s0
  call report
  mv a0, s2
  li a1, 0x1000
  li a2, 0x3000
  li a3, 0
${sys(SYS.mremap)}
  call report
  mv a0, s2
  li a1, 0x1000
  li a2, 0x3000
  li a3, 1
${sys(SYS.mremap)}
  mv s1, a0
  sub a0, s1, s2
  snez a0, a0
  call report
  ld a0, 8(s1)
  call report
  li t0, 0x2ff8
  add t0, t0, s1
  sd t0, 0(t0)
  mv a0, s1
  li a1, 0x3000
  li a2, 0x1000
  li a3, 0
${sys(SYS.mremap)}
  sub a0, a0, s1
  call report
  ld a0, 0(s2)
  call report
`));
    // mmap goes top-down: the second mapping lies right below the first, which has free space above it
    expect(reported(r.out)).toEqual([0x1000n, 0n, -ENOMEM, 1n, 1234n, 0n]);
    expect(r.signal?.name).toBe('SIGSEGV'); // the old place of the moved mapping is gone
  });

  it('the stack is demand-paged far below the initial sp (1 MiB deep)', () => {
    const r = runUser(`
_start:
  li t0, 0x100000
  sub t1, sp, t0
  li t2, 5
  sd t2, 0(t1)
  ld a0, 0(t1)
${EXIT_A0}`);
    expect(r.exitCode).toBe(5);
  });

  it('mmap without memory left gives ENOMEM-free failure paths: huge lengths are ENOMEM', () => {
    const r = runUser(reportingProgram(`
  li a0, 0
  li a1, -4096
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys(SYS.mmap)}
  call report
`));
    expect(reported(r.out)).toEqual([-ENOMEM]);
  });
});

describe('faults and deaths', () => {
  it('a null dereference is SIGSEGV with the faulting address', () => {
    const r = runUser(`_start:\n  li t0, 8\n  ld a0, 0(t0)\n${EXIT_A0}`);
    expect(r.status).toBe('signaled');
    expect(r.exitCode).toBe(128 + 11);
    expect(r.detail).toMatch(/cause 13 at pc 0x10002 .* addr 0x8$/);
  });

  it('an illegal instruction is SIGILL; ebreak is SIGTRAP; privileged instructions are SIGILL', () => {
    expect(runUser(`_start:\n  .word 0xffffffff\n`).signal?.name).toBe('SIGILL');
    expect(runUser(`_start:\n  ebreak\n`).signal?.name).toBe('SIGTRAP');
    expect(runUser(`_start:\n  csrr a0, mstatus\n`).signal?.name).toBe('SIGILL');
    expect(runUser(`_start:\n  mret\n`).signal?.name).toBe('SIGILL');
  });

  it('jumping to unmapped memory is SIGSEGV (instruction page fault)', () => {
    const r = runUser(`_start:\n  li t0, 0x500000\n  jr t0\n`);
    expect(r.signal?.name).toBe('SIGSEGV');
    expect(r.detail).toContain('cause 12');
  });

  it('an endless loop stops at the instruction budget and can be continued', () => {
    const r = runUser(`_start:\n1: j 1b\n`, { maxInsns: 5000 });
    expect(r.status).toBe('budget');
    expect(r.instructions).toBe(5000);
  });

  it('tgkill(SIGABRT) to itself ends the process like abort(); SIG_IGN or a harmless signal does not', () => {
    const r = runUser(`
_start:
${sys(SYS.getpid)}
  mv s0, a0
  mv a1, a0
  li a2, 17
${sys(SYS.tgkill)}
  mv a0, s0
  mv a1, s0
  li a2, 6
${sys(SYS.tgkill)}
  li a0, 0
${EXIT_A0}`);
    expect(r.status).toBe('signaled');
    expect(r.signal?.name).toBe('SIGABRT');
    expect(r.exitCode).toBe(134);
  });

  it('futex: wake is 0, wait on a changed word is EAGAIN, a wait that nothing can end is reported as a deadlock', () => {
    const r = runUser(reportingProgram(`
  la a0, word
  li a1, 129
  li a2, 1
${sys(SYS.futex)}
  call report
  la a0, word
  li a1, 128
  li a2, 5
  li a3, 0
${sys(SYS.futex)}
  call report
  la a0, word
  li a1, 128
  li a2, 7
  li a3, 0
${sys(SYS.futex)}
  call report
`, '  .align 2\nword: .word 7'));
    expect(reported(r.out)).toEqual([0n, -11n]);
    expect(r.status).toBe('deadlock');
  });
});

describe('identity, time, randomness, limits, signals', () => {
  it('getpid = gettid = set_tid_address; uname says Linux riscv64; getrandom fills; clock_gettime moves forward', () => {
    const r = runUser(reportingProgram(`
${sys(SYS.getpid)}
  call report
${sys(SYS.gettid)}
  call report
  la a0, buf
${sys(SYS.set_tid_address)}
  call report
  la a0, uts
${sys(SYS.uname)}
  call report
  la a0, buf
  li a1, 16
  li a2, 0
${sys(SYS.getrandom)}
  call report
  li a0, 1
  la a1, ts
${sys(SYS.clock_gettime)}
  call report
  li a0, 99
  la a1, ts
${sys(SYS.clock_gettime)}
  call report
  la a0, ts
  li a1, 0
${sys(SYS.gettimeofday)}
  call report
  la t0, ts
  ld a0, 0(t0)
  call report
  li a0, 0
  li a1, 3
  li a2, 0
  la a3, ts
${sys(SYS.prlimit64)}
  call report
  la t0, ts
  ld a0, 0(t0)
  call report
  li a0, 10
  la a1, ts
  li a2, 0
  li a3, 8
${sys(SYS.rt_sigaction)}
  call report
  li a0, 9
  la a1, ts
  li a2, 0
  li a3, 8
${sys(SYS.rt_sigaction)}
  call report
  li a0, 0
  la a1, ts
  la a2, buf
  li a3, 8
${sys(SYS.rt_sigprocmask)}
  call report
  la a0, buf
  li a1, 24
${sys(SYS.set_robust_list)}
  call report
  li a0, 1
  la a1, uts
  li a2, 5
${sys(SYS.write)}
  li a0, 1
  la t0, uts
  addi a1, t0, 260
  li a2, 7
${sys(SYS.write)}
`, `  .align 3
buf: .zero 64
ts: .zero 32
uts: .zero 400`), { pid: 4242 });
    const v = reported(r.out.replace(/Linux|riscv64/g, ''));
    expect(v.slice(0, 6)).toEqual([4242n, 4242n, 4242n, 0n, 16n, 0n]);
    expect(v[6]).toBe(-EINVAL);
    expect(v[7]).toBe(0n);
    expect(v[8]! > 1_600_000_000n).toBe(true);
    expect(v.slice(9)).toEqual([0n, 8n << 20n, 0n, -EINVAL, 0n, 0n]);
    expect(r.out).toContain('Linuxriscv64');
  });
});
