// The contract every system in the side-by-side run implements (Eddy and each peer), so that
// bench/peers.ts drives them all with the same workloads.
import type { LatencySummary, Throughput } from '@eddy/cli/internal';
import type { FigureId } from '../workloads.ts';

export type Durability = 'os' | 'fsync';

/** A system, or one operation of it, cannot be measured here; the reason goes in the table. */
export class Unavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Unavailable';
  }
}

export interface RunContext {
  /** A fresh temp dir for this server's data. */
  dataDir: string;
  /** Try `apt-get install` for a missing binary. */
  install: boolean;
  log(line: string): void;
}

export interface ProduceSpec {
  /** Stream / topic / subject name, fresh for this run. */
  stream: string;
  records: number;
  recordSize: number;
  /** Concurrent producers, one connection each. */
  producers: number;
  values: Buffer[];
}

export interface ConsumeSpec {
  /** A stream that `produce` filled with `records` records. */
  stream: string;
  records: number;
  recordSize: number;
}

export interface E2eSpec {
  stream: string;
  records: number;
  recordSize: number;
  /** Records per second. */
  rate: number;
  values: Buffer[];
}

export interface E2eResult extends Throughput {
  latency: LatencySummary;
}

export interface SmartModuleSpec extends ConsumeSpec {
  /** A compiled filter SmartModule. */
  wasm: Uint8Array;
}

export interface SmartModuleResult {
  plain: Throughput;
  filtered: Throughput & { delivered: number };
}

export interface MqttIngestRunSpec {
  /** Eddy topic for the ingested messages, fresh for this run. */
  stream: string;
  messages: number;
  /** Bytes per message (about). */
  size: number;
  /** Messages published untimed first (JIT of the client, and of the connector on Eddy). */
  warmup: number;
}

export interface SqlSinkSpec {
  /** Topic / table name stem, fresh for this run. */
  stream: string;
  rows: number;
  /** Rows inserted untimed into a scratch table first, so that every side meets a warm server. */
  warmupRows: number;
  /** Rows per statement for a plain client: the sink's average batch (the sink picks its own). */
  batch: number;
}

/** A connector figure's run: messages (or rows) per second with its numbers for the JSON. */
export interface RateResult {
  perSec: number;
  detail: Record<string, number | string>;
}

/** One running server of a system, configured for one durability class. */
export interface PeerServer {
  readonly pid: number;
  /** What an ack means on this server, stated next to each figure. */
  readonly durability: string;
  produce(spec: ProduceSpec): Promise<Throughput>;
  consume(spec: ConsumeSpec): Promise<Throughput>;
  e2e(spec: E2eSpec): Promise<E2eResult>;
  smartmodule?(spec: SmartModuleSpec): Promise<SmartModuleResult>;
  /** MQTT QoS 1 messages/s into the system (Eddy: via mqtt-source; Mosquitto: to a subscriber). */
  mqttIngest?(spec: MqttIngestRunSpec): Promise<RateResult>;
  /** Rows/s written into PostgreSQL (Eddy: via sql-sink; the plain client: INSERTs). */
  sqlSink?(spec: SqlSinkSpec): Promise<RateResult>;
  stop(): Promise<void>;
}

export interface PeerSystem {
  /** Column name in the table. */
  readonly name: string;
  /** Short name for ratio columns and the chart legend. */
  readonly short: string;
  /** The figures this system takes part in (default: all it can). */
  readonly only?: readonly FigureId[];
  /** Version string once started (e.g. 'redis-server 7.0.15'). */
  version(): Promise<string>;
  /** Starts a server for the durability class; throws Unavailable when it cannot. */
  start(durability: Durability, ctx: RunContext): Promise<PeerServer>;
}
