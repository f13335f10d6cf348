import { encodeRecordsSection } from '@eddy/protocol';
import type { RecordInput } from '@eddy/protocol';
import type { BrokerClient } from './broker_client.ts';
import { LOOK_BACK_RECONNECT_TIMEOUT_MS, STREAM_MAX_BYTES, STREAM_WINDOW_BYTES } from './defaults.ts';
import type { LookBackReader } from './local_smartmodules.ts';
import { Offset } from './offset.ts';
import { RecordStream } from './record_stream.ts';

/**
 * Look-back for local chains, as the broker does it for its own: the last `last` records of the
 * partition and/or those younger than `ageMs`, read up to the current end of the log. Offsets in
 * the section are consecutive from the first record's (a look-back module sees values, not gaps).
 */
export function partitionLookBack(broker: BrokerClient, topic: string): LookBackReader {
  return async (partition, want) => {
    const now = Date.now();
    const minTimestamp = want.ageMs === undefined ? -Infinity : now - want.ageMs;
    const last = want.last ?? Infinity;
    if (last === 0) return { records: EMPTY_SECTION };
    const start = Number.isFinite(last) ? Offset.fromEnd(last) : Offset.timestamp(Math.max(0, minTimestamp));
    const stream = new RecordStream({
      broker,
      params: {
        topic, endOffset: -1, stopAtEnd: true, maxBytes: STREAM_MAX_BYTES, windowBytes: STREAM_WINDOW_BYTES,
        smartmodules: [], local: null, reconnectTimeoutMs: LOOK_BACK_RECONNECT_TIMEOUT_MS, checkCrcs: true,
      },
      resolveStarts: async () => [{ partition, start, position: -1 }],
    });
    const records: RecordInput[] = [];
    const offsets: number[] = [];
    for await (const r of stream) {
      if (r.timestamp < minTimestamp) continue;
      records.push({ key: r.key, value: r.value, timestamp: r.timestamp });
      offsets.push(r.offset);
    }
    const from = Math.max(0, records.length - last);
    if (from >= records.length) return { records: EMPTY_SECTION };
    const kept = from === 0 ? records : records.slice(from);
    const first = kept[0].timestamp!;
    return { records: encodeRecordsSection(kept, { firstTimestamp: first }), baseOffset: offsets[from], baseTimestamp: first };
  };
}

const EMPTY_SECTION = new Uint8Array(4);
