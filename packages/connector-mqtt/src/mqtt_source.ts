import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import { defineSource, type SourceRecord } from '@eddy/connector';
import {
  brokerUrl, clientOptions, connectMqtt, CONNECTION_PROPERTIES, safeUrl, timeoutMs, watchConnection, type MqttConnectionOptions,
} from './mqtt_connection.ts';
import { envelope, payloadTimestamp, propertyTimestamp, type PayloadOutputType } from './mqtt_record.ts';
import { UpstreamAcks } from './upstream_acks.ts';

export interface MqttSourceOptions extends MqttConnectionOptions {
  /** One topic filter or several; `+` and `#` wildcards allowed. */
  topic: string | string[];
  qos: 0 | 1 | 2;
  payload_output_type: PayloadOutputType;
  record_value: 'envelope' | 'payload';
  timestamp_field?: string;
  receive_maximum: number;
}

/**
 * mqtt-source: subscribes to topic filters and produces one record per message, keyed by its
 * MQTT topic. QoS 1/2 messages are acknowledged to the MQTT broker (PUBACK / PUBREC) only once
 * the cluster stored the record, in arrival order; many stay in flight at once (up to the
 * broker's in-flight window) so ingest is not one round trip per message.
 */
export const mqttSource = defineSource<MqttSourceOptions>({
  name: 'mqtt-source',
  version: '0.1.0',
  description: 'Subscribes to MQTT topic filters (MQTT 3.1.1 or 5, QoS 0/1/2) and produces each message as a record keyed by its MQTT topic; QoS 1/2 messages are acknowledged upstream only after the cluster stored them',
  options: {
    type: 'object',
    required: ['url', 'topic'],
    additionalProperties: false,
    properties: {
      ...CONNECTION_PROPERTIES,
      topic: {
        description: "The topic filter(s) to subscribe to; '+' matches one level, '#' the rest",
        oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }],
      },
      qos: { enum: [0, 1, 2], default: 1, description: 'Subscription QoS. 1 and 2: a message is acknowledged to the broker only after the cluster stored it (at least once); 0: at most once' },
      payload_output_type: { enum: ['binary', 'json'], default: 'binary', description: "envelope records: 'binary' gives the payload as an array of byte values, 'json' as the JSON it holds (a payload that is not JSON becomes a JSON string)" },
      record_value: { enum: ['envelope', 'payload'], default: 'envelope', description: "'envelope': Fluvio's {\"mqtt_topic\", \"payload\"} JSON; 'payload': the message payload as it is" },
      timestamp_field: { type: 'string', minLength: 1, description: 'Take the record timestamp from this field of a JSON payload, or else from an MQTT 5 user property of that name (epoch ms or ISO-8601); default: the time of receipt' },
      receive_maximum: { type: 'integer', minimum: 1, maximum: 65535, default: 1000, description: 'MQTT 5: how many QoS 1/2 messages the broker may have in flight to this connector (3.1.1 brokers use their own setting, Mosquitto: max_inflight_messages)' },
    },
  },

  async open(o, ctx) {
    const url = brokerUrl(o.url);
    const filters = Array.isArray(o.topic) ? o.topic : [o.topic];
    const valueOf = o.record_value === 'payload'
      ? (_topic: string, payload: Buffer): string | Uint8Array => payload
      : (topic: string, payload: Buffer): string | Uint8Array => envelope(topic, payload, o.payload_output_type);
    const tsField = o.timestamp_field;
    let acks: UpstreamAcks | null = null;

    const toRecord = (topic: string, payload: Buffer, packet: IPublishPacket): SourceRecord => {
      const rec: SourceRecord = { key: topic, value: valueOf(topic, payload) };
      if (tsField !== undefined) {
        const ts = payloadTimestamp(payload, tsField) ?? propertyTimestamp(packet.properties?.userProperties, tsField);
        if (ts !== undefined) rec.timestamp = ts;
      }
      const props = packet.properties;
      if (props !== undefined && (props.contentType !== undefined || props.userProperties !== undefined)) rec.headers = headersOf(props);
      return rec;
    };

    const options: IClientOptions = clientOptions(o, {
      ...(String(o.protocol_version) === '5' ? { properties: { receiveMaximum: o.receive_maximum } } : {}),
      resubscribe: true,
    });
    // QoS 1/2: called before mqtt.js acknowledges a message. The ack it then sends is held by
    // `acks` until the cluster stored the record; `cb` only lets mqtt.js read on.
    const handleAck: NonNullable<IClientOptions['customHandleAcks']> = (topic, payload, packet, cb) => {
      const id = packet.messageId!;
      if (acks!.holds(id)) { cb(0); return; } // a duplicate (QoS 2 resend) of a message in flight
      const rec = toRecord(topic, payload, packet);
      rec.ack = acks!.add(id);
      ctx.emit(rec).then(() => cb(0), (err: unknown) => ctx.fail(err));
    };
    // Hooks go in before connecting: a persistent session's messages can come with the CONNACK.
    const client = await connectMqtt(o, options, ctx, (cl) => {
      acks = holdAcks(cl);
      // Set on the instance: mqtt.js takes the constructor option for MQTT 5 only.
      cl.options.customHandleAcks = handleAck;
      cl.on('close', () => acks!.reset());
      // QoS 0 messages: mqtt.js reads the next packet once `cb` runs, so back-pressure carries over.
      cl.handleMessage = (packet, cb) => {
        if (packet.cmd !== 'publish' || packet.qos !== 0) { cb(); return; }
        ctx.emit(toRecord(packet.topic, packet.payload as Buffer, packet)).then(() => cb(), (err: unknown) => ctx.fail(err));
      };
    });
    const unwatch = watchConnection(client, url, timeoutMs(o.timeout), ctx, (err) => ctx.fail(err));
    try {
      await subscribe(client, filters, o.qos);
    } catch (err) {
      unwatch();
      await client.endAsync(true);
      throw err;
    }
    ctx.logger.info({ event: 'subscribed', url: safeUrl(ctx.redact(url)), filters, qos: o.qos, clientId: options.clientId, clean: options.clean, protocolVersion: options.protocolVersion }, `subscribed to ${filters.join(', ')}`);
    return {
      async close() {
        unwatch();
        // Everything sent was acknowledged by now (the kit calls close after its flush), so the
        // held acks have gone out; a graceful DISCONNECT keeps a persistent session.
        await client.endAsync(false);
      },
    };
  },
});

async function subscribe(client: MqttClient, filters: string[], qos: 0 | 1 | 2): Promise<void> {
  const granted = await client.subscribeAsync(filters, { qos });
  const refused = granted.filter((g) => g.qos === 128 || g.qos > 2);
  if (refused.length > 0) throw new Error(`MQTT broker refused the subscription to ${refused.map((g) => g.topic).join(', ')}`);
}

/**
 * Routes mqtt.js's outgoing PUBACK / PUBREC through `UpstreamAcks`. mqtt.js has no public hook to
 * send an ack later without stalling its reader (customHandleAcks / handleMessage process one
 * message at a time), so its packet writer is wrapped; checked here so a change in mqtt.js
 * fails loudly rather than acknowledging early.
 */
function holdAcks(client: MqttClient): UpstreamAcks {
  const c = client as unknown as { _sendPacket?: (packet: object, cb?: (err?: Error) => void, ...rest: unknown[]) => void };
  const original = c._sendPacket;
  if (typeof original !== 'function') throw new Error('this mqtt.js version has no _sendPacket: acknowledging after produce is not possible');
  const send = original.bind(client);
  const acks = new UpstreamAcks((packet) => send(packet));
  c._sendPacket = (packet: object, cb?: (err?: Error) => void, ...rest: unknown[]) => {
    const p = packet as { cmd: string; messageId?: number; reasonCode?: number };
    if ((p.cmd === 'puback' || p.cmd === 'pubrec') && !p.reasonCode && acks.hold(p)) {
      cb?.();
      return;
    }
    send(packet, cb, ...rest);
  };
  return acks;
}

function headersOf(props: NonNullable<IPublishPacket['properties']>): Record<string, string> {
  const h: Record<string, string> = {};
  if (props.contentType !== undefined) h['content-type'] = props.contentType;
  const up = props.userProperties;
  if (up !== undefined) for (const k of Object.keys(up)) { const v = up[k]; h[k] = Array.isArray(v) ? v.join(',') : v; }
  return h;
}

