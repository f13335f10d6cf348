// Growable big-endian writer. Large byte fields are referenced, not copied, so a fetch response
// can carry stored batches straight from the log to the socket (writev of the parts).
const REF_THRESHOLD = 4096;

export class Writer {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;
  private flushedBytes = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.flushedBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n, 256));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  i8(v: number): this { this.ensure(1); this.buf.writeInt8(v, this.pos); this.pos += 1; return this; }
  u8(v: number): this { this.ensure(1); this.buf[this.pos++] = v & 0xff; return this; }
  i16(v: number): this { this.ensure(2); this.buf.writeInt16BE(v, this.pos); this.pos += 2; return this; }
  u16(v: number): this { this.ensure(2); this.buf.writeUInt16BE(v, this.pos); this.pos += 2; return this; }
  i32(v: number): this { this.ensure(4); this.buf.writeInt32BE(v, this.pos); this.pos += 4; return this; }
  u32(v: number): this { this.ensure(4); this.buf.writeUInt32BE(v, this.pos); this.pos += 4; return this; }
  /** i64 from a JS number (exact up to 2^53, which covers offsets and ms timestamps). */
  i64(v: number): this {
    this.ensure(8);
    const hi = Math.floor(v / 0x1_0000_0000);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * 0x1_0000_0000, this.pos + 4);
    this.pos += 8;
    return this;
  }
  bool(v: boolean): this { return this.u8(v ? 1 : 0); }

  raw(bytes: Uint8Array): this {
    if (bytes.length >= REF_THRESHOLD) {
      this.chunks.push(this.buf.subarray(0, this.pos));
      this.flushedBytes += this.pos;
      this.buf = this.buf.subarray(this.pos);
      this.pos = 0;
      this.chunks.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
      this.flushedBytes += bytes.length;
      return this;
    }
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  string(s: string): this {
    const n = Buffer.byteLength(s);
    if (n > 0xffff) throw new RangeError(`string of ${n} bytes exceeds the u16 length limit`);
    this.u16(n);
    this.ensure(n);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
    return this;
  }

  bytes(b: Uint8Array): this { this.u32(b.length); return this.raw(b); }

  /** The written bytes as parts for writev (no copy of referenced byte fields). */
  parts(): Buffer[] {
    const tail = this.buf.subarray(0, this.pos);
    return this.chunks.length === 0 ? [tail] : [...this.chunks, tail];
  }

  /** The written bytes as one buffer (copies only when large fields were referenced). */
  toBuffer(): Buffer {
    const parts = this.parts();
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, this.length);
  }
}
