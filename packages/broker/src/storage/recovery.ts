// Opening a partition folder: find the segments, repair their indexes, cut torn or corrupt tails.
//
// For every segment the offset index is trusted up to its last entry if the file is well formed
// and that entry points at a batch carrying the right base offset; otherwise both indexes are
// rebuilt from the log. From the last trusted entry (or byte 0) to the end, every batch is checked
// (length, magic, CRC, contiguous base offsets) and the file is truncated after the last whole
// valid batch. Closed segments must also have a time index ending at their last batch (written
// when they were sealed); if not, both indexes are rebuilt so the segment's max timestamp is exact.
import fs from 'node:fs';
import path from 'node:path';
import { batchBaseOffset } from '@eddy/protocol';
import { BATCH_HEADER_SIZE } from '@eddy/protocol/internal';
import type { ResolvedPartitionLogConfig } from './config.ts';
import { StorageCorruptionError } from './errors.ts';
import { fsyncDir, ftruncate, preadExact } from './fs_io.ts';
import type { StorageLogger } from './logger.ts';
import { OFFSET_INDEX_ENTRY_BYTES, OffsetIndex } from './offset_index.ts';
import type { OpenSegments } from './open_segments.ts';
import { LOG_SUFFIX, parseSegmentFileName, Segment } from './segment.ts';
import { scanBatches } from './segment_scanner.ts';
import { TIME_INDEX_ENTRY_BYTES, TimeIndex } from './time_index.ts';

const RECOVERY_CHUNK_BYTES = 1024 * 1024;

async function readIfPresent(file: string): Promise<Buffer | null> {
  try {
    return await fs.promises.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Loads the indexes into `segment`; returns why they cannot be trusted, or null. */
async function loadIndexes(segment: Segment, logSize: number): Promise<{ problem: string | null; fileBytes: [number, number] }> {
  const oiBytes = await readIfPresent(segment.indexPath);
  const tiBytes = await readIfPresent(segment.timeIndexPath);
  const fileBytes: [number, number] = [oiBytes?.length ?? -1, tiBytes?.length ?? -1];
  if (oiBytes === null) return { problem: 'offset index missing', fileBytes };
  if (tiBytes === null) return { problem: 'time index missing', fileBytes };
  const oi = OffsetIndex.decode(oiBytes, logSize);
  if (typeof oi === 'string') return { problem: `offset index: ${oi}`, fileBytes };
  const ti = TimeIndex.decode(tiBytes);
  if (typeof ti === 'string') return { problem: `time index: ${ti}`, fileBytes };
  if (oi.length > 0) {
    const pos = oi.lastPosition;
    if (logSize - pos < BATCH_HEADER_SIZE) return { problem: `offset index entry points at byte ${pos}, too close to the end`, fileBytes };
    const header = await preadExact(segment.fd, pos, BATCH_HEADER_SIZE);
    const expected = segment.baseOffset + oi.lastRelativeOffset;
    const actual = batchBaseOffset(header, 0);
    if (actual !== expected) {
      return { problem: `offset index entry for offset ${expected} points at a batch with base offset ${actual}`, fileBytes };
    }
  }
  segment.offsetIndex = oi;
  segment.timeIndex = ti;
  return { problem: null, fileBytes };
}

/**
 * Recovers one segment in place: opens its log, sets sizes, offsets, max timestamp and indexes.
 * `active`: it is the last segment (its time index need not end at its last batch).
 */
export async function recoverSegment(
  segment: Segment,
  active: boolean,
  config: ResolvedPartitionLogConfig,
  logger: StorageLogger,
): Promise<void> {
  const st = await segment.openLog();
  let size = st.size;
  segment.lastModifiedMs = st.mtimeMs;
  const loaded = await loadIndexes(segment, size);
  let rebuild = loaded.problem !== null;
  let truncated = false;
  for (;;) {
    if (rebuild) {
      segment.offsetIndex = new OffsetIndex();
      segment.timeIndex = new TimeIndex();
    }
    const oi = segment.offsetIndex;
    const fromPos = oi.lastPosition;
    const fromRel = oi.length > 0 ? oi.lastRelativeOffset : 0;
    segment.resetTracking();
    const scan = await scanBatches(segment.fd, {
      from: fromPos,
      to: size,
      expectedBaseOffset: segment.baseOffset + fromRel,
      verifyCrc: true,
      chunkBytes: RECOVERY_CHUNK_BYTES,
      onBatch: (base, pos, batchSize, _delta, maxTs) => {
        segment.trackBatch(base - segment.baseOffset, pos, batchSize, maxTs, config.indexIntervalBytes);
      },
    });
    if (scan.problem !== null && scan.batches === 0 && fromPos > 0) {
      // The indexed batch itself is bad: step back one entry so the last good batch is seen.
      oi.truncateToPosition(fromPos);
      segment.timeIndex.truncateAfter(fromRel - 1);
      continue;
    }
    if (scan.problem !== null) {
      logger.warn(
        { segment: segment.logPath, validBytes: scan.end, truncatedBytes: size - scan.end, reason: scan.problem },
        'truncating torn or corrupt tail of segment',
      );
      await ftruncate(segment.fd, scan.end);
      size = scan.end;
      truncated = true;
      oi.truncateToPosition(size);
      segment.timeIndex.truncateAfter(segment.lastBatchRelativeOffset);
    }
    segment.size = segment.committedSize = size;
    segment.nextOffset = segment.committedNextOffset = scan.nextOffset;
    if (!active && !rebuild && segment.timeIndex.lastRelativeOffset !== segment.lastBatchRelativeOffset) {
      // Sealed segments end their time index at their last batch; this one does not (a crash
      // while rolling), so its max timestamp is not known: rebuild from the start.
      logger.warn({ segment: segment.logPath }, 'time index of closed segment is incomplete; rebuilding indexes');
      rebuild = true;
      continue;
    }
    break;
  }
  if (rebuild && loaded.problem !== null) {
    logger.warn({ segment: segment.logPath, reason: loaded.problem }, 'rebuilt segment indexes');
  }
  if (!active) segment.seal();
  const [oiFileBytes, tiFileBytes] = loaded.fileBytes;
  if (
    rebuild ||
    truncated ||
    oiFileBytes !== segment.offsetIndex.length * OFFSET_INDEX_ENTRY_BYTES ||
    tiFileBytes !== segment.timeIndex.length * TIME_INDEX_ENTRY_BYTES
  ) {
    await segment.rewriteIndexFiles();
  }
}

/**
 * Opens every segment in `dir` (created if missing) and returns them oldest first; the last one
 * is the active segment, with its index files open for writing. An empty folder gets segment 0.
 * Sealed segments hand their logs to `openSegments` as they are recovered, so a folder of many
 * segments never holds more descriptors than that list's cap (plus the one being recovered).
 */
export async function recoverLog(
  dir: string,
  config: ResolvedPartitionLogConfig,
  logger: StorageLogger,
  openSegments: OpenSegments | null = null,
): Promise<Segment[]> {
  const createdDir = await fs.promises.mkdir(dir, { recursive: true });
  const names = await fs.promises.readdir(dir);
  const bases = new Set<number>();
  const others: Array<{ name: string; baseOffset: number }> = [];
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    if (parsed === null) continue;
    if (parsed.suffix === LOG_SUFFIX) bases.add(parsed.baseOffset);
    else others.push({ name, baseOffset: parsed.baseOffset });
  }
  for (const o of others) {
    if (!bases.has(o.baseOffset)) {
      logger.warn({ dir, file: o.name }, 'removing index file without a log (left by an interrupted delete)');
      await fs.promises.rm(path.join(dir, o.name), { force: true });
    }
  }
  const sorted = [...bases].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const segment = new Segment(dir, sorted[i], openSegments);
    const isLast = i === sorted.length - 1;
    await recoverSegment(segment, isLast, config, logger);
    const prev = segments.length > 0 ? segments[segments.length - 1] : null;
    if (segment.size === 0 && (!isLast || (prev !== null && segment.baseOffset < prev.nextOffset))) {
      // Empty and useless (an interrupted roll, or everything in it was cut): drop it.
      logger.warn({ segment: segment.logPath }, 'removing empty segment');
      await segment.deleteFiles();
      continue;
    }
    if (prev !== null && segment.baseOffset < prev.nextOffset) {
      await Promise.all([...segments, segment].map((s) => s.close()));
      throw new StorageCorruptionError(
        `segment ${segment.logPath} starts at offset ${segment.baseOffset}, inside the previous segment (which ends at ${prev.nextOffset - 1})`,
      );
    }
    if (prev !== null && segment.baseOffset > prev.nextOffset) {
      // Only damage makes a gap (see damage.ts): the partition reports these offsets as lost.
      logger.error(
        { segment: segment.logPath, gapFrom: prev.nextOffset, gapTo: segment.baseOffset, lostOffsets: segment.baseOffset - prev.nextOffset },
        'offsets lost: a damaged segment ends before the next one starts',
      );
    }
    segments.push(segment);
    if (!isLast) segment.park();
  }
  const lastRecovered = segments.length > 0 ? segments[segments.length - 1] : null;
  if (lastRecovered !== null && lastRecovered.baseOffset === sorted[sorted.length - 1]) {
    await lastRecovered.openIndexFiles();
  } else {
    // No segment, or the last one was dropped: start a fresh one where the log ends.
    const segment = new Segment(dir, lastRecovered?.nextOffset ?? 0, openSegments);
    await segment.createFiles();
    segments.push(segment);
    if (config.flush === 'fsync') await fsyncDir(dir);
  }
  if (config.flush === 'fsync' && createdDir !== undefined) {
    // Make the new folder itself durable in its parent.
    await fsyncDir(path.dirname(path.resolve(dir)));
  }
  return segments;
}
