import type { Topic } from '@eddy/protocol';
import type { TopicObject } from '../controller/index.ts';
import type { Spu } from '../spu/index.ts';

/** A topic as clients see it: stored spec and status, with live partition figures from the SPU. */
export function topicView(t: TopicObject, spu: Spu): Topic {
  const live = spu.partitionStatuses(t.name);
  return {
    name: t.name,
    spec: t.spec,
    status: {
      resolution: t.status.resolution,
      reason: t.status.reason,
      partitions: live.length > 0 ? live : t.status.partitions,
    },
  };
}
