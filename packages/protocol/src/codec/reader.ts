import { DecodeError } from './decode_error.ts';

// Bounds-checked big-endian reader. Byte fields come back as views into the frame, not copies.
export class Reader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number { return this.end - this.pos; }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new DecodeError(`truncated ${what}: need ${n} bytes at position ${this.pos}, have ${this.end - this.pos}`);
    }
  }

  i8(): number { this.need(1, 'i8'); return this.buf.readInt8(this.pos++); }
  u8(): number { this.need(1, 'u8'); return this.buf[this.pos++]; }
  i16(): number { this.need(2, 'i16'); const v = this.buf.readInt16BE(this.pos); this.pos += 2; return v; }
  u16(): number { this.need(2, 'u16'); const v = this.buf.readUInt16BE(this.pos); this.pos += 2; return v; }
  i32(): number { this.need(4, 'i32'); const v = this.buf.readInt32BE(this.pos); this.pos += 4; return v; }
  u32(): number { this.need(4, 'u32'); const v = this.buf.readUInt32BE(this.pos); this.pos += 4; return v; }
  i64(): number {
    this.need(8, 'i64');
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    const v = hi * 0x1_0000_0000 + lo;
    if (!Number.isSafeInteger(v)) throw new DecodeError(`i64 at position ${this.pos - 8} is outside the safe integer range`);
    return v;
  }
  bool(): boolean {
    const b = this.u8();
    if (b > 1) throw new DecodeError(`invalid bool byte ${b} at position ${this.pos - 1}`);
    return b === 1;
  }
  raw(n: number): Buffer {
    this.need(n, 'bytes');
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  string(): string {
    const n = this.u16();
    this.need(n, 'string');
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  bytes(): Buffer { return this.raw(this.u32()); }
}
