import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError, ErrorCode } from '@eddy/protocol';
import type { ConsumerOffsetInfo } from '@eddy/protocol';
import { DurableFile } from '../util/durable_file.ts';

interface Committed { offset: number; modifiedMs: number }

interface ConsumerState {
  name: string;
  /** topic -> partition -> committed */
  topics: Map<string, Map<number, Committed>>;
  file: DurableFile;
}

interface ConsumerFile {
  consumer: string;
  topics: Record<string, Record<string, Committed>>;
}

/** Consumer names: printable, no control characters, at most 255 UTF-8 bytes. */
export function validateConsumerName(name: string): void {
  // eslint-disable-next-line no-control-regex
  if (!name || Buffer.byteLength(name) > 255 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new EddyError(ErrorCode.InvalidRequest, `invalid consumer name ${JSON.stringify(name.slice(0, 80))}: use 1..255 bytes without control characters`);
  }
}

/**
 * Named consumer offsets of this SPU's partitions: one small JSON file per consumer (named by a
 * hash of the consumer name so any name is a safe file name), rewritten atomically and fsync'd
 * on every commit; concurrent commits of one consumer share a write. A consumer whose offsets
 * were all deleted keeps an empty file (removing it could race a new commit of the same name).
 */
export class ConsumerOffsetStore {
  readonly dir: string;
  private consumers = new Map<string, ConsumerState>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(dir: string): Promise<ConsumerOffsetStore> {
    await mkdir(dir, { recursive: true });
    const store = new ConsumerOffsetStore(dir);
    for (const f of await readdir(dir)) {
      if (f.endsWith('.tmp')) { await unlink(join(dir, f)).catch(() => {}); continue; }
      if (!f.endsWith('.json')) continue;
      let parsed: ConsumerFile;
      try {
        parsed = JSON.parse(await readFile(join(dir, f), 'utf8')) as ConsumerFile;
      } catch (err) {
        throw new Error(`consumer offsets file ${join(dir, f)} is not valid JSON: ${(err as Error).message}`);
      }
      if (typeof parsed?.consumer !== 'string') continue;
      const st = store.state(parsed.consumer);
      for (const [topic, parts] of Object.entries(parsed.topics ?? {})) {
        const m = new Map<number, Committed>();
        for (const [p, c] of Object.entries(parts)) m.set(Number(p), { offset: c.offset, modifiedMs: c.modifiedMs });
        st.topics.set(topic, m);
      }
    }
    return store;
  }

  async commit(consumer: string, topic: string, entries: readonly { partition: number; offset: number }[]): Promise<void> {
    validateConsumerName(consumer);
    const now = Date.now();
    const st = this.state(consumer);
    let parts = st.topics.get(topic);
    if (!parts) { parts = new Map(); st.topics.set(topic, parts); }
    for (const e of entries) parts.set(e.partition, { offset: e.offset, modifiedMs: now });
    await st.file.save();
  }

  /** Committed offset of one partition, or -1. */
  offset(consumer: string, topic: string, partition: number): number {
    return this.consumers.get(consumer)?.topics.get(topic)?.get(partition)?.offset ?? -1;
  }

  list(topic?: string | null): ConsumerOffsetInfo[] {
    const out: ConsumerOffsetInfo[] = [];
    const names = [...this.consumers.keys()].sort();
    for (const name of names) {
      const st = this.consumers.get(name)!;
      for (const [t, parts] of st.topics) {
        if (topic && t !== topic) continue;
        for (const [partition, c] of [...parts].sort((a, b) => a[0] - b[0])) {
          out.push({ consumer: name, topic: t, partition, offset: c.offset, modifiedMs: c.modifiedMs });
        }
      }
    }
    return out;
  }

  /** Deletes a consumer's offsets for one topic or all; false when there were none. */
  async delete(consumer: string, topic?: string | null): Promise<boolean> {
    const st = this.consumers.get(consumer);
    if (!st || st.topics.size === 0) return false;
    if (topic) {
      if (!st.topics.delete(topic)) return false;
    } else {
      st.topics.clear();
    }
    await st.file.save();
    return true;
  }

  /** Forgets every consumer's offsets for a deleted topic. */
  async removeTopic(topic: string): Promise<void> {
    const touched = [...this.consumers.values()].filter((st) => st.topics.delete(topic));
    await Promise.all(touched.map((st) => st.file.save()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers.values()].map((st) => st.file.settle()));
  }

  private state(consumer: string): ConsumerState {
    let st = this.consumers.get(consumer);
    if (!st) {
      const file = join(this.dir, `${createHash('sha256').update(consumer).digest('hex').slice(0, 32)}.json`);
      const topics = new Map<string, Map<number, Committed>>();
      const render = (): string => {
        const out: ConsumerFile = { consumer, topics: {} };
        for (const [t, parts] of topics) out.topics[t] = Object.fromEntries([...parts].map(([p, c]) => [String(p), c]));
        return JSON.stringify(out);
      };
      st = { name: consumer, topics, file: new DurableFile(file, render) };
      this.consumers.set(consumer, st);
    }
    return st;
  }
}
