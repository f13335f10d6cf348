// What a bench run reports, the HDR histogram behind its latency figures, and its two renderings:
// a table for people and JSON for machines. MB is 10^6 bytes.
import hdr from 'hdr-histogram-js';
import Table from 'cli-table3';

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  /** What was timed, e.g. 'send to ack' or 'send to receive'. */
  what: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface RssSummary {
  /** Where the pid or figure came from: '--broker-pid', '$EDDY_HOME/eddy.pid', '/metrics'. */
  source: string;
  /** Before the run started. */
  beforeMb: number | undefined;
  /** Highest sample while running. */
  peakMb: number | undefined;
  afterMb: number | undefined;
}

export interface Throughput {
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
}

export interface BenchReport extends Throughput {
  mode: 'producer' | 'consumer' | 'e2e' | 'smartmodule';
  topic: string;
  temporaryTopic: boolean;
  config: Record<string, string | number | boolean>;
  latency: LatencySummary | undefined;
  brokerRss: RssSummary | undefined;
  /** smartmodule mode: plain and filtered consume, and filtered/plain records per second. */
  smartmodule?: {
    module: string;
    plain: Throughput;
    filtered: Throughput & { delivered: number };
    ratio: number;
  };
  /** e2e mode: the rate reached vs the one asked for. */
  targetRate?: number;
}

export function throughput(records: number, bytes: number, seconds: number): Throughput {
  const s = Math.max(seconds, 1e-9);
  return { records, bytes, seconds, recordsPerSec: records / s, mbPerSec: bytes / s / 1e6 };
}

/** Records latencies in nanoseconds (3 significant digits) and summarises them in ms. */
export class LatencyRecorder {
  readonly what: string;
  readonly #histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600e9, numberOfSignificantValueDigits: 3 });

  constructor(what: string) {
    this.what = what;
  }

  recordNs(ns: number): void {
    this.#histogram.recordValue(ns < 1 ? 1 : Math.round(ns));
  }

  /** The same latency seen by `count` records (one ack for a whole batch). */
  recordNsTimes(ns: number, count: number): void {
    this.#histogram.recordValueWithCount(ns < 1 ? 1 : Math.round(ns), count);
  }

  get count(): number {
    return this.#histogram.totalCount;
  }

  summary(): LatencySummary | undefined {
    const h = this.#histogram;
    if (h.totalCount === 0) return undefined;
    const ms = (ns: number): number => ns / 1e6;
    return {
      what: this.what,
      count: h.totalCount,
      p50: ms(h.getValueAtPercentile(50)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      max: ms(h.maxValue),
      mean: ms(h.mean),
    };
  }
}

const num = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export function fmtInt(n: number): string {
  return num.format(n);
}
export function fmtMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : ms < 100 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}
export function fmtMb(mb: number | undefined): string {
  return mb === undefined ? 'n/a' : `${mb.toFixed(1)} MB`;
}

function throughputRow(t: Throughput): string {
  return `${fmtInt(t.recordsPerSec)} records/s   ${t.mbPerSec.toFixed(1)} MB/s   (${fmtInt(t.records)} records in ${t.seconds.toFixed(2)} s)`;
}

/** The human rendering: one key/value table. */
export function formatReport(r: BenchReport): string {
  const table = new Table({ style: { head: [], border: [] }, wordWrap: true, colWidths: [28, 92] });
  table.push({ mode: r.mode });
  table.push({ topic: `${r.topic}${r.temporaryTopic ? ' (temporary)' : ''}` });
  table.push({ config: Object.entries(r.config).map(([k, v]) => `${k}=${v}`).join(' ') });
  if (r.smartmodule) {
    table.push({ plain: throughputRow(r.smartmodule.plain) });
    table.push({ [`through ${r.smartmodule.module}`]: `${throughputRow(r.smartmodule.filtered)}, ${fmtInt(r.smartmodule.filtered.delivered)} delivered` });
    table.push({ 'ratio (module/plain)': `${(r.smartmodule.ratio * 100).toFixed(1)} %` });
  } else {
    table.push({ throughput: throughputRow(r) });
  }
  if (r.targetRate !== undefined) table.push({ 'target rate': `${fmtInt(r.targetRate)} records/s` });
  if (r.latency) {
    const l = r.latency;
    table.push({
      [`latency (${l.what})`]: `p50 ${fmtMs(l.p50)}  p95 ${fmtMs(l.p95)}  p99 ${fmtMs(l.p99)}  p99.9 ${fmtMs(l.p999)}  max ${fmtMs(l.max)}`,
    });
  }
  table.push({ 'broker RSS': rssRow(r.brokerRss) });
  return table.toString();
}

/** The broker RSS row of a report table. */
export function rssRow(s: { beforeMb?: number; peakMb?: number; afterMb?: number; source: string } | undefined | null): string {
  if (!s) return 'unknown (give --broker-pid or --metrics-url)';
  return `before ${fmtMb(s.beforeMb)}  peak ${fmtMb(s.peakMb)}  after ${fmtMb(s.afterMb)}  (${s.source})`;
}

export function formatReportJson(r: BenchReport): string {
  return JSON.stringify(r, null, 2);
}
