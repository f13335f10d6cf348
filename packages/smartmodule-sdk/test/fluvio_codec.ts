// Fluvio's SmartModule wire layouts, written out in the test from fluvio-protocol and
// fluvio-smartmodule (input.rs, output.rs, link/smartmodule.rs, record/data.rs), so the
// SDK is checked against the format rather than against its own code or the engine's.
//   i64/u32/u16: big-endian; String: u16 length + UTF-8; Vec<u8>: u32 length + bytes;
//   Option<T>: bool byte + T; BTreeMap: u16 count + pairs; RecordData: varint length + bytes;
//   varint: zigzag LEB128.

export interface TestRecord {
  key?: Uint8Array | null;
  value: Uint8Array;
  attributes?: number;
  offsetDelta?: number;
  timestampDelta?: number;
  /** Kafka-style header entries; Fluvio itself only writes the count 0. */
  headers?: Array<[Uint8Array, Uint8Array]>;
}

export interface TestError {
  hint: string;
  offset: bigint;
  kind: number | null;
  key: Uint8Array | null;
  value: Uint8Array;
}

export interface DecodedOutput {
  records: Required<Omit<TestRecord, 'headers'>>[];
  error: TestError | null;
  accumulator: Uint8Array | null;
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

class Writer {
  bytes: number[] = [];
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >> 8).u8(v);
  }
  u32(v: number): this {
    return this.u8(v >>> 24).u8(v >>> 16).u8(v >>> 8).u8(v);
  }
  i64(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    for (let s = 56n; s >= 0n; s -= 8n) this.u8(Number((u >> s) & 0xffn));
    return this;
  }
  varint(v: number | bigint): this {
    let z = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n));
    while (z >= 0x80n) {
      this.u8(Number(z & 0x7fn) | 0x80);
      z >>= 7n;
    }
    return this.u8(Number(z));
  }
  raw(b: Uint8Array): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  string(s: string): this {
    const b = utf8.encode(s);
    return this.u16(b.length).raw(b);
  }
  vec(b: Uint8Array): this {
    return this.u32(b.length).raw(b);
  }
  recordData(b: Uint8Array): this {
    return this.varint(b.length).raw(b);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export function encodeRecord(r: TestRecord): Uint8Array {
  const body = new Writer()
    .u8(r.attributes ?? 0)
    .varint(r.timestampDelta ?? 0)
    .varint(r.offsetDelta ?? 0);
  if (r.key == null) body.u8(0);
  else body.u8(1).recordData(r.key);
  body.recordData(r.value);
  const headers = r.headers ?? [];
  body.varint(headers.length);
  for (const [k, v] of headers) body.recordData(k).recordData(v);
  const b = body.done();
  return new Writer().varint(b.length).raw(b).done();
}

/** Vec<Record>: u32 count + records. Offset deltas default to the index. */
export function encodeRecords(records: readonly TestRecord[]): Uint8Array {
  const w = new Writer().u32(records.length);
  records.forEach((r, i) => w.raw(encodeRecord({ offsetDelta: i, ...r })));
  return w.done();
}

export interface Lookback {
  last: bigint;
  age?: { secs: bigint; nanos: number };
}

/** SmartModuleExtraParams at `version`. */
export function encodeParams(version: number, params: ReadonlyArray<[string, string]>, lookback?: Lookback): Uint8Array {
  const w = new Writer().u16(params.length);
  for (const [k, v] of params) w.string(k).string(v);
  if (version >= 20) {
    if (!lookback) w.u8(0);
    else {
      w.u8(1).i64(lookback.last);
      if (version >= 21) {
        if (!lookback.age) w.u8(0);
        else w.u8(1).i64(lookback.age.secs).u32(lookback.age.nanos);
      }
    }
  }
  return w.done();
}

export interface InputSpec {
  version: number;
  baseOffset?: bigint;
  baseTimestamp?: bigint;
  records: Uint8Array;
  params?: ReadonlyArray<[string, string]>;
  lookback?: Lookback;
  joinRecord?: Uint8Array;
  accumulator?: Uint8Array;
}

/** SmartModuleInput (or SmartModuleAggregateInput with `accumulator`) at `version`. */
export function encodeInput(spec: InputSpec): Uint8Array {
  const v = spec.version;
  const w = new Writer().i64(spec.baseOffset ?? 0n).vec(spec.records);
  if (v <= 22) {
    w.raw(encodeParams(v, spec.params ?? [], spec.lookback));
    if (v >= 16) w.vec(spec.joinRecord ?? new Uint8Array(0));
  }
  if (v >= 22) w.i64(spec.baseTimestamp ?? 0n);
  if (spec.accumulator) w.vec(spec.accumulator);
  return w.done();
}

class Reader {
  pos = 0;
  readonly b: Uint8Array;
  constructor(b: Uint8Array) {
    this.b = b;
  }
  need(n: number): void {
    if (this.pos + n > this.b.length) throw new RangeError(`output ends at ${this.b.length}, needed ${n} more at ${this.pos}`);
  }
  u8(): number {
    this.need(1);
    return this.b[this.pos++];
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  u32(): number {
    return ((this.u16() << 16) >>> 0) + this.u16();
  }
  i64(): bigint {
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.u8());
    return BigInt.asIntN(64, v);
  }
  varint(): number {
    let raw = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      raw |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    return Number((raw >> 1n) ^ -(raw & 1n));
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  bool(): boolean {
    const b = this.u8();
    if (b > 1) throw new RangeError(`bool byte ${b} at ${this.pos - 1}`);
    return b === 1;
  }
  string(): string {
    return text.decode(this.bytes(this.u16()));
  }
  recordData(): Uint8Array {
    return this.bytes(this.varint());
  }
}

function readRecord(r: Reader): Required<Omit<TestRecord, 'headers'>> {
  const len = r.varint();
  const end = r.pos + len;
  const attributes = r.u8();
  const timestampDelta = r.varint();
  const offsetDelta = r.varint();
  const key = r.bool() ? r.recordData() : null;
  const value = r.recordData();
  const headers = r.varint();
  if (headers !== 0) throw new RangeError(`record has ${headers} headers`);
  if (r.pos !== end) throw new RangeError(`record length ${len} but fields end ${r.pos - end} bytes later`);
  return { attributes, timestampDelta, offsetDelta, key, value };
}

function readError(r: Reader, withKind: boolean): TestError {
  const hint = r.string();
  const offset = r.i64();
  const kind = withKind ? r.u8() : null;
  const key = r.bool() ? r.recordData() : null;
  const value = r.recordData();
  return { hint, offset, kind, key, value };
}

/** SmartModuleOutput (aggregate: SmartModuleAggregateOutput at version >= 16); must use every byte. */
export function decodeOutput(bytes: Uint8Array, aggregate = false): DecodedOutput {
  const r = new Reader(bytes);
  const count = r.u32();
  const records = [];
  for (let i = 0; i < count; i++) records.push(readRecord(r));
  const error = r.bool() ? readError(r, true) : null;
  const accumulator = aggregate ? r.bytes(r.u32()) : null;
  if (r.pos !== bytes.length) throw new RangeError(`${bytes.length - r.pos} trailing bytes in output`);
  return { records, error, accumulator };
}

/** SmartModuleInitOutput: the error hint. */
export function decodeInitOutput(bytes: Uint8Array): string {
  const r = new Reader(bytes);
  const hint = r.string();
  if (r.pos !== bytes.length) throw new RangeError('trailing bytes in init output');
  return hint;
}

/** SmartModuleLookbackOutput: the error. */
export function decodeLookbackOutput(bytes: Uint8Array): TestError {
  const r = new Reader(bytes);
  const e = readError(r, false);
  if (r.pos !== bytes.length) throw new RangeError('trailing bytes in look-back output');
  return e;
}

export const str = (s: string): Uint8Array => utf8.encode(s);
export const txt = (b: Uint8Array | null): string | null => (b === null ? null : text.decode(b));
