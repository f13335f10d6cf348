// Decoders for what a SmartModule hands back through copy_records (Fluvio's encoding):
//
// SmartModuleOutput (fluvio-smartmodule/src/output.rs):
//   successes  u32 count + records (the records section layout, so it is passed on as is)
//   error      Option<SmartModuleTransformRuntimeError>
// SmartModuleTransformRuntimeError (fluvio-protocol/src/link/smartmodule.rs):
//   hint String (u16 + UTF-8), offset i64, kind u8 tag,
//   record_key Option<RecordData>, record_value RecordData  (RecordData = varint length + bytes)
// SmartModuleAggregateOutput = SmartModuleOutput + accumulator (u32 length + bytes, v >= 16).
// SmartModuleInitOutput      = error: SmartModuleInitRuntimeError { hint String }.
// SmartModuleLookbackOutput  = error: SmartModuleLookbackRuntimeError
//                              { hint String, offset i64, record_key Option<RecordData>, record_value RecordData }.
import { readVarint, walkRecords } from './varint.ts';

export class OutputDecodeError extends RangeError {}

export interface RecordErrorFields {
  hint: string;
  offset: number;
  recordKey: Uint8Array | null;
  recordValue: Uint8Array;
}

export interface TransformErrorFields extends RecordErrorFields {
  kindCode: number;
}

export interface TransformOutput {
  /** Successes as a records section: mem[recordsStart, recordsEnd) = u32 count + records. */
  recordsStart: number;
  recordsEnd: number;
  count: number;
  /** Largest timestamp and offset deltas among the successes (0 and -1 when there are none). */
  maxTimestampDelta: number;
  maxOffsetDelta: number;
  error: TransformErrorFields | null;
  /** New accumulator (a view into guest memory) for aggregates. */
  accumulator: Uint8Array | null;
}

const utf8 = new TextDecoder();
const maxima = { maxTimestampDelta: 0, maxOffsetDelta: -1 };

class Reader {
  pos: number;
  readonly end: number;
  readonly buf: Uint8Array;
  readonly dv: DataView;
  readonly #varint = { pos: 0 };
  constructor(buf: Uint8Array, dv: DataView, start: number, end: number) {
    this.buf = buf;
    this.dv = dv;
    this.pos = start;
    this.end = end;
  }
  need(n: number, what: string): void {
    if (this.pos + n > this.end) throw new OutputDecodeError(`output ends inside ${what}`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }
  bool(what: string): boolean {
    const b = this.u8(what);
    if (b > 1) throw new OutputDecodeError(`${what} has bool byte ${b}`);
    return b === 1;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.dv.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  i64(what: string): number {
    this.need(8, what);
    const v = this.dv.getBigInt64(this.pos);
    this.pos += 8;
    return Number(v);
  }
  string(what: string): string {
    this.need(2, what);
    const len = this.dv.getUint16(this.pos);
    this.pos += 2;
    this.need(len, what);
    const s = utf8.decode(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  /** RecordData: varint length + bytes; copied out of guest memory. */
  recordData(what: string): Uint8Array {
    if (this.pos >= this.end) throw new OutputDecodeError(`output ends inside ${what}`);
    const len = readVarint(this.buf, this.pos, this.#varint);
    if (len < 0) throw new OutputDecodeError(`${what} has negative length`);
    this.pos = this.#varint.pos;
    this.need(len, what);
    const data = this.buf.slice(this.pos, this.pos + len);
    this.pos += len;
    return data;
  }
  bytesView(len: number, what: string): Uint8Array {
    this.need(len, what);
    const v = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return v;
  }
}

function recordErrorFields(r: Reader, withKind: boolean): TransformErrorFields {
  const hint = r.string('error hint');
  const offset = r.i64('error offset');
  const kindCode = withKind ? r.u8('error kind') : -1;
  const recordKey = r.bool('error record key flag') ? r.recordData('error record key') : null;
  const recordValue = r.recordData('error record value');
  return { hint, offset, kindCode, recordKey, recordValue };
}

export function decodeTransformOutput(
  mem: Uint8Array,
  dv: DataView,
  start: number,
  len: number,
  aggregate: boolean,
): TransformOutput {
  const end = start + len;
  if (end > mem.length || start < 0) throw new OutputDecodeError('copy_records points outside the module memory');
  const r = new Reader(mem, dv, start, end);
  const count = r.u32('successes count');
  const recordsEnd = walkRecords(mem, start + 4, count, end, maxima);
  r.pos = recordsEnd;
  const error = r.bool('error flag') ? recordErrorFields(r, true) : null;
  let accumulator: Uint8Array | null = null;
  if (aggregate) accumulator = r.bytesView(r.u32('accumulator length'), 'accumulator');
  return { recordsStart: start, recordsEnd, count, maxTimestampDelta: maxima.maxTimestampDelta, maxOffsetDelta: maxima.maxOffsetDelta, error, accumulator };
}

export function decodeInitOutput(mem: Uint8Array, dv: DataView, start: number, len: number): string {
  if (start < 0 || start + len > mem.length) throw new OutputDecodeError('copy_records points outside the module memory');
  return new Reader(mem, dv, start, start + len).string('init error hint');
}

export function decodeLookBackOutput(mem: Uint8Array, dv: DataView, start: number, len: number): RecordErrorFields {
  if (start < 0 || start + len > mem.length) throw new OutputDecodeError('copy_records points outside the module memory');
  const { hint, offset, recordKey, recordValue } = recordErrorFields(new Reader(mem, dv, start, start + len), false);
  return { hint, offset, recordKey, recordValue };
}
