// Test support for connector tests (the kit's and every connector-*'s): reading what a connector
// wrote to Eddy topics, and waiting for a condition.
import { Eddy, Offset } from '@eddy/client';

export interface TopicRecord { partition: number; key: string | null; value: string; timestamp: number; headers: Record<string, string> }

/** The first `n` records of `topic` (all partitions; waits up to `ms` for them). */
export async function readTopic(endpoint: string, topic: string, n: number, ms = 20_000): Promise<TopicRecord[]> {
  const eddy = await Eddy.connect({ endpoint });
  const out: TopicRecord[] = [];
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), ms);
  try {
    for await (const r of eddy.consumer(topic).stream(Offset.beginning(), { signal: ctrl.signal })) {
      const headers: Record<string, string> = {};
      for (const [k, v] of r.headers) headers[k] = Buffer.from(v).toString();
      out.push({ partition: r.partition, key: r.key === null ? null : r.key.toString(), value: r.value.toString(), timestamp: r.timestamp, headers });
      if (out.length >= n) break;
    }
  } catch (err) {
    if (!ctrl.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    await eddy.close();
  }
  return out;
}

/** The values of the first `n` records of `topic`, from what it holds now (stops at its end). */
export async function topicValues(endpoint: string, topic: string, n: number): Promise<string[]> {
  const eddy = await Eddy.connect({ endpoint });
  const out: string[] = [];
  try {
    for await (const r of eddy.consumer(topic).stream(Offset.beginning(), { stopAtEnd: true })) {
      out.push(r.value.toString());
      if (out.length >= n) break;
    }
  } finally {
    await eddy.close();
  }
  return out;
}

export async function topicCount(endpoint: string, topic: string): Promise<number> {
  const eddy = await Eddy.connect({ endpoint });
  try {
    return (await eddy.admin().listOffsets(topic)).reduce((n, p) => n + p.highWatermark - p.logStartOffset, 0);
  } catch {
    return 0;
  } finally {
    await eddy.close();
  }
}

/** Polls `cond` until it holds; throws naming `what` after `ms`. */
export const until = async (cond: () => boolean | Promise<boolean>, ms = 30_000, what = 'condition'): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};
