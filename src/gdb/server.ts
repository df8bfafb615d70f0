// The gdb stub's transport: a TCP server on 127.0.0.1 that accepts one gdb connection, frames packets (rsp.ts),
// acknowledges them until no-ack mode, forwards 0x03 at once, and hands payloads to GdbStub one at a time.
import { createServer, type Socket } from 'node:net';
import type { Machine } from '../machine/machine.js';
import { FtraceLabError } from '../errors.js';
import { encodePacket, RspDecoder } from './rsp.js';
import { GdbStub, type SessionEnd } from './stub.js';

export interface GdbServeOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one (reported through onListening). */
  readonly port: number;
  /** Instruction budget of the session (all harts). */
  readonly maxInsns: number;
  /** Called once the server listens, with the actual port. */
  readonly onListening?: (port: number) => void;
  /** Called with every packet in and out (`-> payload`, `<- payload`), for --debug. */
  readonly log?: (line: string) => void;
}

/** How a served session ended: the stub's end, or gdb closed the connection first. */
export type GdbServeEnd = SessionEnd | { kind: 'disconnected' };

/** The gdb server could not listen (port in use, no permission). */
export class GdbListenError extends FtraceLabError {
  constructor(message: string) {
    super('GDB_BAD_PORT', message);
  }
}

/** Serves one gdb session on 127.0.0.1:port for `machine` (deterministic mode); resolves when it ends. */
export function serveGdb(machine: Machine, opts: GdbServeOptions): Promise<GdbServeEnd> {
  const stub = new GdbStub(machine, { maxInsns: opts.maxInsns });
  return new Promise<GdbServeEnd>((resolve, reject) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(new GdbListenError(`cannot listen on 127.0.0.1:${opts.port}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.code === 'EACCES' ? 'permission denied' : e.message}`));
    });
    server.once('connection', (socket) => {
      server.close(); // one debugger per run; later connections are refused
      session(socket, stub, opts.log).then(resolve, reject);
    });
    server.listen(opts.port, '127.0.0.1', () => {
      const addr = server.address();
      opts.onListening?.(typeof addr === 'object' && addr ? addr.port : opts.port);
    });
  });
}

function session(socket: Socket, stub: GdbStub, log: ((line: string) => void) | undefined): Promise<GdbServeEnd> {
  return new Promise<GdbServeEnd>((resolve, reject) => {
    socket.setNoDelay(true);
    const decoder = new RspDecoder();
    let last: Buffer | null = null;
    let queue = Promise.resolve();
    let done = false;
    const finish = (end: GdbServeEnd): void => {
      if (done) return;
      done = true;
      resolve(end);
    };
    const send = (b: Buffer): void => {
      if (!socket.destroyed) socket.write(b);
    };
    const serve = async (payload: string): Promise<void> => {
      if (done) return;
      if (!stub.noAck) send(Buffer.from('+'));
      log?.(`-> ${payload.slice(0, 200)}`);
      const reply = await stub.handle(payload);
      if (reply !== null) {
        log?.(`<- ${reply.slice(0, 200)}`);
        last = encodePacket(reply);
        send(last);
      }
      if (stub.ended) {
        socket.end();
        finish(stub.ended);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.kind === 'interrupt') stub.interrupt();
        else if (ev.kind === 'nack' && last) send(last);
        else if (ev.kind === 'bad-checksum') send(Buffer.from('-'));
        else if (ev.kind === 'packet') queue = queue.then(() => serve(ev.payload)).catch(reject);
      }
    });
    socket.on('close', () => {
      stub.interrupt(); // a resume in progress stops at its next chunk
      void queue.then(() => finish({ kind: 'disconnected' }));
    });
    socket.on('error', () => {
      /* a reset connection ends the session through 'close' */
    });
  });
}
