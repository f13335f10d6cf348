import assert from 'node:assert/strict';
import { test } from 'node:test';
import AjvModule from 'ajv';
import { ConfigError, Offset, OffsetKind, connectorMetadata, defineSink, defineSource, parseConnectorConfig, parseSecretsFile, toOffset } from './support.ts';

const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default ?? AjvModule;

const http = defineSource<{ endpoint: string; interval: string; method: string; headers: string[] }>({
  name: 'http-source',
  version: '0.3.0',
  description: 'Polls an HTTP endpoint',
  options: {
    type: 'object',
    required: ['endpoint'],
    additionalProperties: false,
    properties: {
      endpoint: { type: 'string', description: 'URL to poll' },
      interval: { type: 'string', default: '10s', description: 'Time between polls' },
      method: { type: 'string', enum: ['GET', 'POST'], default: 'GET' },
      headers: { type: 'array', items: { type: 'string' }, default: [] },
    },
  },
  open() { return []; },
});

const sink = defineSink({
  name: 'file-sink', version: '0.1.0', description: 'x',
  options: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  open() { return { async write() {} }; },
});

const V1 = `
apiVersion: 0.1.0
meta:
  version: 0.3.0
  name: cat-facts
  type: http-source
  topic: cat-facts
  producer:
    linger: 10ms
    batch-size: 16KB
    compression: gzip
http:
  endpoint: "https://catfact.ninja/fact"
  interval: 10s
transforms:
  - uses: infinyon/jolt@0.1.0
    with:
      spec:
        - operation: default
          spec: { source: http }
`;

test('0.1.0: meta, producer, transforms and the section with defaults', () => {
  const { config } = parseConnectorConfig<{ endpoint: string; method: string; headers: string[] }>(http, V1);
  assert.equal(config.apiVersion, '0.1.0');
  assert.equal(config.name, 'cat-facts');
  assert.deepEqual(config.topic, { name: 'cat-facts' });
  assert.deepEqual(config.producer, { lingerMs: 10, batchSizeBytes: 16_000, compression: 'gzip' });
  assert.equal(config.options.endpoint, 'https://catfact.ninja/fact');
  assert.equal(config.options.method, 'GET'); // default filled in
  assert.deepEqual(config.options.headers, []);
  assert.equal(config.transforms.length, 1);
  assert.equal(config.transforms[0].name, 'infinyon/jolt@0.1.0');
  assert.deepEqual(JSON.parse(config.transforms[0].params!.spec), [{ operation: 'default', spec: { source: 'http' } }]);
});

test('0.2.0: topic object, consumer offsets, secrets', () => {
  const text = `
apiVersion: 0.2.0
meta:
  version: 0.1.0
  name: my-file-sink
  type: file-sink
  topic:
    meta:
      name: events
    partition:
      count: 3
    retention:
      time: 2 days
      segment-size: 10MB
    compression:
      type: Lz4
  consumer:
    id: my-sink
    partition: [0, 2]
    max-bytes: 1MB
    offset:
      start: { from-end: 5 }
      strategy: auto
      flush-period: 2s
  secrets:
    - name: DIR
file:
  path: "\${{ secrets.DIR }}/out.txt"
`;
  const { config, resolver } = parseConnectorConfig<{ path: string }>(sink, text, { file: new Map([['DIR', '/tmp/secret-dir']]), env: {} });
  assert.deepEqual(config.topic, { name: 'events', partitions: 3, retentionMs: 2 * 86_400_000, segmentBytes: 10_000_000, compression: 'lz4' });
  assert.deepEqual(config.consumer, { id: 'my-sink', partitions: [0, 2], maxBytes: 1_000_000, start: { 'from-end': 5 }, strategy: 'auto', flushPeriodMs: 2000 });
  assert.equal(config.options.path, '/tmp/secret-dir/out.txt');
  assert.deepEqual(config.secrets, ['DIR']);
  assert.equal(resolver.redact('writing /tmp/secret-dir/out.txt'), 'writing [secret]/out.txt');
  const o = toOffset(config.consumer.start);
  assert.ok(o instanceof Offset);
  assert.equal(o.kind, OffsetKind.FromEnd);
  assert.equal(o.value, 5);
});

test('consumer defaults: named after the connector, manual commits, start at the end', () => {
  const { config } = parseConnectorConfig(sink, 'meta: {name: s1, type: file-sink, topic: t}\nfile: {path: /x}\n');
  assert.deepEqual(config.consumer, { id: 's1', start: 'end', strategy: 'manual' });
});

test('meta.create-topic (Fluvio\'s) is a boolean, absent unless given', () => {
  const text = (v: string): string => `meta: {name: s1, type: file-sink, topic: t${v}}\nfile: {path: /x}\n`;
  assert.equal(parseConnectorConfig(sink, text(', create-topic: true')).config.createTopic, true);
  assert.equal(parseConnectorConfig(sink, text(', create-topic: false')).config.createTopic, false);
  assert.equal('createTopic' in parseConnectorConfig(sink, text('')).config, false);
  assert.throws(() => parseConnectorConfig(sink, text(', create-topic: sometimes')), /^ConfigError: meta\.create-topic: must be boolean$/);
});

test('secrets come from the environment when the file lacks them; a missing one is a one-line error', () => {
  const text = 'meta: {name: s1, type: file-sink, topic: t}\nfile: {path: "${{secrets.P}}"}\n';
  assert.equal(parseConnectorConfig<{ path: string }>(sink, text, { env: { P: '/from/env' } }).config.options.path, '/from/env');
  assert.throws(() => parseConnectorConfig(sink, text, { env: {} }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.message, "file.path: secret 'P' is not set (give it in the --secrets file or as an environment variable)");
    return true;
  });
  // A secret value with YAML syntax in it stays a plain string.
  assert.equal(parseConnectorConfig<{ path: string }>(sink, text, { env: { P: 'a: [b, "c' } }).config.options.path, 'a: [b, "c');
});

test('declared secrets must resolve', () => {
  const text = 'meta: {name: s1, type: file-sink, topic: t, secrets: [{name: TOKEN}]}\nfile: {path: /x}\n';
  assert.throws(() => parseConnectorConfig(sink, text, { env: {} }), /^ConfigError: meta\.secrets\[0\]\.name: secret 'TOKEN' is not set/);
});

test('every error names its YAML path on one line', () => {
  const cases: [string, RegExp][] = [
    ['meta: {name: s1, type: http-source, topic: t}\nhttp: {}\n', /^http\.endpoint: is required$/],
    ['meta: {name: s1, type: http-source, topic: t}\nhttp: {endpoint: x, method: PUT}\n', /^http\.method: must be one of: "GET", "POST"$/],
    ['meta: {name: s1, type: http-source, topic: t}\nhttp: {endpoint: x, bogus: 1}\n', /^http\.bogus: is not a known field$/],
    ['meta: {name: s1, type: http-source, topic: t}\nhttp: {endpoint: 5}\n', /^http\.endpoint: must be string$/],
    ['meta: {name: s1, type: http-source}\nhttp: {endpoint: x}\n', /^meta\.topic: is required$/],
    ['meta: {name: s1, type: mqtt-source, topic: t}\nhttp: {endpoint: x}\n', /^meta\.type: this connector is 'http-source'/],
    ['meta: {name: s1, type: http-source, topic: {meta: {name: t}}}\nhttp: {endpoint: x}\n', /^meta\.topic: a topic object needs apiVersion 0\.2\.0/],
    ['meta: {name: s1, type: http-source, topic: t, producer: {linger: soon}}\nhttp: {endpoint: x}\n', /^meta\.producer\.linger: invalid duration/],
    ['meta: {name: s1, type: http-source, topic: t, producer: {batch-size: lots}}\nhttp: {endpoint: x}\n', /^meta\.producer\.batch-size: must be a size/],
    ['meta: {name: s1, type: http-source, topic: t, consumer: {offset: {start: middle}}}\nhttp: {endpoint: x}\n', /^meta\.consumer\.offset\.start: must be beginning, end/],
    ['meta: {name: s1, type: http-source, topic: t, consumer: {offset: {strategy: often}}}\nhttp: {endpoint: x}\n', /^meta\.consumer\.offset\.strategy: must be one of/],
    ['apiVersion: 9.9.9\nmeta: {name: s1, type: http-source, topic: t}\n', /^apiVersion: must be one of 0\.1\.0, 0\.2\.0/],
    ['meta: {name: s1, type: http-source, topic: t}\nhttp: {endpoint: x}\nmqtt: {}\n', /^mqtt: is not a known section/],
    ['meta: {name: s1, type: http-source, topic: t}\nhttp: {endpoint: x}\ntransforms: [{with: {a: b}}]\n', /^transforms\[0\]\.uses is required/],
    ['meta: {name: S 1, type: http-source, topic: t}\nhttp: {endpoint: x}\n', /^meta\.name: must match pattern/],
    ['meta: [1\n', /^config is not valid YAML/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseConnectorConfig(http, text, { env: {} }), (e: Error) => {
      assert.ok(e instanceof ConfigError, `${text}: ${e}`);
      assert.match(e.message, re, text);
      assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
      return true;
    });
  }
});

test('secrets files: NAME=value lines, comments, quotes; bad lines name the line only', () => {
  const m = parseSecretsFile('# comment\n\nA=1\nB = "two words"\nC=x=y\n');
  assert.deepEqual([...m], [['A', '1'], ['B', 'two words'], ['C', 'x=y']]);
  assert.throws(() => parseSecretsFile('A=1\nnot a secret value\n'), (e: Error) => e.message === 'secrets file line 2: expected NAME=value' && !e.message.includes('not a secret'));
});

test('metadata: Fluvio shape, draft-07, valid against the meta-schema, no config values', () => {
  const md = connectorMetadata(http);
  assert.deepEqual(Object.keys(md), ['name', 'direction', 'schema', 'version', 'description']);
  assert.equal(md.name, 'http-source');
  assert.equal(md.direction, 'Source');
  assert.equal(md.version, '0.3.0');
  assert.equal(md.schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal(md.schema.title, 'HttpOpts');
  const ajv = new Ajv({ strict: false });
  assert.equal(ajv.validateSchema(md.schema as object), true, JSON.stringify(ajv.errors));
  assert.equal(connectorMetadata(sink).direction, 'Sink');
  // An invalid schema is caught by the same check (the test can fail).
  assert.equal(ajv.validateSchema({ type: 'object', properties: { a: { type: 'strnig' } } }), false);
});
