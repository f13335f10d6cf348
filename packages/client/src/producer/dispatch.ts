import type { CompressionCode, SmartModuleInvocation } from '@eddy/protocol';
import type { BrokerClient } from '../broker_client.ts';
import { PRODUCE_RESPONSE_GRACE_MS } from '../defaults.ts';
import type { ProducerBatch } from './accumulator.ts';
import { wireBatches } from './batch_encoder.ts';
import type { LocalChain } from './local_chain.ts';
import { ProduceRequestParts } from './produce_request.ts';
import { applyProduceResponse, type BatchOutcomes } from './produce_response.ts';

/** The producer side of a request: where its batches' outcomes go, and that it ended. */
export interface DispatchTarget extends BatchOutcomes {
  requestDone(): void;
}

export interface DispatchSetup {
  broker: BrokerClient;
  topic: string;
  compression: CompressionCode;
  maxBatchBytes: number;
  /** Time the broker may take to store a request. */
  timeoutMs: number;
  /** The broker-side chain sent with every request. */
  smartmodules: SmartModuleInvocation[];
  local: LocalChain | null;
  target: DispatchTarget;
}

/**
 * Sends drained batches as one Produce request: through the local chain first when there is one,
 * each batch encoded once (retries reuse the bytes), grouped by partition in drain order, and the
 * response (or the request's failure) handed back batch by batch.
 */
export class Dispatcher {
  private readonly s: DispatchSetup;

  constructor(setup: DispatchSetup) {
    this.s = setup;
  }

  send(batches: ProducerBatch[]): void {
    if (this.s.local === null) this.dispatch(batches);
    else this.s.local.run(batches, this.dispatch);
  }

  private readonly dispatch = (all: ProducerBatch[]): void => {
    const { target, topic } = this.s;
    let batches = all;
    if (this.s.local !== null) {
      batches = [];
      for (const b of all) {
        if (b.localError !== null) target.settle(b, b.localError);
        else if (b.storedCount === 0) target.settle(b, null, -1); // the chain dropped every record
        else batches.push(b);
      }
      if (batches.length === 0) {
        target.requestDone();
        return;
      }
    }
    const byPartition = new Map<number, ProducerBatch[]>();
    let body: ProduceRequestParts;
    try {
      for (const b of batches) {
        b.encoded ??= wireBatches(b, this.s.compression, this.s.maxBatchBytes);
        let list = byPartition.get(b.partition);
        if (list === undefined) byPartition.set(b.partition, (list = []));
        list.push(b);
      }
      body = {
        acks: 1,
        timeoutMs: this.s.timeoutMs,
        topics: [{
          name: topic,
          partitions: [...byPartition].map(([partition, list]) => ({ partition, records: list.flatMap((b) => b.encoded!) })),
        }],
        smartmodules: this.s.smartmodules,
      };
    } catch (err) {
      // Encoding failed (bad record): retrying cannot help.
      for (const b of batches) target.settle(b, err as Error);
      target.requestDone();
      return;
    }
    this.s.broker.connection()
      .then((conn) => conn.requestWith('Produce', ProduceRequestParts, body, { timeoutMs: this.s.timeoutMs + PRODUCE_RESPONSE_GRACE_MS }))
      .then(
        (res) => applyProduceResponse(topic, byPartition, res, target),
        (err) => { for (const b of batches) target.fail(b, err, true); },
      )
      .catch((err) => { for (const b of batches) if (!b.settled) target.settle(b, err); })
      .finally(() => target.requestDone());
  };
}
