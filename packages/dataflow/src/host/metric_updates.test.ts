import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Histogram, Registry, type OpenMetricsContentType } from 'prom-client';
import {
  GraphMetricsExporter, METRIC_BUCKETS, MetricError, MetricLabelsError, MetricUpdates,
  decodeMetricLabels, encodeMetricLabels, metricNameProblem, type HistogramUpdate, type MetricUpdate,
} from './metric_updates.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Hand-built ABI label bytes, independent of encodeMetricLabels. */
function rawLabels(pairs: [Uint8Array, Uint8Array][], count = pairs.length): Uint8Array {
  const parts: number[] = [];
  const u32 = (n: number): void => { parts.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff); };
  u32(count);
  for (const [k, v] of pairs) {
    u32(k.length); parts.push(...k);
    u32(v.length); parts.push(...v);
  }
  return Uint8Array.from(parts);
}

describe('ABI label decoding', () => {
  it('decodes the encoding, zero bytes as no labels', () => {
    assert.deepEqual(decodeMetricLabels(new Uint8Array(0)), {});
    assert.deepEqual(decodeMetricLabels(rawLabels([])), {});
    assert.deepEqual(decodeMetricLabels(rawLabels([[enc('code'), enc('200')], [enc('π'), enc('ünï')]])), { code: '200', π: 'ünï' });
  });

  it('reads from a view inside a larger memory', () => {
    const inner = rawLabels([[enc('a'), enc('b')]]);
    const mem = new Uint8Array(inner.length + 7);
    mem.set(inner, 3);
    assert.deepEqual(decodeMetricLabels(mem.subarray(3, 3 + inner.length)), { a: 'b' });
  });

  it('names what is malformed', () => {
    const bad = (bytes: Uint8Array, re: RegExp): void => {
      assert.throws(() => decodeMetricLabels(bytes), (e: unknown) => e instanceof MetricLabelsError && re.test(e.message) && !e.message.includes('\n'));
    };
    bad(Uint8Array.from([1, 0]), /count needs 4 bytes, got 2/);
    bad(rawLabels([], 1_000_000), /count 1000000 needs at least/);
    bad(rawLabels([[enc('a'), enc('b')]], 2), /count 2 needs at least 20 bytes/);
    bad(Uint8Array.from([1, 0, 0, 0, 10, 0, 0, 0, 97, 98, 99, 100]), /label 0 key needs 10 bytes at offset 8, 4 left/);
    bad(rawLabels([[enc('a'), enc('xyz')]]).subarray(0, 12), /label 0 value length needs 4 bytes at offset 9/);
    bad(rawLabels([[enc('a'), enc('xyz')]]).subarray(0, 13), /label 0 value needs 3 bytes at offset 13, 0 left/);
    bad(rawLabels([[enc('a'), enc('1')], [enc('a'), enc('2')]]), /label key "a" repeats/);
    bad(rawLabels([[Uint8Array.from([0xc3]), enc('1')]]), /label 0 key is not valid UTF-8/);
    bad(rawLabels([[enc('k'), Uint8Array.from([0xff, 0xfe])]]), /label 0 value is not valid UTF-8/);
    bad(Uint8Array.from([...rawLabels([[enc('a'), enc('b')]]), 0]), /1 bytes after 1 labels/);
  });

  it('a "__proto__" key is an own property, not a prototype change', () => {
    const l = decodeMetricLabels(rawLabels([[enc('__proto__'), enc('x')]]));
    assert.equal(Object.getPrototypeOf(l), Object.prototype);
    assert.deepEqual(Object.keys(l), ['__proto__']);
  });

  const pairsArb = fc.uniqueArray(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 6 })), { selector: ([k]) => k, maxLength: 6 });

  it('property: decode inverts the encoding', () => {
    fc.assert(fc.property(pairsArb, (pairs) => {
      const bytes = rawLabels(pairs.map(([k, v]) => [enc(k), enc(v)]));
      assert.deepEqual(decodeMetricLabels(bytes), Object.fromEntries(pairs));
      assert.deepEqual(encodeMetricLabels(Object.fromEntries(pairs)).length, bytes.length);
      assert.deepEqual(decodeMetricLabels(encodeMetricLabels(Object.fromEntries(pairs))), Object.fromEntries(pairs));
    }));
  });

  it('property: every truncation throws MetricLabelsError', () => {
    fc.assert(fc.property(pairsArb, fc.nat(), (pairs, cut) => {
      const bytes = encodeMetricLabels(Object.fromEntries(pairs));
      const n = 1 + (cut % (bytes.length - 1));
      assert.throws(() => decodeMetricLabels(bytes.subarray(0, n)), MetricLabelsError);
    }));
  });

  it('property: arbitrary bytes decode or throw MetricLabelsError, nothing else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (tail, small) => {
      // a small count makes a plausible header, so the walk gets past the first check
      const bytes = small ? Uint8Array.from([tail.length % 4, 0, 0, 0, ...tail]) : tail;
      try {
        const l = decodeMetricLabels(bytes);
        assert.equal(encodeMetricLabels(l).length, bytes.length === 0 ? 4 : bytes.length);
      } catch (e) {
        assert.ok(e instanceof MetricLabelsError, String(e));
      }
    }), { numRuns: 500 });
  });
});

describe('metric names', () => {
  it('takes the Prometheus charset and names a bad name', () => {
    for (const ok of ['a', '_x', 'ns:sub_total', 'A9']) assert.equal(metricNameProblem(ok), undefined);
    for (const bad of ['', '9a', 'a-b', 'a b', 'é']) assert.match(metricNameProblem(bad)!, new RegExp(`name ${JSON.stringify(JSON.stringify(bad)).slice(1, -1)} is not a Prometheus metric name`));
  });
});

describe('MetricUpdates (worker side)', () => {
  it('sums counter increments per name and sorted labels', () => {
    const m = new MetricUpdates();
    m.counter('requests', { code: '200', method: 'get' }, 2);
    m.counter('requests', { method: 'get', code: '200' }, 3);
    m.counter('requests', { code: '500', method: 'get' }, 1);
    m.counter('other', {}, 0.5);
    assert.equal(m.pending, 3);
    const out = m.drain();
    assert.deepEqual(out, [
      { kind: 'counter', name: 'requests', labels: { code: '200', method: 'get' }, value: 5 },
      { kind: 'counter', name: 'requests', labels: { code: '500', method: 'get' }, value: 1 },
      { kind: 'counter', name: 'other', labels: {}, value: 0.5 },
    ]);
    assert.deepEqual(Object.keys((out[0] as { labels: object }).labels), ['code', 'method']);
    assert.equal(m.pending, 0);
    assert.deepEqual(m.drain(), []);
  });

  it('ABI bytes land in the same series as objects, with labels in any order', () => {
    const m = new MetricUpdates();
    const mem = new Uint8Array(64);
    const name = enc('hits');
    mem.set(name, 10);
    m.counterFromAbi(mem.subarray(10, 10 + name.length), rawLabels([[enc('b'), enc('2')], [enc('a'), enc('1')]]), 1);
    mem.fill(0); // the module reuses its memory: nothing may alias it
    m.counterFromAbi(enc('hits'), rawLabels([[enc('b'), enc('2')], [enc('a'), enc('1')]]), 1);
    m.counterFromAbi(enc('hits'), rawLabels([[enc('a'), enc('1')], [enc('b'), enc('2')]]), 1);
    m.counter('hits', { a: '1', b: '2' }, 1);
    m.counterFromAbi(enc('hits'), new Uint8Array(0), 7);
    assert.deepEqual(m.drain(), [
      { kind: 'counter', name: 'hits', labels: { a: '1', b: '2' }, value: 4 },
      { kind: 'counter', name: 'hits', labels: {}, value: 7 },
    ]);
  });

  it('folds histogram observations into the default buckets (le inclusive), sum and count', () => {
    const m = new MetricUpdates();
    for (const v of [0, 0.005, 0.0051, 1, 10, 11, 1e9, -3]) m.histogram('latency', {}, v);
    m.histogramFromAbi(enc('latency'), new Uint8Array(0), 0.3);
    const [u] = m.drain() as HistogramUpdate[];
    assert.equal(u.kind, 'histogram');
    assert.deepEqual(METRIC_BUCKETS, [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    //                   .005 .01 .025 .05 .1 .25 .5 1  2.5 5  10 +Inf
    assert.deepEqual(u.buckets, [3, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 2]);
    assert.equal(u.count, 9);
    assert.equal(u.sum, 0 + 0.005 + 0.0051 + 1 + 10 + 11 + 1e9 - 3 + 0.3);
  });

  it('a counter and a histogram of one name are separate series', () => {
    const m = new MetricUpdates();
    m.counter('x', {}, 1);
    m.histogram('x', {}, 1);
    assert.deepEqual(m.drain().map((u) => u.kind), ['counter', 'histogram']);
  });

  it('drained updates survive structured cloning unchanged', () => {
    const m = new MetricUpdates();
    m.counter('c', { k: 'v' }, 3);
    m.histogram('h', { k: 'v' }, 0.2);
    const out = m.drain();
    assert.deepEqual(structuredClone(out), out);
  });

  it('refuses bad names, labels and values with a MetricError naming the metric', () => {
    const m = new MetricUpdates();
    const bad = (f: () => void, metric: string, re: RegExp): void => {
      assert.throws(f, (e: unknown) => e instanceof MetricError && e.metric === metric && re.test(e.message) && e.message.includes(JSON.stringify(metric)));
    };
    bad(() => m.counter('bad-name', {}, 1), 'bad-name', /not a Prometheus metric name/);
    bad(() => m.counter('c', { 'bad-label': 'x' }, 1), 'c', /label name "bad-label" is not a Prometheus label name/);
    bad(() => m.counter('c', { __x: 'x' }, 1), 'c', /reserved \(starts with __\)/);
    bad(() => m.counter('c', { graph: 'x' }, 1), 'c', /label name "graph" is reserved/);
    bad(() => m.histogram('h', { operation: 'x' }, 1), 'h', /label name "operation" is reserved/);
    bad(() => m.histogram('h', { le: '1' }, 1), 'h', /"le" is reserved/);
    bad(() => m.counter('c', {}, -1), 'c', /counter increment -1 is negative/);
    bad(() => m.counter('c', {}, Number.NaN), 'c', /value NaN is not a finite number/);
    bad(() => m.histogram('h', {}, Number.POSITIVE_INFINITY), 'h', /value Infinity is not a finite number/);
    bad(() => m.counterFromAbi(enc('c'), Uint8Array.from([1, 0, 0, 0]), 1), 'c', /metric labels truncated/);
    bad(() => m.counterFromAbi(Uint8Array.from([0xff]), new Uint8Array(0), 1), '\u00ff', /not valid UTF-8/);
    bad(() => m.histogramFromAbi(enc('h2'), new Uint8Array(0), Number.NaN), 'h2', /value NaN is not a finite number/);
    assert.equal(m.pending, 0); // nothing refused left a series behind
    m.counter('le', { le: 'ok for counters' }, 1);
    assert.equal(m.pending, 1);
  });

  it('bounds the series held between drains', () => {
    const m = new MetricUpdates({ maxSeries: 3 });
    for (let i = 0; i < 3; i++) m.counter('c', { id: String(i) }, 1);
    m.counter('c', { id: '0' }, 1); // existing series still fine
    assert.throws(() => m.counter('c', { id: '3' }, 1), /more than 3 series between drains/);
    m.drain();
    m.counter('c', { id: '3' }, 1);
  });
});

describe('GraphMetricsExporter (main thread)', () => {
  it('exports counters with graph, operation and the module labels, accumulating across applies', async () => {
    const registry = new Registry();
    const ex = new GraphMetricsExporter(registry);
    ex.apply('g1', 'filter', [{ kind: 'counter', name: 'dropped', labels: { reason: 'cold' }, value: 5 }]);
    ex.apply('g1', 'filter', [{ kind: 'counter', name: 'dropped', labels: { reason: 'cold' }, value: 2 }]);
    ex.apply('g2', 'filter', [{ kind: 'counter', name: 'dropped', labels: { reason: 'say "hi"\n' }, value: 1 }]);
    const text = await registry.metrics();
    assert.match(text, /^# TYPE eddy_graph_module_dropped counter$/m);
    assert.match(text, /^eddy_graph_module_dropped\{graph="g1",operation="filter",reason="cold"\} 7$/m);
    assert.match(text, /^eddy_graph_module_dropped\{graph="g2",operation="filter",reason="say \\"hi\\"\\n"\} 1$/m);
  });

  it('exports histograms like prom-client would for the same observations', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.double({ min: -1, max: 20, noNaN: true }), { maxLength: 30 }), async (values) => {
      const registry = new Registry();
      const ref = new Histogram({ name: 'reference', help: 'h', labelNames: ['graph', 'operation', 'zone'], registers: [registry] });
      const m = new MetricUpdates();
      for (const v of values) {
        m.histogram('lat', { zone: 'a' }, v);
        ref.observe({ graph: 'g', operation: 'op', zone: 'a' }, v);
      }
      const ex = new GraphMetricsExporter(registry);
      ex.apply('g', 'op', structuredClone(m.drain()));
      if (values.length === 0) {
        assert.equal(registry.getSingleMetric('eddy_graph_module_lat'), undefined);
        return;
      }
      const body = (s: string): string => s.split('\n').filter((l) => !l.startsWith('#')).join('\n');
      const ours = body(await registry.getSingleMetricAsString('eddy_graph_module_lat')).replaceAll('eddy_graph_module_lat', 'reference');
      assert.equal(ours, body(await registry.getSingleMetricAsString('reference')));
    }), { numRuns: 50 });
  });

  it('adds histogram bucket counts, sums and counts across applies', async () => {
    const registry = new Registry();
    const ex = new GraphMetricsExporter(registry);
    const m = new MetricUpdates();
    m.histogram('size', {}, 0.2);
    ex.apply('g', 'map', m.drain());
    m.histogram('size', {}, 3);
    m.histogram('size', {}, 30);
    ex.apply('g', 'map', m.drain());
    const text = await registry.metrics();
    assert.match(text, /^# TYPE eddy_graph_module_size histogram$/m);
    assert.match(text, /^eddy_graph_module_size_bucket\{le="0.1",graph="g",operation="map"\} 0$/m);
    assert.match(text, /^eddy_graph_module_size_bucket\{le="0.25",graph="g",operation="map"\} 1$/m);
    assert.match(text, /^eddy_graph_module_size_bucket\{le="5",graph="g",operation="map"\} 2$/m);
    assert.match(text, /^eddy_graph_module_size_bucket\{le="\+Inf",graph="g",operation="map"\} 3$/m);
    assert.match(text, /^eddy_graph_module_size_sum\{graph="g",operation="map"\} 33.2$/m);
    assert.match(text, /^eddy_graph_module_size_count\{graph="g",operation="map"\} 3$/m);
  });

  it('throws one line naming the metric when its label keys change, after applying the rest', async () => {
    const registry = new Registry();
    const ex = new GraphMetricsExporter(registry);
    ex.apply('g', 'op', [{ kind: 'counter', name: 'hits', labels: { a: '1' }, value: 1 }]);
    assert.throws(
      () => ex.apply('g', 'op', [
        { kind: 'counter', name: 'hits', labels: { a: '1', b: '2' }, value: 1 },
        { kind: 'counter', name: 'hits', labels: { a: '1' }, value: 10 },
      ]),
      (e: unknown) => e instanceof MetricError && e.metric === 'hits'
        && e.message === 'graph metric "hits" has label keys [a, b] but was first used with [a]',
    );
    assert.match(await registry.metrics(), /^eddy_graph_module_hits\{graph="g",operation="op",a="1"\} 11$/m);
  });

  it('refuses a kind change, bad names and malformed updates, and says how many were rejected', () => {
    const registry = new Registry();
    const ex = new GraphMetricsExporter(registry);
    ex.apply('g', 'op', [{ kind: 'counter', name: 'x', labels: {}, value: 1 }]);
    assert.throws(() => ex.apply('g', 'op', [{ kind: 'histogram', name: 'x', labels: {}, buckets: new Array(12).fill(0), sum: 0, count: 0 }]),
      /^MetricError: graph metric "x" is a counter; it cannot also be a histogram$/);
    assert.throws(() => ex.apply('g', 'op', [
      { kind: 'counter', name: '1x', labels: {}, value: 1 },
      { kind: 'counter', name: 'y', labels: {}, value: -1 },
      { kind: 'histogram', name: 'h', labels: {}, buckets: [1], sum: 0, count: 1 },
      { kind: 'counter', name: 'z', labels: { graph: 'mine' }, value: 1 },
    ]), (e: unknown) => e instanceof MetricError && e.metric === '1x' && /is not a Prometheus metric name \(.*\) \(and 3 more rejected metric updates\)$/.test(e.message));
    assert.throws(() => ex.apply('g', 'op', [{ kind: 'gauge', name: 'g', labels: {}, value: 1 } as unknown as MetricUpdate]), /unknown kind "gauge"/);
  });

  it('will not take over a name registered by something else', () => {
    const registry = new Registry();
    new Histogram({ name: 'eddy_graph_module_taken', help: 'h', registers: [registry] });
    const ex = new GraphMetricsExporter(registry);
    assert.throws(() => ex.apply('g', 'op', [{ kind: 'counter', name: 'taken', labels: {}, value: 1 }]), /eddy_graph_module_taken is already registered/);
  });

  it('bounds series per metric', () => {
    const ex = new GraphMetricsExporter(new Registry(), { maxSeriesPerMetric: 2 });
    ex.apply('g', 'a', [{ kind: 'counter', name: 'c', labels: {}, value: 1 }]);
    ex.apply('g', 'b', [{ kind: 'counter', name: 'c', labels: {}, value: 1 }]);
    assert.throws(() => ex.apply('g', 'c', [{ kind: 'counter', name: 'c', labels: {}, value: 1 }]), /"c": more than 2 series/);
  });

  it('removeGraph drops its series and unregisters metrics left empty, freeing their label keys', async () => {
    const registry = new Registry();
    const ex = new GraphMetricsExporter(registry);
    ex.apply('g1', 'op', [{ kind: 'counter', name: 'shared', labels: {}, value: 1 }, { kind: 'counter', name: 'own', labels: { k: 'v' }, value: 1 }]);
    ex.apply('g2', 'op', [{ kind: 'counter', name: 'shared', labels: {}, value: 2 }]);
    ex.removeGraph('g1');
    const text = await registry.metrics();
    assert.doesNotMatch(text, /graph="g1"/);
    assert.doesNotMatch(text, /eddy_graph_module_own/);
    assert.match(text, /^eddy_graph_module_shared\{graph="g2",operation="op"\} 2$/m);
    ex.apply('g3', 'op', [{ kind: 'histogram', name: 'own', labels: { other: 'v' }, buckets: new Array(12).fill(0), sum: 0, count: 0 }]);
    assert.match(await registry.metrics(), /^# TYPE eddy_graph_module_own histogram$/m);
  });

  it('works in an OpenMetrics registry (counters get _total)', async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const ex = new GraphMetricsExporter(registry);
    ex.apply('g', 'op', [{ kind: 'counter', name: 'events', labels: {}, value: 4 }]);
    assert.match(await registry.metrics(), /^eddy_graph_module_events_total\{graph="g",operation="op"\} 4$/m);
  });
});
