import { Admin } from './admin.ts';
import { BrokerClient } from './broker_client.ts';
import { Consumer, type ConsumerOptions } from './consumer.ts';
import { parseEndpoint } from './endpoint.ts';
import { Producer, type ProducerOptions } from './producer/index.ts';
import { resolveEndpoint } from './profile.ts';

export interface ConnectOptions {
  /** 'host:port'; wins over profiles. */
  endpoint?: string;
  /** A profile name from $EDDY_HOME/config.yaml; default the current profile, else 127.0.0.1 on DEFAULT_PORT (9003). */
  profile?: string;
  clientId?: string;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Time limit for request/response calls. Default 30 s. */
  requestTimeoutMs?: number;
}

/**
 * A connection to an Eddy cluster, shared by the producers, consumers and admin calls made from it.
 *
 *   const eddy = await Eddy.connect();
 *   const producer = await eddy.producer('events');
 *   await producer.send('key', 'value');
 *   for await (const r of eddy.consumer('events').stream(Offset.beginning())) { ... }
 */
export class Eddy {
  /** The 'host:port' connected to. */
  readonly endpoint: string;
  private readonly broker: BrokerClient;
  private readonly producers = new Set<Producer>();
  private readonly consumers = new Set<Consumer>();
  private adminClient: Admin | null = null;

  private constructor(endpoint: string, broker: BrokerClient) {
    this.endpoint = endpoint;
    this.broker = broker;
  }

  /** Connects (one attempt; errors are EddyErrors, retriable when the broker is unreachable). */
  static async connect(opts: ConnectOptions = {}): Promise<Eddy> {
    const endpoint = resolveEndpoint({ endpoint: opts.endpoint, profile: opts.profile });
    const broker = new BrokerClient(parseEndpoint(endpoint), {
      clientId: opts.clientId,
      connectTimeoutMs: opts.connectTimeoutMs,
      requestTimeoutMs: opts.requestTimeoutMs,
    });
    const conn = await broker.connection();
    return new Eddy(conn.endpoint, broker);
  }

  /** The broker's version string. */
  get serverVersion(): string {
    return this.broker.current?.serverVersion ?? '';
  }

  /** A producer for `topic` (UnknownTopic if it does not exist). */
  async producer(topic: string, opts?: ProducerOptions): Promise<Producer> {
    const p = await Producer.create(this.broker, topic, opts);
    this.producers.add(p);
    return p;
  }

  /** A consumer of `topic`; see Consumer.stream(). */
  consumer(topic: string, opts?: ConsumerOptions): Consumer {
    const c = new Consumer(this.broker, topic, opts);
    this.consumers.add(c);
    return c;
  }

  admin(): Admin {
    return (this.adminClient ??= new Admin(this.broker));
  }

  /** Flushes and closes producers, stops consumers (committing), then closes the connection. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.producers].map((p) => p.close()));
    await Promise.allSettled([...this.consumers].map((c) => c.close()));
    this.producers.clear();
    this.consumers.clear();
    this.broker.close();
  }
}
