// gdb Remote Serial Protocol framing: `$payload#cs` packets, +/- acknowledgements, the 0x03 interrupt byte,
// binary escaping (`}` + byte ^ 0x20) and little-endian hex, as the GDB manual's "Remote Protocol" appendix defines.

/** What the byte stream from gdb carried. Payloads are latin1 strings (one char per byte, binary-safe). */
export type RspEvent =
  | { kind: 'packet'; payload: string }
  | { kind: 'bad-checksum'; payload: string }
  | { kind: 'ack' }
  | { kind: 'nack' }
  | { kind: 'interrupt' };

const checksum = (s: string): number => {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum = (sum + s.charCodeAt(i)) & 0xff;
  return sum;
};

/** Splits the incoming bytes into events; keeps a partial packet until the rest arrives. */
export class RspDecoder {
  private buf = '';

  push(bytes: Uint8Array): RspEvent[] {
    this.buf += Buffer.from(bytes).toString('latin1');
    const out: RspEvent[] = [];
    for (;;) {
      if (this.buf.length === 0) break;
      const c = this.buf[0]!;
      if (c === '+' || c === '-' || c === '\x03') {
        out.push(c === '+' ? { kind: 'ack' } : c === '-' ? { kind: 'nack' } : { kind: 'interrupt' });
        this.buf = this.buf.slice(1);
        continue;
      }
      if (c !== '$') {
        this.buf = this.buf.slice(1); // stray byte between packets: ignored, as QEMU does
        continue;
      }
      const hash = this.buf.indexOf('#', 1);
      if (hash < 0 || this.buf.length < hash + 3) break; // incomplete
      const payload = this.buf.slice(1, hash);
      const sent = parseInt(this.buf.slice(hash + 1, hash + 3), 16);
      this.buf = this.buf.slice(hash + 3);
      out.push(sent === checksum(payload) ? { kind: 'packet', payload: unescapeBinary(payload) } : { kind: 'bad-checksum', payload });
    }
    return out;
  }
}

/** A framed packet for `payload` (latin1), escaping the bytes gdb would misread: # $ } and *. */
export function encodePacket(payload: string): Buffer {
  let esc = '';
  for (let i = 0; i < payload.length; i++) {
    const ch = payload[i]!;
    esc += ch === '#' || ch === '$' || ch === '}' || ch === '*' ? '}' + String.fromCharCode(ch.charCodeAt(0) ^ 0x20) : ch;
  }
  return Buffer.from(`$${esc}#${checksum(esc).toString(16).padStart(2, '0')}`, 'latin1');
}

/** Undoes `}`-escaping (X packets and anything else gdb escapes). */
export function unescapeBinary(s: string): string {
  if (!s.includes('}')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '}' && i + 1 < s.length) out += String.fromCharCode(s.charCodeAt(++i) ^ 0x20);
    else out += s[i];
  }
  return out;
}

/** Bytes as two lowercase hex digits each, in order. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new RangeError(`bad hex '${s}'`);
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

/** A register value as `bytes` little-endian bytes in hex (how gdb reads registers). */
export function leHex(v: bigint, bytes: number): string {
  let out = '';
  let x = BigInt.asUintN(bytes * 8, v);
  for (let i = 0; i < bytes; i++) {
    out += Number(x & 0xffn).toString(16).padStart(2, '0');
    x >>= 8n;
  }
  return out;
}

export function fromLeHex(s: string): bigint {
  let v = 0n;
  for (let i = s.length - 2; i >= 0; i -= 2) v = (v << 8n) | BigInt(parseInt(s.slice(i, i + 2), 16));
  return v;
}

/** Text as hex (qRcmd output, qThreadExtraInfo). */
export const textHex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
