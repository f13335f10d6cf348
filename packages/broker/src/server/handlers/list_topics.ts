import { EddyError, ErrorCode, UnknownTopicError } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';
import { topicView } from '../topic_view.ts';
import { compareNames } from '../../util/compare_names.ts';

/** ListTopics: the named topics, or every topic by name. */
export function listTopics(req: RequestOf<'ListTopics'>, { controller, spu }: HandlerContext): ResponseOf<'ListTopics'> {
  let topics;
  if (req.names.length === 0) {
    topics = controller.topics().sort((a, b) => compareNames(a.name, b.name));
  } else {
    const missing = req.names.filter((n) => !controller.topic(n));
    if (missing.length === 1) throw new UnknownTopicError(missing[0]);
    if (missing.length > 1) throw new EddyError(ErrorCode.UnknownTopic, `unknown topics ${missing.map((n) => `'${n}'`).join(', ')}`);
    topics = req.names.map((n) => controller.topic(n)!);
  }
  return { errorCode: ErrorCode.None, errorMessage: null, topics: topics.map((t) => topicView(t, spu)) };
}
