// The gdb remote stub's protocol logic over a deterministic Machine (like QEMU's gdbstub with -S): harts are threads,
// all-stop, registers through a target description, memory, breakpoints in the machine's list, step and continue.
// Transport-free: GdbSession (server.ts) feeds it packet payloads and sends back what it returns.
import { FtraceLabError } from '../errors.js';
import { CSR_TABLE } from '../isa/csrs.js';
import type { Machine, RunResult } from '../machine/machine.js';
import { FP_CSRS, REG_CSR0, REG_F0, REG_PC, REG_PRIV, targetXml } from './target-xml.js';
import { fromHex, fromLeHex, leHex, textHex, toHex } from './rsp.js';

/** Signals in stop replies (gdb's numbering, as QEMU uses them). */
export const SIGINT = 2;
export const SIGTRAP = 5;
export const SIGSEGV = 11;
export const SIGXCPU = 24;

/** Guest instructions per machine.run() between looks at the connection (a 0x03 from gdb). */
const RESUME_CHUNK = 1_000_000;

/** How the debugging session ended. */
export type SessionEnd =
  | { kind: 'exited'; result: RunResult }
  | { kind: 'killed' }
  | { kind: 'detached' };

export interface GdbStubOptions {
  /** Instruction budget of the whole session (all harts); a resume that exhausts it stops with SIGXCPU. */
  readonly maxInsns: number;
  /** Lets the event loop run between resume chunks (default: setImmediate). */
  readonly yieldToHost?: () => Promise<void>;
}

const FP_CSR_NUMBERS = new Set<number>(FP_CSRS.map(([, n]) => n));

export class GdbStub {
  /** Hart of g/G/p/P/m/M ('Hg') and of legacy c/s ('Hc'). */
  private gHart = 0;
  private cHart = 0;
  private multiprocess = false;
  private interruptRequested = false;
  private used = 0;
  /** The last stop (reported again for '?'): a signal at a hart, or the exit packet. */
  private last: { signal: number; hart: number } | string = { signal: SIGTRAP, hart: 0 };
  private readonly csrs: (readonly [string, number])[];
  private readonly xml: string;
  /** Set once the session is over (exit reported, kill or detach). */
  ended: SessionEnd | null = null;
  /** Turned on by QStartNoAckMode (the transport stops sending +). */
  noAck = false;

  constructor(
    private readonly machine: Machine,
    private readonly opts: GdbStubOptions,
  ) {
    if (machine.mode !== 'deterministic') throw new RangeError('the gdb stub drives a deterministic machine');
    const h = machine.hart(0);
    this.csrs = CSR_TABLE.filter(([, n]) => !FP_CSR_NUMBERS.has(n) && readable(() => h.csr(n)));
    this.xml = targetXml(this.csrs);
  }

  /** gdb sent 0x03: a running resume stops at its next chunk boundary with SIGINT. */
  interrupt(): void {
    this.interruptRequested = true;
  }

  /** The reply to one packet (payload without framing), or null when the packet takes none (k). */
  async handle(p: string): Promise<string | null> {
    try {
      return await this.dispatch(p);
    } catch (e) {
      if (e instanceof StubError) return e.reply;
      if (e instanceof FtraceLabError) return 'E01'; // e.g. a CSR write the hart refuses
      throw e;
    }
  }

  private async dispatch(p: string): Promise<string | null> {
    const c = p[0];
    if (p.startsWith('qSupported')) {
      this.multiprocess = /multiprocess\+/.test(p);
      return `PacketSize=4000;qXfer:features:read+;vContSupported+;QStartNoAckMode+${this.multiprocess ? ';multiprocess+' : ''}`;
    }
    if (p === 'QStartNoAckMode') {
      this.noAck = true;
      return 'OK';
    }
    if (p.startsWith('qXfer:features:read:')) return this.xfer(p);
    if (p === '?') return typeof this.last === 'string' ? this.last : this.stopReply(this.last.signal, this.last.hart);
    if (p === 'qfThreadInfo') return 'm' + this.machine.harts.map((h) => this.tid(h.index)).join(',');
    if (p === 'qsThreadInfo') return 'l';
    if (p === 'qC') return 'QC' + this.tid(this.gHart);
    if (p.startsWith('qAttached')) return '1';
    if (p.startsWith('qThreadExtraInfo,')) {
      const h = this.hartOf(p.slice('qThreadExtraInfo,'.length));
      return textHex(`hart ${h} (${['U', 'S', '?', 'M'][this.machine.hart(h).priv & 3]}-mode)`);
    }
    if (p === 'qOffsets' || p === 'qTStatus' || p === 'vMustReplyEmpty' || p.startsWith('qTfV') || p.startsWith('qTfP')) return '';
    if (p.startsWith('qSymbol')) return 'OK';
    if (c === 'H') {
      const which = p[1];
      const id = p.slice(2);
      const h = id === '-1' || id === '0' || /^p[0-9a-f]+\.(-1|0)$/i.test(id) ? (which === 'g' ? this.gHart : this.cHart) : this.hartOf(id);
      if (which === 'g') this.gHart = h;
      else this.cHart = h;
      return 'OK';
    }
    if (c === 'T') {
      this.hartOf(p.slice(1));
      return 'OK';
    }
    if (p === 'g') return this.readAllRegisters();
    if (c === 'G') return this.writeAllRegisters(p.slice(1));
    if (c === 'p') return this.readRegister(parseInt(p.slice(1), 16));
    if (c === 'P') {
      const [n, v] = p.slice(1).split('=');
      return this.writeRegister(parseInt(n!, 16), v ?? '');
    }
    if (c === 'm') return this.readMemory(p.slice(1));
    if (c === 'M' || c === 'X') return this.writeMemory(p.slice(1), c === 'X');
    if (c === 'Z' || c === 'z') return this.breakpoint(p);
    if (p === 'vCont?') return 'vCont;c;C;s;S';
    if (p.startsWith('vCont;')) return this.vCont(p.slice(6));
    if (c === 'c' || c === 'C') return this.resumeAll();
    if (c === 's' || c === 'S') return this.step(this.cHart);
    if (c === 'D') {
      this.machine.breakpoints.clear();
      this.ended = { kind: 'detached' };
      return 'OK';
    }
    if (p.startsWith('vKill') || c === 'k') {
      this.ended = { kind: 'killed' };
      return c === 'k' ? null : 'OK';
    }
    return ''; // unsupported: the empty reply
  }

  // ---- threads (one per hart; thread id = hart + 1, process 1)

  private tid(hart: number): string {
    const t = (hart + 1).toString(16).padStart(2, '0');
    return this.multiprocess ? `p01.${t}` : t;
  }

  /** The hart of a thread id ('p1.2', '2'); '0'/'-1' mean the current one. */
  private hartOf(id: string): number {
    const m = /^(?:p[0-9a-f]+\.)?(-1|[0-9a-f]+)$/i.exec(id);
    if (!m) throw new StubError('E22');
    if (m[1] === '-1' || m[1] === '0') return this.gHart;
    const h = parseInt(m[1]!, 16) - 1;
    if (h < 0 || h >= this.machine.harts.length) throw new StubError('E01');
    return h;
  }

  private stopReply(signal: number, hart: number): string {
    return `T${signal.toString(16).padStart(2, '0')}thread:${this.tid(hart)};`;
  }

  // ---- target description

  private xfer(p: string): string {
    const m = /^qXfer:features:read:([^:]+):([0-9a-f]+),([0-9a-f]+)$/i.exec(p);
    if (!m) return 'E22';
    if (m[1] !== 'target.xml') return 'E00';
    const off = parseInt(m[2]!, 16);
    const len = parseInt(m[3]!, 16);
    const chunk = this.xml.slice(off, off + len);
    return (off + len >= this.xml.length ? 'l' : 'm') + chunk;
  }

  // ---- registers

  private readAllRegisters(): string {
    const h = this.machine.hart(this.gHart);
    let out = '';
    for (let i = 0; i < 32; i++) out += leHex(h.x(i), 8);
    return out + leHex(h.pc, 8);
  }

  private writeAllRegisters(hex: string): string {
    const h = this.machine.hart(this.gHart);
    for (let i = 0; i <= 32 && (i + 1) * 16 <= hex.length; i++) {
      const v = fromLeHex(hex.slice(i * 16, i * 16 + 16));
      if (i === REG_PC) h.pc = v;
      else h.setX(i, v);
    }
    return 'OK';
  }

  private readRegister(n: number): string {
    const h = this.machine.hart(this.gHart);
    if (n < 32) return leHex(h.x(n), 8);
    if (n === REG_PC) return leHex(h.pc, 8);
    if (n >= REG_F0 && n < REG_F0 + 32) return leHex(h.f(n - REG_F0), 8);
    if (n === REG_PRIV) return leHex(BigInt(h.priv), 8);
    const csr = n - REG_CSR0;
    if (FP_CSR_NUMBERS.has(csr)) return leHex(h.csr(csr), 4);
    if (this.csrs.some(([, c]) => c === csr)) return leHex(h.csr(csr), 8);
    return 'E45';
  }

  private writeRegister(n: number, hex: string): string {
    const h = this.machine.hart(this.gHart);
    let v: bigint;
    try {
      v = fromLeHex(hex);
    } catch {
      return 'E22';
    }
    if (!/^[0-9a-f]+$/i.test(hex)) return 'E22';
    if (n < 32) h.setX(n, v);
    else if (n === REG_PC) h.pc = v;
    else if (n >= REG_F0 && n < REG_F0 + 32) h.setF(n - REG_F0, v);
    else if (n === REG_PRIV) return 'E45'; // the privilege level changes only through the guest's own traps and xRETs
    else if (FP_CSR_NUMBERS.has(n - REG_CSR0) || this.csrs.some(([, c]) => c === n - REG_CSR0)) h.setCsr(n - REG_CSR0, v);
    else return 'E45';
    return 'OK';
  }

  // ---- memory (guest physical = what a bare-metal M-mode program sees)

  private range(spec: string): { addr: number; len: number } {
    const m = /^([0-9a-f]+),([0-9a-f]+)$/i.exec(spec);
    if (!m) throw new StubError('E22');
    return { addr: parseInt(m[1]!, 16), len: parseInt(m[2]!, 16) };
  }

  private readMemory(spec: string): string {
    const { addr, len } = this.range(spec);
    const mem = this.machine.memory;
    if (len === 0) return '';
    if (!mem.contains(addr, 1)) return 'E14';
    const n = Math.min(len, mem.base + mem.size - addr, 0x1000);
    return toHex(mem.read(addr, n)); // a short read is allowed at the end of RAM
  }

  private writeMemory(spec: string, binary: boolean): string {
    const colon = spec.indexOf(':');
    if (colon < 0) return 'E22';
    const { addr, len } = this.range(spec.slice(0, colon));
    const data = spec.slice(colon + 1);
    if (len === 0) return 'OK'; // gdb probes X support with a zero-length write
    let bytes: Uint8Array;
    try {
      bytes = binary ? Uint8Array.from(Buffer.from(data, 'latin1')) : fromHex(data);
    } catch {
      return 'E22';
    }
    if (bytes.length !== len) return 'E22';
    if (!this.machine.memory.contains(addr, len)) return 'E14';
    this.machine.memory.write(addr, bytes);
    for (const h of this.machine.harts) h.flushIcache(); // gdb may have written code
    return 'OK';
  }

  // ---- breakpoints: Z0 (software) and Z1 (hardware) both go to the machine's engine-checked list

  private breakpoint(p: string): string {
    const m = /^([Zz])([0-4]),([0-9a-f]+),([0-9a-f]+)/i.exec(p);
    if (!m) return 'E22';
    if (m[2] !== '0' && m[2] !== '1') return ''; // watchpoints: unsupported (gdb falls back to stepping)
    const addr = BigInt('0x' + m[3]);
    if (m[1] === 'z') {
      this.machine.breakpoints.remove(addr);
      return 'OK';
    }
    try {
      this.machine.breakpoints.add(addr);
    } catch {
      return 'E28'; // the list is full
    }
    return 'OK';
  }

  // ---- resuming

  private vCont(actions: string): Promise<string> | string {
    // leftmost action that names a thread wins for it; a step of one hart stops the whole machine after that step
    for (const a of actions.split(';')) {
      const [act, thread] = a.split(':');
      if (act?.[0] === 's' || act?.[0] === 'S') return this.step(thread === undefined ? this.cHart : this.hartOf(thread));
    }
    return this.resumeAll();
  }

  /** Executes exactly one instruction (or one trap entry) of `hart`. */
  private step(hart: number): string {
    if (this.ended) return 'E01';
    if (this.used >= this.opts.maxInsns) return this.stopped(SIGXCPU, hart);
    const before = this.machine.hart(hart).retired;
    const reason = this.machine.step(hart);
    this.used += Number(this.machine.hart(hart).retired - before);
    if (reason === 'halted') return this.exited({ reason: 'halted', exitValue: this.machine.exitValue, exitCode: Number(this.machine.exitValue >> 1n), instructions: 1, harts: [], hart });
    if (reason === 'fault') return this.stopped(SIGSEGV, hart);
    return this.stopped(SIGTRAP, hart);
  }

  /** Runs every hart (deterministic schedule) until a breakpoint, exit, fault, 0x03 or the budget. */
  private async resumeAll(): Promise<string> {
    if (this.ended) return 'E01';
    // a 0x03 that arrived together with this resume packet still counts: gdb only sends it while the target runs
    const yieldToHost = this.opts.yieldToHost ?? (() => new Promise<void>((r) => setImmediate(r)));
    for (;;) {
      const left = this.opts.maxInsns - this.used;
      if (left <= 0) return this.stopped(SIGXCPU, this.cHart);
      const r = this.machine.run({ maxInsns: Math.min(RESUME_CHUNK, left) });
      this.used += r.instructions;
      switch (r.reason) {
        case 'budget':
          await yieldToHost();
          if (this.interruptRequested) {
            this.interruptRequested = false;
            return this.stopped(SIGINT, this.gHart);
          }
          continue;
        case 'breakpoint':
          return this.stopped(SIGTRAP, r.hart ?? 0);
        case 'halted':
          return this.exited(r);
        case 'fault':
          return this.stopped(SIGSEGV, r.hart ?? 0);
        default: // every hart waits in wfi for good, or a replayed schedule ended
          return this.stopped(SIGTRAP, r.hart ?? this.gHart);
      }
    }
  }

  private stopped(signal: number, hart: number): string {
    this.gHart = this.cHart = hart;
    this.last = { signal, hart };
    return this.stopReply(signal, hart);
  }

  private exited(r: RunResult): string {
    this.ended = { kind: 'exited', result: r };
    const code = ((r.exitCode ?? 0) & 0xff).toString(16).padStart(2, '0');
    this.last = `W${code}${this.multiprocess ? ';process:1' : ''}`;
    return this.last;
  }
}

/** A request the stub answers with an error reply. */
class StubError extends Error {
  constructor(readonly reply: string) {
    super(reply);
  }
}

function readable(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}
