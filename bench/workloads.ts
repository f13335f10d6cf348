// The workloads of the side-by-side run: which figures, their units and targets (issue 4), and
// how many records each uses. Every system runs exactly these sizes.

export type FigureId = 'produce100' | 'produce5k' | 'consume100' | 'e2e' | 'smartmodule' | 'fsync16' | 'rssIdle' | 'rssProduce' | 'mqttIngest' | 'sqlSink';
export type Unit = 'records/s' | 'msg/s' | 'rows/s' | 'MB/s' | 'ms' | '%' | 'MB';

export interface Target {
  text: string;
  /** Eddy's value must be >= min / <= max. */
  min?: number;
  max?: number;
  /** ... and Eddy/peer >= factor (peer named by system name). */
  vs?: { peer: string; factor: number };
}

export interface Figure {
  id: FigureId;
  label: string;
  unit: Unit;
  higherIsBetter: boolean;
  target: Target;
  /** Only Eddy can run it (e.g. SmartModules); no ratio. */
  eddyOnly?: boolean;
  /** The only systems besides Eddy that take part (a connector figure's baseline); default all. */
  peers?: readonly string[];
}

export const REDIS = 'Redis Streams';
export const MOSQUITTO = 'Mosquitto';
/** The plain `pg` client into PostgreSQL: the sql-sink figure's baseline. */
export const PG_CLIENT = 'PostgreSQL (plain pg client)';

export const FIGURES: readonly Figure[] = [
  { id: 'produce100', label: 'produce 100 B records', unit: 'records/s', higherIsBetter: true, target: { text: '>= 1.5M rec/s and >= 3x Redis', min: 1_500_000, vs: { peer: REDIS, factor: 3 } } },
  { id: 'produce5k', label: 'produce 5 KiB records', unit: 'MB/s', higherIsBetter: true, target: { text: '>= 500 MB/s', min: 500 } },
  { id: 'consume100', label: 'consume (replay) 100 B records', unit: 'records/s', higherIsBetter: true, target: { text: '>= 3M rec/s', min: 3_000_000 } },
  { id: 'e2e', label: 'e2e latency p99 at 10k rec/s', unit: 'ms', higherIsBetter: false, target: { text: '<= 1.5 ms', max: 1.5 } },
  { id: 'smartmodule', label: 'consume through filter SmartModule, % of plain', unit: '%', higherIsBetter: true, target: { text: '>= 75 %', min: 75 }, eddyOnly: true },
  { id: 'fsync16', label: 'produce 100 B, fsync before ack, 16 producers', unit: 'records/s', higherIsBetter: true, target: { text: '>= 2x Redis (appendfsync always)', vs: { peer: REDIS, factor: 2 } } },
  { id: 'rssIdle', label: 'server RSS idle', unit: 'MB', higherIsBetter: false, target: { text: '<= 60 MB', max: 60 } },
  { id: 'rssProduce', label: 'server RSS peak during 100 B produce', unit: 'MB', higherIsBetter: false, target: { text: '<= 250 MB', max: 250 } },
  { id: 'mqttIngest', label: 'MQTT ingest QoS 1, publish to acked in topic (Mosquitto: to subscriber)', unit: 'msg/s', higherIsBetter: true, target: { text: '>= 80% of Mosquitto QoS 1 publish to subscriber', vs: { peer: MOSQUITTO, factor: 0.8 } }, peers: [MOSQUITTO] },
  { id: 'sqlSink', label: 'sql-sink into PostgreSQL (pg: plain client, same rows and batch size)', unit: 'rows/s', higherIsBetter: true, target: { text: '>= 90% of a plain pg client', vs: { peer: PG_CLIENT, factor: 0.9 } }, peers: [PG_CLIENT] },
];

export interface Sizes {
  /** Records of the 100-byte produce run; the consume and SmartModule runs replay them. */
  produce100: number;
  produce5k: number;
  e2eRecords: number;
  e2eRate: number;
  fsyncRecords: number;
  fsyncProducers: number;
  /** Records produced (and streamed end to end) untimed before measuring, to warm up JITs. */
  warmup: number;
  /** MQTT QoS 1 messages of the ingest figure (each side). */
  mqttMessages: number;
  /** Rows of the sql-sink figure (each side). */
  sqlRows: number;
}

export interface SizeOptions {
  smoke: boolean;
  /** Multiplies every count (not the rate). */
  scale: number;
  /** Sets the 100-byte record count directly (others follow the default proportions). */
  records?: number;
}

const FULL: Sizes = {
  produce100: 1_000_000,
  produce5k: 50_000,
  e2eRecords: 30_000,
  e2eRate: 10_000,
  fsyncRecords: 400_000,
  fsyncProducers: 16,
  warmup: 100_000,
  mqttMessages: 100_000,
  sqlRows: 100_000,
};

const SMOKE: Sizes = {
  produce100: 2_000,
  produce5k: 200,
  e2eRecords: 500,
  e2eRate: 10_000,
  fsyncRecords: 1_600,
  fsyncProducers: 16,
  warmup: 0,
  mqttMessages: 300,
  sqlRows: 300,
};

export function sizes(opts: SizeOptions): Sizes {
  const base = opts.smoke ? SMOKE : FULL;
  const f = opts.records !== undefined ? opts.records / base.produce100 : opts.scale;
  const n = (x: number, min: number): number => Math.max(min, Math.round(x * f));
  return {
    produce100: n(base.produce100, 100),
    produce5k: n(base.produce5k, 10),
    e2eRecords: n(base.e2eRecords, 100),
    e2eRate: base.e2eRate,
    fsyncRecords: Math.max(base.fsyncProducers, n(base.fsyncRecords, 160)),
    fsyncProducers: base.fsyncProducers,
    warmup: opts.smoke ? 0 : n(base.warmup, 0),
    mqttMessages: n(base.mqttMessages, 100),
    sqlRows: n(base.sqlRows, 100),
  };
}
