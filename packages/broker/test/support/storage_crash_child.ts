// Child process for src/storage/crash.test.ts: appends forever with flush 'os' and prints every
// acknowledged append as "tag baseOffset lastOffset". The test kill -9's it and checks every
// printed append survived. (stdout to a pipe is synchronous on Linux, so a printed line was really acked first.)
import { PartitionLog } from '../../src/storage/partition_log.ts';
import { makeBatch } from './test_batches.ts';

const dir = process.argv[2];
const firstTag = Number(process.argv[3] ?? 0);
const log = await PartitionLog.open(dir, { flush: 'os', segmentBytes: 64 * 1024, indexIntervalBytes: 1024 });
let tag = firstTag;
const IN_FLIGHT = 16;

function next(): Promise<void> {
  const t = tag++;
  return log
    .append(makeBatch({ tag: t, records: 1 + (t % 4), payloadBytes: 16 + ((t * 7919) % 900), maxTimestamp: t }))
    .then((r) => {
      process.stdout.write(`${t} ${r.baseOffset} ${r.lastOffset}\n`);
      if (t - firstTag < 1_000_000) return next();
    });
}

await Promise.all(Array.from({ length: IN_FLIGHT }, () => next()));
await log.close();
