import { struct, array, defaulted, i16, i32, i64, option, string, bool } from '../codec/schema.ts';
import type { Infer } from '../codec/schema.ts';

/**
 * A topic's desired state (Fluvio's spec/status model). -1 = unlimited for retention.
 * compression: 'any' keeps what producers send; a codec name makes the broker store that codec.
 * flush: 'os' acks once the OS has the write (survives a process crash); 'fsync' acks after
 * fdatasync with group commit (survives a machine crash).
 * In CreateTopic, 0 (numbers) or '' (strings) asks for the broker's default: 1 partition,
 * replication 1, 7 days, no size limit, 1 GiB segments, 1 MiB max batch, 'any', 'os'.
 * maxRecordBytes bounds each record batch as sent (Kafka's max.message.bytes).
 */
export const TopicSpec = struct({
  partitions: i32,
  replicationFactor: i16,
  retentionMs: i64,
  retentionBytes: i64,
  segmentBytes: i64,
  maxRecordBytes: i32,
  compression: string,
  flush: string,
});
export type TopicSpec = Infer<typeof TopicSpec>;

const partitionStatusV0Fields = {
  partition: i32,
  leader: i32,
  /** 'Online' | 'Offline' */
  status: string,
  logStartOffset: i64,
  highWatermark: i64,
  sizeBytes: i64,
};

/**
 * ListPartitions v1 onwards also carries the partition's damage: one line naming the offsets lost
 * to damaged segments ('' when none), and how many offsets that is (0 when none).
 */
export const PartitionStatus = struct({ ...partitionStatusV0Fields, damage: string, lostOffsets: i64 });
export type PartitionStatus = Infer<typeof PartitionStatus>;

/** The layout before damage was reported (ListTopics, ListPartitions v0): read as undamaged. */
export const PartitionStatusV0 = defaulted(struct(partitionStatusV0Fields), { damage: '', lostOffsets: 0 });

export const TopicStatus = struct({
  /** 'Provisioned' | 'Pending' | 'Deleting' */
  resolution: string,
  reason: string,
  partitions: array(PartitionStatusV0),
});
export type TopicStatus = Infer<typeof TopicStatus>;

export const Topic = struct({ name: string, spec: TopicSpec, status: TopicStatus });
export type Topic = Infer<typeof Topic>;

export const CreateTopicRequest = struct({ name: string, spec: TopicSpec, dryRun: bool });
export type CreateTopicRequest = Infer<typeof CreateTopicRequest>;

export const DeleteTopicRequest = struct({ name: string });
export type DeleteTopicRequest = Infer<typeof DeleteTopicRequest>;

/** An empty list asks for every topic. */
export const ListTopicsRequest = struct({ names: array(string) });
export type ListTopicsRequest = Infer<typeof ListTopicsRequest>;

export const ListTopicsResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  topics: array(Topic),
});
export type ListTopicsResponse = Infer<typeof ListTopicsResponse>;

export const ListPartitionsRequest = struct({ topic: option(string) });
export type ListPartitionsRequest = Infer<typeof ListPartitionsRequest>;

export const ListPartitionsResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  partitions: array(struct({ topic: string, status: PartitionStatus })),
});

export const ListPartitionsResponseV0 = struct({
  errorCode: i16,
  errorMessage: option(string),
  partitions: array(struct({ topic: string, status: PartitionStatusV0 })),
});
export type ListPartitionsResponse = Infer<typeof ListPartitionsResponse>;
