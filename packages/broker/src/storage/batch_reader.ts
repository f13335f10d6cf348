// Reads whole batches out of one segment: find the batch holding an offset (sparse index, then a
// header walk) and return it plus the batches after it, up to maxBytes, as one view. Served from
// the tail cache when the bytes are there, else with one or two large positional reads.
import { batchLastOffset, batchNextOffset } from '@eddy/protocol';
import { BatchLayout, BATCH_PREAMBLE_SIZE, MIN_BATCH_LENGTH } from '@eddy/protocol/internal';
import { StorageCorruptionError } from './errors.ts';
import type { BufferPool } from './buffer_pool.ts';
import { preadExact } from './fs_io.ts';
import type { Segment } from './segment.ts';
import { NO_HOLD, TailCache } from './tail_cache.ts';

export interface ReadResult {
  /** Whole batches, back to back, exactly as stored. Empty at the high watermark. */
  data: Buffer;
  /** Offset after the last batch in `data`: where the next read should start. */
  nextOffset: number;
  /**
   * Call once `data` is no longer looked at (e.g. its socket write completed): lets the tail
   * cache reuse the memory behind it. Optional: not calling it only costs that reuse.
   */
  release: () => void;
}

/** Where reads were served from (for metrics and tests). */
export interface ReadStats {
  cacheHits: number;
  diskReads: number;
}

const EMPTY = Buffer.alloc(0);

/** Header bytes needed to know a batch's base offset, length and last offset. */
const HEADER_PEEK = BatchLayout.lastOffsetDelta + 4;
/** Minimum disk read while walking headers. */
const MIN_READ = 64 * 1024;

function sizeAt(buf: Buffer, at: number, filePos: number): number {
  const batchLen = buf.readInt32BE(at + BatchLayout.batchLength);
  if (batchLen < MIN_BATCH_LENGTH) {
    throw new StorageCorruptionError(`batch at file position ${filePos} has batch_len ${batchLen}`);
  }
  return BATCH_PREAMBLE_SIZE + batchLen;
}

/**
 * Walks batch headers in buf[from, limit) to the batch that contains `offset`. Returns its start,
 * or -(p + 1) when the header of the batch starting at p is not (fully) inside the buffer.
 */
function findBatch(buf: Buffer, from: number, limit: number, offset: number, bufFilePos: number): number {
  let p = from;
  for (;;) {
    if (p + HEADER_PEEK > limit) return -(p + 1);
    if (batchLastOffset(buf, p) >= offset) return p;
    p += sizeAt(buf, p, bufFilePos + p);
  }
}

/** Start of the last batch taken by the latest collect() call (module scratch: no allocation). */
let lastTaken = 0;

/**
 * Whole batches from `start` that fit in buf[.., limit) and in maxBytes (the first one always,
 * if it is whole in the buffer). Returns the end position (== start if the first batch is cut).
 */
function collect(buf: Buffer, start: number, limit: number, maxBytes: number, bufFilePos: number): number {
  let p = start;
  while (p + HEADER_PEEK <= limit) {
    const size = sizeAt(buf, p, bufFilePos + p);
    if (p + size > limit) break;
    if (p > start && p + size - start > maxBytes) break;
    lastTaken = p;
    p += size;
  }
  return p;
}

function nextOffsetOfLastTaken(buf: Buffer): number {
  return batchNextOffset(buf, lastTaken);
}

/**
 * Reads from `segment`, whose committed range must contain `offset` (or start after it: the first
 * batch after a gap is returned). The caller pins the segment (acquire/release) around this call.
 */
export async function readSegmentBatches(
  segment: Segment,
  offset: number,
  maxBytes: number,
  indexIntervalBytes: number,
  stats: ReadStats,
  pool?: BufferPool,
): Promise<ReadResult> {
  const end = segment.committedSize;
  const floorPos = segment.offsetIndex.floorPosition(offset - segment.baseOffset);

  const cached = segment.cache?.find(offset) ?? null;
  if (cached !== null) {
    const limit = Math.min(cached.used, end - cached.filePosition);
    const from = floorPos > cached.filePosition ? floorPos - cached.filePosition : 0;
    const start = from < limit ? findBatch(cached.buf, from, limit, offset, cached.filePosition) : -1;
    if (start >= 0) {
      const stop = collect(cached.buf, start, limit, maxBytes, cached.filePosition);
      if (stop > start) {
        stats.cacheHits++;
        return { data: cached.buf.subarray(start, stop), nextOffset: nextOffsetOfLastTaken(cached.buf), release: TailCache.hold(cached) };
      }
    }
  }

  stats.diskReads++;
  // Disk: one read from the index floor sized to cover the walk (< one index interval plus a
  // batch, usually) and maxBytes; more reads only when batches are larger than that. Buffers come
  // from `pool` and go back to it when the caller releases the result (or at once if unused).
  // `buf` is ours (to give back) from its read until handed to the caller or dropped.
  let buf: Buffer = EMPTY;
  const read = async (pos: number, len: number): Promise<Buffer> => {
    if (buf !== EMPTY) pool?.give(buf);
    buf = EMPTY;
    return preadExact(segment.fd, pos, len, pool?.take(len));
  };
  let bufPos = floorPos;
  try {
    buf = await read(bufPos, Math.min(end - bufPos, Math.max(maxBytes, MIN_READ) + indexIntervalBytes));
    let start = findBatch(buf, 0, buf.length, offset, bufPos);
    while (start < 0) {
      bufPos += -(start + 1);
      if (bufPos >= end) throw new StorageCorruptionError(`offset ${offset} not found in ${segment.logPath} below byte ${end}`);
      buf = await read(bufPos, Math.min(end - bufPos, Math.max(maxBytes, MIN_READ)));
      start = findBatch(buf, 0, buf.length, offset, bufPos);
    }
    let stop = collect(buf, start, buf.length, maxBytes, bufPos);
    const filled = stop - start;
    const startFilePos = bufPos + start;
    // Re-read from the batch start if the first batch was cut, or the buffer ran out before
    // maxBytes while the file has more (a long walk ate the read).
    if (filled === 0 || (filled < maxBytes && bufPos + buf.length < end && buf.length - start < maxBytes)) {
      const firstSize = sizeAt(buf, start, startFilePos);
      buf = await read(startFilePos, Math.min(end - startFilePos, Math.max(firstSize, maxBytes)));
      bufPos = startFilePos;
      start = 0;
      stop = collect(buf, 0, buf.length, maxBytes, bufPos);
      if (stop === 0) throw new StorageCorruptionError(`batch at byte ${startFilePos} of ${segment.logPath} runs past the committed end ${end}`);
    }
    const owned = buf;
    let held = pool !== undefined;
    const release = held ? (): void => { if (held) { held = false; pool!.give(owned); } } : NO_HOLD;
    return { data: buf.subarray(start, stop), nextOffset: nextOffsetOfLastTaken(buf), release };
  } catch (err) {
    if (buf !== EMPTY) pool?.give(buf);
    throw err;
  }
}
