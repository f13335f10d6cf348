import type { CompressionCode } from '@eddy/protocol';
import type { SmartChain } from '@eddy/smartengine';
import { type LocalSmartModules, localError, transformProducedSection } from '../local_smartmodules.ts';
import type { ProducerBatch } from './accumulator.ts';
import { encodeBounded } from './batch_encoder.ts';

/**
 * The producer's local SmartModule chain: runs each batch through it (one chain instance per
 * partition) before the batch is sent, and keeps requests leaving in the order they were drained
 * although transforms finish out of order.
 */
export class LocalChain {
  private readonly local: LocalSmartModules;
  private readonly topic: string;
  private readonly compression: CompressionCode;
  private readonly maxBatchBytes: number;
  private readonly chains = new Map<number, Promise<SmartChain>>();
  private dispatchTail: Promise<void> = Promise.resolve();

  constructor(local: LocalSmartModules, topic: string, compression: CompressionCode, maxBatchBytes: number) {
    this.local = local;
    this.topic = topic;
    this.compression = compression;
    this.maxBatchBytes = maxBatchBytes;
  }

  /** Transforms the batches not yet transformed, then calls `dispatch` after every earlier request's. */
  run(batches: ProducerBatch[], dispatch: (batches: ProducerBatch[]) => void): void {
    const transformed = Promise.all(batches.map((b) => (b.encoded === null && b.localError === null ? this.transform(b) : undefined)));
    const go = Promise.all([transformed, this.dispatchTail]).then(() => dispatch(batches));
    this.dispatchTail = go.catch(noop);
  }

  /** Closes every partition's chain instance. */
  async close(): Promise<void> {
    await Promise.all([...this.chains.values()].map((c) => c.then((chain) => chain.close(), noop).catch(noop)));
    this.chains.clear();
  }

  /** Runs a batch through the chain and encodes its output; never rejects (failures go to `localError`). */
  private async transform(b: ProducerBatch): Promise<void> {
    const where = `'${this.topic}' partition ${b.partition}`;
    try {
      let chain = this.chains.get(b.partition);
      if (chain === undefined) {
        chain = this.local.open(b.partition);
        chain.catch(noop);
        this.chains.set(b.partition, chain);
      }
      const out = await transformProducedSection(await chain, b.builder.section(), b.builder.firstTimestamp);
      if (out.error !== null) {
        throw localError(out.error, `a batch for ${where}`);
      }
      b.outputIndex = out.outputIndex;
      b.storedCount = out.records.length;
      b.encoded = out.records.length === 0 ? [] : encodeBounded(out.records, { compression: this.compression, timestamp: b.createdMs }, this.maxBatchBytes);
    } catch (err) {
      b.localError = localError(err, where);
    }
  }
}

function noop(): void {}
