// Reads the records a module's look-back asks for from the partition log, as Fluvio does: the
// last N offsets before the high watermark, and/or records younger than an age (by record
// timestamp); `last` 0 with an age means "by age only".

import { batchBaseOffset } from '@eddy/protocol';
import { batchTotalSize, readInt64BE, recordsSection, BatchLayout } from '@eddy/protocol/internal';
import type { PartitionLog } from '../storage/index.ts';
import { SectionBuilder } from './section_rewrite.ts';

export interface LookBackWanted {
  last?: number;
  ageMs?: number;
}

const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * One records section holding the wanted records (offsets and timestamps kept, deltas relative to
 * the first), at most `maxBytes` of them: the newest are kept when there are more.
 */
export async function readLookBack(
  log: PartitionLog,
  want: LookBackWanted,
  maxBytes: number,
  now = Date.now(),
): Promise<{ records: Buffer; baseOffset: number; baseTimestamp: number }> {
  const hw = log.highWatermark;
  const start = log.logStartOffset;
  const byAge = want.ageMs !== undefined;
  const minTs = byAge ? now - want.ageMs! : -Infinity;
  const builder = new SectionBuilder();
  let from: number;
  if (want.last !== undefined && (want.last > 0 || !byAge)) from = Math.max(start, hw - want.last);
  else from = Math.min(hw, Math.max(start, await log.offsetForTimestamp(minTs)));

  const keep = (offset: number, ts: number): boolean => offset >= from && offset < hw && ts >= minTs;
  let pos = from;
  while (pos < hw) {
    const { data, nextOffset } = await log.read(pos, READ_CHUNK_BYTES);
    if (data.length === 0 || nextOffset <= pos) break;
    for (let at = 0; at < data.length; at += batchTotalSize(data, at)) {
      if (batchBaseOffset(data, at) >= hw) break;
      const section = recordsSection(data, at, { maxOutputLength: Math.max(maxBytes, 16 * 1024 * 1024) });
      builder.addSection(section, batchBaseOffset(data, at), readInt64BE(data, at + BatchLayout.firstTimestamp), keep);
    }
    // Bound memory for a long age window: drop the oldest as we go.
    if (builder.size > 2 * maxBytes) builder.keepNewest(maxBytes);
    pos = nextOffset;
  }
  builder.keepNewest(maxBytes);
  return builder.build();
}
