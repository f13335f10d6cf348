import type { OperationGroup } from './sql_operation.ts';

/** Where the sink's written position lives, beside the data (same transaction). */
export interface OffsetKey {
  consumer: string;
  topic: string;
  partition: number;
}

/** A database the sql-sink writes to. */
export interface SqlDatabase {
  /** Next offset per partition recorded in the offsets table for this consumer and topic (empty when disabled). */
  loadOffsets(consumer: string, topic: string): Promise<Map<number, number>>;
  /**
   * Writes the groups and (when `next` is given) records `next` as the partition's next offset,
   * all in one transaction: either everything is stored or nothing.
   */
  write(groups: readonly OperationGroup[], key: OffsetKey, next: number | null): Promise<void>;
  close(): Promise<void>;
}
