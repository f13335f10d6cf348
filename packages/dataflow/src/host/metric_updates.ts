// Metrics reported by graph operator modules (ABI.md, `metric_counter` / `metric_histogram`).
// Modules run on worker threads; prom-client lives on the broker's main thread. So the worker side
// (MetricUpdates) aggregates per series between drains — counter increments summed, histogram
// observations folded into prom-client's default buckets + sum + count, so memory is bounded by
// the series count, not the observation count — and drain() hands plain structured-clone-able
// objects to the main thread, where GraphMetricsExporter adds them to a prom-client Registry as
// `eddy_graph_module_<name>` with labels graph, operation and the module's own.
import type { Metric, Registry, RegistryContentType } from 'prom-client';

/** prom-client's default histogram buckets (upper bounds); one more bucket, +Inf, follows. */
export const METRIC_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

export const METRIC_PREFIX = 'eddy_graph_module_';

export type MetricLabels = Record<string, string>;

export interface CounterUpdate {
  kind: 'counter';
  /** The module's name, without METRIC_PREFIX. */
  name: string;
  /** Keys in sorted order. */
  labels: MetricLabels;
  value: number;
}

export interface HistogramUpdate {
  kind: 'histogram';
  name: string;
  labels: MetricLabels;
  /** Per-bucket (not cumulative) counts: one per METRIC_BUCKETS bound, then +Inf. */
  buckets: number[];
  sum: number;
  count: number;
}

export type MetricUpdate = CounterUpdate | HistogramUpdate;

/** A metric that cannot be recorded or exported; `metric` is the module's metric name. */
export class MetricError extends Error {
  override name = 'MetricError';
  readonly metric: string;
  constructor(metric: string, message: string) {
    super(message);
    this.metric = metric;
  }
}

/** Label bytes that do not follow the ABI label encoding. */
export class MetricLabelsError extends Error {
  override name = 'MetricLabelsError';
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = new Set(['graph', 'operation']);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

const show = (s: string): string => JSON.stringify(s);
const latin1 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('latin1');

/** Why `name` is not a valid module metric name, or undefined when it is. */
export function metricNameProblem(name: string): string | undefined {
  if (NAME_RE.test(name)) return undefined;
  return `graph metric name ${show(name)} is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)`;
}

/** Why `labels` are not valid for metric `name` of `kind`, or undefined when they are. */
export function metricLabelsProblem(name: string, kind: MetricUpdate['kind'], labels: Readonly<MetricLabels>): string | undefined {
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_RE.test(k)) return `graph metric ${show(name)}: label name ${show(k)} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`;
    if (k.startsWith('__')) return `graph metric ${show(name)}: label name ${show(k)} is reserved (starts with __)`;
    if (RESERVED_LABELS.has(k)) return `graph metric ${show(name)}: label name ${show(k)} is reserved (the exporter adds it)`;
    if (kind === 'histogram' && k === 'le') return `graph metric ${show(name)}: label name "le" is reserved for histogram buckets`;
    if (typeof v !== 'string') return `graph metric ${show(name)}: label ${show(k)} value is not a string`;
  }
  return undefined;
}

/**
 * Decodes the ABI label encoding: u32 count, count × (u32 key length, key, u32 value length,
 * value), little-endian, UTF-8. Zero bytes mean no labels. Throws MetricLabelsError.
 */
export function decodeMetricLabels(bytes: Uint8Array): MetricLabels {
  const entries: [string, string][] = [];
  if (bytes.byteLength === 0) return {};
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.byteLength;
  if (len < 4) throw new MetricLabelsError(`metric labels truncated: count needs 4 bytes, got ${len}`);
  const count = dv.getUint32(0, true);
  // Each label takes at least 8 bytes: refuse an absurd count before looping over it.
  if (count > (len - 4) / 8) throw new MetricLabelsError(`metric labels truncated: count ${count} needs at least ${4 + count * 8} bytes, got ${len}`);
  const seen = new Set<string>();
  let pos = 4;
  const text = (i: number, what: string): string => {
    if (len - pos < 4) throw new MetricLabelsError(`metric labels truncated: label ${i} ${what} length needs 4 bytes at offset ${pos}`);
    const n = dv.getUint32(pos, true);
    pos += 4;
    if (len - pos < n) throw new MetricLabelsError(`metric labels truncated: label ${i} ${what} needs ${n} bytes at offset ${pos}, ${len - pos} left`);
    let s: string;
    try {
      s = utf8.decode(bytes.subarray(pos, pos + n));
    } catch {
      throw new MetricLabelsError(`metric labels malformed: label ${i} ${what} is not valid UTF-8`);
    }
    pos += n;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const k = text(i, 'key');
    const v = text(i, 'value');
    if (seen.has(k)) throw new MetricLabelsError(`metric labels malformed: label key ${show(k)} repeats`);
    seen.add(k);
    entries.push([k, v]);
  }
  if (pos !== len) throw new MetricLabelsError(`metric labels malformed: ${len - pos} bytes after ${count} labels`);
  // fromEntries defines own properties, so a key like "__proto__" cannot touch the prototype.
  return Object.fromEntries(entries);
}

/** The ABI label encoding of `labels` (keys in their object order). */
export function encodeMetricLabels(labels: Readonly<MetricLabels>): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 4;
  for (const [k, v] of Object.entries(labels)) {
    const kb = utf8Encoder.encode(k);
    const vb = utf8Encoder.encode(v);
    parts.push(kb, vb);
    size += 8 + kb.byteLength + vb.byteLength;
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, parts.length / 2, true);
  let pos = 4;
  for (const p of parts) {
    dv.setUint32(pos, p.byteLength, true);
    out.set(p, pos + 4);
    pos += 4 + p.byteLength;
  }
  return out;
}

function sortedLabels(labels: Readonly<MetricLabels>): MetricLabels {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function bucketIndex(value: number): number {
  let i = 0;
  while (i < METRIC_BUCKETS.length && value > METRIC_BUCKETS[i]) i++;
  return i;
}

function valueProblem(kind: MetricUpdate['kind'], value: number): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `value ${String(value)} is not a finite number`;
  if (kind === 'counter' && value < 0) return `counter increment ${value} is negative`;
  return undefined;
}

function checkValue(kind: MetricUpdate['kind'], name: string, value: number): void {
  const problem = valueProblem(kind, value);
  if (problem !== undefined) throw new MetricError(name, `graph metric ${show(name)}: ${problem}`);
}

/** A module's name bytes as text for an error message, even when they are not UTF-8. */
function nameForError(name: Uint8Array): string {
  try {
    return utf8.decode(name);
  } catch {
    return latin1(name);
  }
}

interface Series {
  kind: MetricUpdate['kind'];
  name: string;
  labels: MetricLabels;
  value: number; // counter total; histogram sum
  count: number;
  buckets: number[] | undefined;
}

export interface MetricUpdatesOptions {
  /** Distinct series held between drains; more throw MetricError (default 10,000). */
  maxSeries?: number;
}

/** Worker-side accumulator of one graph instance's (or one operation's) module metrics. */
export class MetricUpdates {
  readonly #maxSeries: number;
  /** Series by (kind, name, sorted labels). */
  readonly #series = new Map<string, Series>();
  /** Series by the raw ABI bytes of (kind, name, labels): the hot path skips decoding. */
  readonly #byRaw = new Map<string, Series>();

  constructor(options: MetricUpdatesOptions = {}) {
    this.#maxSeries = options.maxSeries ?? 10_000;
  }

  /** Series waiting for the next drain. */
  get pending(): number {
    return this.#series.size;
  }

  /** Adds `value` (finite, ≥ 0) to a counter. Throws MetricError on a bad name, labels or value. */
  counter(name: string, labels: Readonly<MetricLabels>, value: number): void {
    checkValue('counter', name, value);
    this.#record(this.#find('counter', name, labels), value);
  }

  /** Records `value` (finite) in a histogram. Throws MetricError on a bad name, labels or value. */
  histogram(name: string, labels: Readonly<MetricLabels>, value: number): void {
    checkValue('histogram', name, value);
    this.#record(this.#find('histogram', name, labels), value);
  }

  /** `metric_counter` with the name and label bytes as the module passed them (views are fine). */
  counterFromAbi(name: Uint8Array, labels: Uint8Array, value: number): void {
    if (valueProblem('counter', value) !== undefined) checkValue('counter', nameForError(name), value);
    this.#record(this.#findRaw('counter', name, labels), value);
  }

  /** `metric_histogram` with the name and label bytes as the module passed them. */
  histogramFromAbi(name: Uint8Array, labels: Uint8Array, value: number): void {
    if (valueProblem('histogram', value) !== undefined) checkValue('histogram', nameForError(name), value);
    this.#record(this.#findRaw('histogram', name, labels), value);
  }

  /** Everything recorded since the last drain, as plain objects; resets. */
  drain(): MetricUpdate[] {
    const out: MetricUpdate[] = [];
    for (const s of this.#series.values()) {
      if (s.buckets === undefined) out.push({ kind: 'counter', name: s.name, labels: s.labels, value: s.value });
      else out.push({ kind: 'histogram', name: s.name, labels: s.labels, buckets: s.buckets, sum: s.value, count: s.count });
    }
    this.#series.clear();
    this.#byRaw.clear();
    return out;
  }

  /** `value` is already checked. */
  #record(s: Series, value: number): void {
    if (s.buckets !== undefined) s.buckets[bucketIndex(value)]++;
    s.value += value;
    s.count++;
  }

  #findRaw(kind: MetricUpdate['kind'], name: Uint8Array, labels: Uint8Array): Series {
    const raw = `${kind === 'counter' ? 'c' : 'h'}${name.byteLength}:${latin1(name)}${latin1(labels)}`;
    const hit = this.#byRaw.get(raw);
    if (hit !== undefined) return hit;
    let n: string;
    try {
      n = utf8.decode(name);
    } catch {
      throw new MetricError(latin1(name), `graph metric name ${show(latin1(name))} is not valid UTF-8`);
    }
    let l: MetricLabels;
    try {
      l = decodeMetricLabels(labels);
    } catch (e) {
      throw new MetricError(n, `graph metric ${show(n)}: ${(e as Error).message}`);
    }
    const s = this.#find(kind, n, l);
    this.#byRaw.set(raw, s);
    return s;
  }

  #find(kind: MetricUpdate['kind'], name: string, labels: Readonly<MetricLabels>): Series {
    const sorted = sortedLabels(labels);
    const key = JSON.stringify([kind, name, sorted]);
    let s = this.#series.get(key);
    if (s !== undefined) return s;
    const problem = metricNameProblem(name) ?? metricLabelsProblem(name, kind, sorted);
    if (problem !== undefined) throw new MetricError(name, problem);
    if (this.#series.size >= this.#maxSeries) throw new MetricError(name, `graph metric ${show(name)}: more than ${this.#maxSeries} series between drains; label values are probably unbounded`);
    s = { kind, name, labels: sorted, value: 0, count: 0, buckets: kind === 'histogram' ? new Array<number>(METRIC_BUCKETS.length + 1).fill(0) : undefined };
    this.#series.set(key, s);
    return s;
  }
}

interface ExportedSeries {
  labels: MetricLabels; // graph, operation, then the module's keys
  value: number; // counter total; histogram sum
  count: number;
  buckets: number[] | undefined;
}

interface MetricValueOut {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * One `eddy_graph_module_<name>` family, registered in prom-client as a custom metric: prom-client's
 * Histogram can only observe one value at a time, while the workers send bucket counts. It follows
 * prom-client's metric contract (name/help/type/aggregator, get(), reset()).
 */
class ModuleMetricFamily {
  name: string; // not readonly: prom-client renames counters for OpenMetrics output
  readonly help: string;
  readonly type: MetricUpdate['kind'];
  readonly aggregator = 'sum';
  readonly moduleName: string;
  readonly labelKeys: readonly string[];
  readonly series = new Map<string, ExportedSeries>();

  constructor(moduleName: string, type: MetricUpdate['kind'], labelKeys: readonly string[]) {
    this.moduleName = moduleName;
    this.name = METRIC_PREFIX + moduleName;
    this.type = type;
    this.labelKeys = labelKeys;
    this.help = `Graph operator module ${type} ${moduleName}`;
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: MetricValueOut[] }> {
    const values: MetricValueOut[] = [];
    for (const s of this.series.values()) {
      if (s.buckets === undefined) {
        values.push({ labels: s.labels, value: s.value });
        continue;
      }
      // le first, as prom-client's own histograms print it
      let cumulative = 0;
      for (let i = 0; i < s.buckets.length; i++) {
        cumulative += s.buckets[i];
        values.push({ metricName: `${this.name}_bucket`, labels: { le: i < METRIC_BUCKETS.length ? METRIC_BUCKETS[i] : '+Inf', ...s.labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.value });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    this.series.clear();
  }
}

export interface GraphMetricsExporterOptions {
  /** Series per metric family; updates for more are rejected (default 10,000). */
  maxSeriesPerMetric?: number;
}

const sameKeys = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((k, i) => k === b[i]);

/** Main-thread side: adds drained MetricUpdates to a prom-client Registry. */
export class GraphMetricsExporter {
  readonly #registry: Registry<RegistryContentType>;
  readonly #maxSeries: number;
  readonly #families = new Map<string, ModuleMetricFamily>();

  constructor(registry: Registry<RegistryContentType>, options: GraphMetricsExporterOptions = {}) {
    this.#registry = registry;
    this.#maxSeries = options.maxSeriesPerMetric ?? 10_000;
  }

  /**
   * Applies every valid update of one operation of `graph`. If some were rejected (bad name or
   * labels, label keys or kind differing from the metric's first use, too many series), throws one
   * MetricError for the first, after applying the rest; the caller logs it.
   */
  apply(graph: string, operation: string, updates: readonly MetricUpdate[]): void {
    let first: MetricError | undefined;
    let rejected = 0;
    for (const u of updates) {
      try {
        this.#applyOne(graph, operation, u);
      } catch (e) {
        if (!(e instanceof MetricError)) throw e;
        first ??= e;
        rejected++;
      }
    }
    if (first !== undefined) {
      throw rejected === 1 ? first : new MetricError(first.metric, `${first.message} (and ${rejected - 1} more rejected metric updates)`);
    }
  }

  /** Drops a graph's series (graph deleted); metrics left without series are unregistered. */
  removeGraph(graph: string): void {
    for (const [name, f] of this.#families) {
      for (const [k, s] of f.series) if (s.labels.graph === graph) f.series.delete(k);
      if (f.series.size === 0) {
        this.#registry.removeSingleMetric(f.name);
        this.#families.delete(name);
      }
    }
  }

  #applyOne(graph: string, operation: string, u: MetricUpdate): void {
    const name = typeof u?.name === 'string' ? u.name : String(u?.name);
    const fail = (message: string): never => {
      throw new MetricError(name, message);
    };
    const nameProblem = metricNameProblem(name);
    if (nameProblem !== undefined) fail(nameProblem);
    if (u.kind !== 'counter' && u.kind !== 'histogram') fail(`graph metric ${show(name)}: unknown kind ${show(String((u as { kind: unknown }).kind))}`);
    if (typeof u.labels !== 'object' || u.labels === null) fail(`graph metric ${show(name)}: labels are not an object`);
    const labelsProblem = metricLabelsProblem(name, u.kind, u.labels);
    if (labelsProblem !== undefined) fail(labelsProblem);
    const keys = Object.keys(u.labels).sort();

    if (u.kind === 'counter') {
      if (typeof u.value !== 'number' || !Number.isFinite(u.value) || u.value < 0) fail(`graph metric ${show(name)}: counter increment ${String(u.value)} is not a finite number ≥ 0`);
    } else {
      const ok = Array.isArray(u.buckets) && u.buckets.length === METRIC_BUCKETS.length + 1 && u.buckets.every((c) => Number.isInteger(c) && c >= 0);
      if (!ok) fail(`graph metric ${show(name)}: histogram buckets are not ${METRIC_BUCKETS.length + 1} counts`);
      if (!Number.isFinite(u.sum) || !Number.isInteger(u.count) || u.count < 0) fail(`graph metric ${show(name)}: histogram sum/count are not numbers`);
    }

    let f = this.#families.get(name);
    if (f === undefined) {
      const full = METRIC_PREFIX + name;
      if (this.#registry.getSingleMetric(full) !== undefined) fail(`graph metric ${show(name)}: ${full} is already registered by something else`);
      f = new ModuleMetricFamily(name, u.kind, keys);
      this.#registry.registerMetric(f as unknown as Metric);
      this.#families.set(name, f);
    } else if (f.type !== u.kind) {
      fail(`graph metric ${show(name)} is a ${f.type}; it cannot also be a ${u.kind}`);
    } else if (!sameKeys(f.labelKeys, keys)) {
      fail(`graph metric ${show(name)} has label keys [${keys.join(', ')}] but was first used with [${f.labelKeys.join(', ')}]`);
    }

    const labels: MetricLabels = { graph, operation };
    for (const k of keys) labels[k] = u.labels[k];
    const seriesKey = JSON.stringify(Object.values(labels));
    let s = f.series.get(seriesKey);
    if (s === undefined) {
      if (f.series.size >= this.#maxSeries) fail(`graph metric ${show(name)}: more than ${this.#maxSeries} series; label values are probably unbounded`);
      s = { labels, value: 0, count: 0, buckets: u.kind === 'histogram' ? new Array<number>(METRIC_BUCKETS.length + 1).fill(0) : undefined };
      f.series.set(seriesKey, s);
    }
    if (u.kind === 'counter') {
      s.value += u.value;
    } else {
      for (let i = 0; i < u.buckets.length; i++) s.buckets![i] += u.buckets[i];
      s.value += u.sum;
      s.count += u.count;
    }
  }
}
