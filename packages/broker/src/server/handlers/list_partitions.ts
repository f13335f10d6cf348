import { ErrorCode, UnknownTopicError } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';
import { topicView } from '../topic_view.ts';
import { compareNames } from '../../util/compare_names.ts';

/** ListPartitions: live partition figures of one topic, or of every topic by name. */
export function listPartitions(req: RequestOf<'ListPartitions'>, { controller, spu }: HandlerContext): ResponseOf<'ListPartitions'> {
  let topics;
  if (req.topic) {
    const t = controller.topic(req.topic);
    if (!t) throw new UnknownTopicError(req.topic);
    topics = [t];
  } else {
    topics = controller.topics().sort((a, b) => compareNames(a.name, b.name));
  }
  const partitions = topics.flatMap((t) => topicView(t, spu).status.partitions.map((status) => ({ topic: t.name, status })));
  return { errorCode: ErrorCode.None, errorMessage: null, partitions };
}
