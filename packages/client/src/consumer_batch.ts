import {
  CorruptBatchError, EddyError, ErrorCode, RecordCursor, batchBaseOffset, batchFirstTimestamp,
  batchNextOffset,
} from '@eddy/protocol';
import { batchTotalSize, recordsSection } from '@eddy/protocol/internal';

/** A record as the consumer delivers it. key, value and header values are views into the received data. */
export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer;
  /** Epoch milliseconds. */
  timestamp: number;
  headers: readonly (readonly [string, Buffer])[];
}

/**
 * Walks the records of the whole (already checked) record batches in `data[start, end)`, skipping
 * records before offset `from` and stopping after offset `last` (-1: no end). Decodes one record
 * per next() and makes its object only then, so records that are dropped right after use never
 * outlive a young-generation collection.
 */
export class ChunkCursor {
  readonly topic: string;
  readonly partition: number;
  readonly data: Buffer;
  readonly end: number;
  readonly from: number;
  readonly last: number;
  /** Start of the record batch the last record came from. */
  batchStart: number;
  private pos: number;
  private inBatch = false;
  private readonly rc = new RecordCursor();

  constructor(topic: string, partition: number, data: Buffer, start: number, end: number, from: number, last: number) {
    this.topic = topic;
    this.partition = partition;
    this.data = data;
    this.pos = start;
    this.batchStart = start;
    this.end = end;
    this.from = from;
    this.last = last;
  }

  /** The next record, or null when there are no more. Throws CorruptMessage on a malformed record. */
  next(): ConsumerRecord | null {
    try {
      for (;;) {
        if (this.inBatch) {
          const rc = this.rc;
          while (rc.next()) {
            const offset = rc.offset;
            if (offset < this.from) continue;
            if (this.last >= 0 && offset > this.last) {
              this.exhaust();
              return null;
            }
            return { topic: this.topic, partition: this.partition, offset, key: rc.key(), value: rc.value(), timestamp: rc.timestamp, headers: rc.headers() };
          }
          this.inBatch = false;
        }
        const data = this.data;
        const p = this.pos;
        if (p >= this.end) return null;
        this.pos = p + batchTotalSize(data, p);
        if (batchNextOffset(data, p) <= this.from) continue; // delivered already
        const base = batchBaseOffset(data, p);
        if (this.last >= 0 && base > this.last) {
          this.exhaust();
          return null;
        }
        this.batchStart = p;
        this.rc.reset(recordsSection(data, p), base, batchFirstTimestamp(data, p));
        this.inBatch = true;
      }
    } catch (err) {
      this.exhaust();
      if (err instanceof CorruptBatchError) {
        throw new EddyError(ErrorCode.CorruptMessage, `corrupt batch from '${this.topic}' partition ${this.partition}: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }

  /** No more records from here on. */
  exhaust(): void {
    this.inBatch = false;
    this.pos = this.end;
  }
}

/**
 * Records of one partition that arrived together (one response of the streaming fetch: one or
 * more record batches), from `stream.batches()`. Never empty. Iterating decodes the records as it
 * goes and makes each record object on demand (`for (const r of batch)`); `records` makes them
 * all at once. Either can be repeated. A malformed record (the batch's CRC matched, so only a
 * broken writer makes one) throws EddyError CorruptMessage from the iteration.
 */
export class ConsumerBatch implements Iterable<ConsumerRecord> {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the first record. */
  readonly firstOffset: number;
  /**
   * The last offset the batch covers: its last record's, or past it when the broker's
   * SmartModules filtered records out at the end.
   */
  readonly lastOffset: number;
  private readonly data: Buffer;
  private readonly start: number;
  private readonly end: number;
  private readonly last: number;
  private materialized: ConsumerRecord[] | null = null;

  /** @internal Made by the record stream over checked record batches in `data[start, end)`. */
  constructor(topic: string, partition: number, data: Buffer, start: number, end: number, firstOffset: number, last: number) {
    this.topic = topic;
    this.partition = partition;
    this.data = data;
    this.start = start;
    this.end = end;
    this.firstOffset = firstOffset;
    this.last = last;
    let lastOffset = firstOffset;
    for (let p = start; p < end; p += batchTotalSize(data, p)) lastOffset = Math.max(lastOffset, batchNextOffset(data, p) - 1);
    this.lastOffset = last >= 0 ? Math.min(last, lastOffset) : lastOffset;
  }

  [Symbol.iterator](): Iterator<ConsumerRecord> {
    return new RecordIterator(new ChunkCursor(this.topic, this.partition, this.data, this.start, this.end, this.firstOffset, this.last));
  }

  /** All the records, in offset order (made once, on first use). */
  get records(): ConsumerRecord[] {
    if (this.materialized !== null) return this.materialized;
    const c = new ChunkCursor(this.topic, this.partition, this.data, this.start, this.end, this.firstOffset, this.last);
    const out: ConsumerRecord[] = [];
    for (let r = c.next(); r !== null; r = c.next()) out.push(r);
    this.materialized = out;
    return out;
  }
}

/** Iterates a cursor (a fresh result per next(), like the built-in iterators). */
class RecordIterator implements Iterator<ConsumerRecord> {
  private readonly cursor: ChunkCursor;

  constructor(cursor: ChunkCursor) {
    this.cursor = cursor;
  }

  next(): IteratorResult<ConsumerRecord> {
    const r = this.cursor.next();
    return r === null ? { value: undefined, done: true } : { value: r, done: false };
  }

  [Symbol.iterator](): this {
    return this;
  }
}
