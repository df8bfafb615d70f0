// The gdb stub spoken to byte by byte (what gdb's batch mode cannot do): framing and escapes, no-ack mode, the 0x03
// interrupt of a running guest, register and memory writes, single-step, a fault stop, detach.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePacket, RspDecoder, unescapeBinary } from '../../src/gdb/rsp.js';
import { assemble, toElf } from '../../src/isa/index.js';
import { startStub } from './cli-session.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftl-rsp-'));
const program = (name: string, body: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, toElf(assemble(`  .globl _start\n_start:\n${body}\n  .data\n  .align 3\n  .globl tohost\ntohost: .dword 0\nslot: .dword 0\n`)));
  return path;
};
/** Counts in a0 forever. */
const LOOP = program('loop.elf', '  li a0, 0\nspin:\n  addi a0, a0, 1\n  j spin');
/** Stores 0x1234 to slot, then exits with a0 (set by the debugger) through tohost. */
const EXIT = program('exit.elf', '  li t0, 0x1234\n  la t1, slot\n  sd t0, 0(t1)\n  slli a0, a0, 1\n  ori a0, a0, 1\n  la t1, tohost\n  sd a0, 0(t1)\n1: j 1b');
/** Jumps to an address with no memory and no trap handler: a trap storm. */
const FAULT = program('fault.elf', '  li t0, 0x4000\n  jr t0');

/** A minimal gdb: sends framed packets, collects replies (ignoring acks unless asked). */
class Client {
  private readonly decoder = new RspDecoder();
  private readonly replies: string[] = [];
  private waiting: ((s: string) => void) | null = null;
  acks = 0;
  private constructor(private readonly socket: Socket) {
    socket.on('data', (b) => {
      for (const ev of this.decoder.push(b)) {
        if (ev.kind === 'ack') this.acks++;
        if (ev.kind !== 'packet') continue;
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = null;
          w(ev.payload);
        } else this.replies.push(ev.payload);
      }
    });
  }
  static open(port: number): Promise<Client> {
    return new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(new Client(s)));
    });
  }
  reply(): Promise<string> {
    const r = this.replies.shift();
    return r !== undefined ? Promise.resolve(r) : new Promise((resolve) => (this.waiting = resolve));
  }
  send(payload: string): void {
    this.socket.write(encodePacket(payload));
  }
  async ask(payload: string): Promise<string> {
    this.send(payload);
    return this.reply();
  }
  raw(bytes: string): void {
    this.socket.write(Buffer.from(bytes, 'latin1'));
  }
  close(): void {
    this.socket.end();
  }
}

const le64 = (v: bigint): string => Buffer.from(new BigUint64Array([v]).buffer).toString('hex');

describe('rsp framing', () => {
  it('splits packets arriving in pieces, reports acks, 0x03 and bad checksums, and undoes escapes', () => {
    const d = new RspDecoder();
    expect(d.push(Buffer.from('+$qSupp'))).toEqual([{ kind: 'ack' }]);
    expect(d.push(Buffer.from('orted#37\x03$g#00'))).toEqual([{ kind: 'packet', payload: 'qSupported' }, { kind: 'interrupt' }, { kind: 'bad-checksum', payload: 'g' }]);
    const framed = encodePacket('a#b$c}d*e');
    expect(framed.toString('latin1')).toBe('$a}\x03b}\x04c}]d}\x0ae#' + framed.toString('latin1').slice(-2));
    expect(d.push(framed)).toEqual([{ kind: 'packet', payload: 'a#b$c}d*e' }]);
    expect(unescapeBinary('}]}\x03')).toBe('}#');
  });
});

describe('run --gdb, spoken to directly', () => {
  it('0x03 stops a running guest with SIGINT; registers are readable; vKill ends the run (137)', async () => {
    const stub = await startStub([LOOP]);
    const c = await Client.open(stub.port);
    expect(await c.ask('qSupported:multiprocess+;swbreak+')).toMatch(/qXfer:features:read\+.*multiprocess\+/);
    expect(await c.ask('?')).toBe('T05thread:p01.01;');
    expect(await c.ask('qfThreadInfo')).toBe('mp01.01');
    c.send('vCont;c');
    // nothing comes back while the guest spins: the reply is the stop we ask for
    c.raw('\x03');
    expect(await c.reply()).toBe('T02thread:p01.01;');
    const a0 = BigInt('0x' + Buffer.from((await c.ask('pa')).match(/../g)!.reverse().join(''), 'hex').toString('hex'));
    expect(a0).toBeGreaterThan(1000n); // it really ran
    expect(await c.ask('vKill;1')).toBe('OK');
    const run = await stub.done;
    expect(run.status).toBe(137);
  });

  it('no-ack mode, P writes a register, M writes memory, s steps one instruction, W reports the exit code', async () => {
    const stub = await startStub([EXIT]);
    const c = await Client.open(stub.port);
    await c.ask('qSupported');
    expect(await c.ask('QStartNoAckMode')).toBe('OK');
    const acks = c.acks;
    const pc0 = await c.ask('p20');
    expect(pc0).toBe(le64(0x80000000n));
    expect(await c.ask('s')).toBe('T05thread:01;'); // li t0, 0x1234 (lui + addiw, or one c.li...)
    expect(await c.ask('p20')).not.toBe(pc0);
    expect(await c.ask(`Pa=${le64(42n)}`)).toBe('OK'); // a0 = 42: the exit code
    expect(await c.ask('m80000000,4')).toMatch(/^[0-9a-f]{8}$/);
    expect(await c.ask('X80000000,0:')).toBe('OK'); // gdb's probe
    expect(await c.ask('m0,4')).toBe('E14'); // outside RAM
    expect(await c.ask('c')).toBe('W2a');
    expect(c.acks).toBe(acks); // nothing acknowledged after QStartNoAckMode
    const run = await stub.done;
    expect(run.status).toBe(42);
  });

  it('a trap storm stops with SIGSEGV at the faulting hart', async () => {
    const stub = await startStub([FAULT]);
    const c = await Client.open(stub.port);
    await c.ask('qSupported');
    expect(await c.ask('c')).toBe('T0bthread:01;');
    expect(await c.ask('vKill;1')).toBe('OK');
    expect((await stub.done).status).toBe(137);
  });

  it('listens on 127.0.0.1 only: another address of this machine is refused', async () => {
    const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    const stub = await startStub([EXIT]);
    if (external) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect(stub.port, external.address);
        s.on('connect', () => (s.destroy(), resolve(false)));
        s.on('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
    const c = await Client.open(stub.port);
    await c.ask('qSupported');
    expect(await c.ask('vKill;1')).toBe('OK');
    expect((await stub.done).status).toBe(137);
  });

  it('Z0 with a full breakpoint list fails softly; D detaches and the program runs to its end', async () => {
    const stub = await startStub([EXIT]);
    const c = await Client.open(stub.port);
    await c.ask('qSupported');
    for (let i = 0; i < 64; i++) expect(await c.ask(`Z0,${(0x80100000 + 4 * i).toString(16)},4`)).toBe('OK');
    expect(await c.ask('Z0,80200000,4')).toBe('E28');
    expect(await c.ask('Z2,80001000,8')).toBe(''); // watchpoints: unsupported
    expect(await c.ask('D')).toBe('OK');
    const run = await stub.done;
    expect(run.status).toBe(0); // a0 was 0: exit code 0
  });
});
