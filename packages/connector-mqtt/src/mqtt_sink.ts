import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { defineSink, PermanentError, type SinkRecord, type SinkWriter } from '@eddy/connector';
import {
  brokerUrl, clientOptions, connectMqtt, CONNECTION_PROPERTIES, safeUrl, timeoutMs, watchConnection, type MqttConnectionOptions,
} from './mqtt_connection.ts';

export interface MqttSinkOptions extends MqttConnectionOptions {
  /** The MQTT topic; `{key}` and `{partition}` are replaced per record. */
  topic?: string;
  /** A field of the record's JSON value holding the MQTT topic (e.g. mqtt-source's `mqtt_topic`). */
  topic_field?: string;
  /** Publish this field of the record's JSON value instead of the whole value. */
  payload_field?: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  publish_timeout_ms: number;
}

/**
 * mqtt-sink: publishes each record to an MQTT topic. With QoS 1/2 a batch counts as written once
 * the MQTT broker acknowledged every publish in it (PUBACK / PUBCOMP); only then does the kit
 * commit the offsets.
 */
export const mqttSink = defineSink<MqttSinkOptions>({
  name: 'mqtt-sink',
  version: '0.1.0',
  description: 'Publishes each record to an MQTT topic (fixed, templated, or taken from the record); with QoS 1/2 offsets are committed only after the MQTT broker acknowledged the publish',
  options: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      ...CONNECTION_PROPERTIES,
      topic: { type: 'string', minLength: 1, description: "The MQTT topic to publish to; '{key}' and '{partition}' are replaced by the record's key and partition. Required unless topic_field is set" },
      topic_field: { type: 'string', minLength: 1, description: "Take the MQTT topic from this field of the record's JSON value (mqtt-source records: 'mqtt_topic'); records without it go to 'topic'" },
      payload_field: { type: 'string', minLength: 1, description: "Publish this field of the record's JSON value (mqtt-source records: 'payload'; an array of byte values is published as those bytes) instead of the whole value" },
      qos: { enum: [0, 1, 2], default: 1, description: 'Publish QoS. 1 and 2: offsets are committed after the broker acknowledged (at least once); 0: after the write to the socket (at most once)' },
      retain: { type: 'boolean', default: false, description: 'Set the MQTT retain flag' },
      publish_timeout_ms: { type: 'integer', minimum: 1, default: 30_000, description: 'A batch not acknowledged within this time is written again (within the retry budget)' },
    },
  },

  async open(o, ctx) {
    if (o.topic === undefined && o.topic_field === undefined) throw new PermanentError('mqtt: topic or topic_field is required');
    const url = brokerUrl(o.url);
    const client = await connectMqtt(o, clientOptions(o), ctx);
    let failure: Error | null = null;
    const unwatch = watchConnection(client, url, timeoutMs(o.timeout), ctx, (err) => { failure = err; });
    ctx.logger.info({ event: 'connected', url: safeUrl(ctx.redact(url)), qos: o.qos }, 'connected to the MQTT broker');
    const pubOpts: IClientPublishOptions = { qos: o.qos, retain: o.retain };
    const route = router(o);
    const writer: SinkWriter = {
      write(batch: readonly SinkRecord[]) {
        if (failure !== null) return Promise.reject(new PermanentError(failure.message));
        return publishBatch(client, batch, route, pubOpts, o.publish_timeout_ms);
      },
      async close() {
        unwatch();
        await client.endAsync(false);
      },
    };
    return writer;
  },
});

type Route = (r: SinkRecord) => { topic: string; payload: Buffer | string };

/** How a record becomes a topic and payload (decided once, from the options). */
function router(o: MqttSinkOptions): Route {
  const template = o.topic;
  const fixed = template !== undefined && !template.includes('{') ? template : undefined;
  const topicOf = (r: SinkRecord, doc: Record<string, unknown> | null): string => {
    if (doc !== null && o.topic_field !== undefined) {
      const t = doc[o.topic_field];
      if (typeof t === 'string' && t !== '') return t;
    }
    if (fixed !== undefined) return fixed;
    if (template === undefined) throw new PermanentError(`record at offset ${r.offset} of partition ${r.partition} has no '${o.topic_field}' field and mqtt.topic is not set`);
    return template.replaceAll('{partition}', String(r.partition)).replaceAll('{key}', r.key === null ? '' : r.key.toString('utf8'));
  };
  const needsDoc = o.topic_field !== undefined || o.payload_field !== undefined;
  return (r) => {
    const doc = needsDoc ? parseObject(r.value) : null;
    const topic = topicOf(r, doc);
    // The value is a view valid during write only: copy it (mqtt.js may send after the call returns).
    if (o.payload_field === undefined || doc === null || !(o.payload_field in doc)) return { topic, payload: Buffer.from(r.value) };
    const p = doc[o.payload_field];
    if (typeof p === 'string') return { topic, payload: p };
    if (Array.isArray(p) && p.every((x) => Number.isInteger(x) && x >= 0 && x < 256)) return { topic, payload: Buffer.from(p as number[]) };
    return { topic, payload: JSON.stringify(p) };
  };
}

function parseObject(v: Buffer): Record<string, unknown> | null {
  try {
    const d: unknown = JSON.parse(v.toString('utf8'));
    return d !== null && typeof d === 'object' && !Array.isArray(d) ? d as Record<string, unknown> : null;
  } catch {
    return null;
  }
}

/** Publishes a batch in order; resolves when every publish was acknowledged (QoS ≥ 1) or written (QoS 0). */
function publishBatch(client: MqttClient, batch: readonly SinkRecord[], route: Route, opts: IClientPublishOptions, timeout: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = batch.length;
    let done = false;
    const timer = setTimeout(() => finish(new Error(`MQTT broker did not acknowledge ${left} of ${batch.length} publishes within ${timeout} ms`)), timeout);
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err === undefined) resolve(); else reject(err);
    };
    // One callback for the batch: counts the acknowledgements down.
    const acked = (err?: Error): void => {
      if (err !== undefined && err !== null) finish(err);
      else if (--left === 0) finish();
    };
    try {
      for (const r of batch) {
        const { topic, payload } = route(r);
        client.publish(topic, payload, opts, acked);
      }
    } catch (err) {
      finish(err as Error);
    }
  });
}
