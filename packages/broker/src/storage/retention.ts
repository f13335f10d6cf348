// Retention: which of the oldest closed segments to delete. Pure, so the policy is testable
// without files; PartitionLog applies the result and advances logStartOffset.

export interface RetentionCandidate {
  readonly sizeBytes: number;
  /** Newest record's timestamp in the segment (its max_timestamp), or a fallback clock. */
  readonly newestTimestampMs: number;
}

export interface RetentionPolicy {
  readonly retentionMs: number | null;
  readonly retentionBytes: number | null;
}

/**
 * Number of segments to delete from the front of `closed` (the deletable segments, oldest first;
 * the active segment is never among them). Only a prefix can go, since the log must stay
 * contiguous from logStartOffset:
 * - by time: each leading segment whose newest record is older than `now - retentionMs`;
 * - by size: leading segments while `totalBytes` (whole log, active included) exceeds retentionBytes.
 * The larger of the two counts wins.
 */
export function segmentsToDelete(
  closed: readonly RetentionCandidate[],
  totalBytes: number,
  policy: RetentionPolicy,
  now: number,
): number {
  let byTime = 0;
  if (policy.retentionMs !== null) {
    const cutoff = now - policy.retentionMs;
    while (byTime < closed.length && closed[byTime].newestTimestampMs < cutoff) byTime++;
  }
  let bySize = 0;
  if (policy.retentionBytes !== null) {
    let remaining = totalBytes;
    while (bySize < closed.length && remaining > policy.retentionBytes) remaining -= closed[bySize++].sizeBytes;
  }
  return Math.max(byTime, bySize);
}
