// The SDK against Fluvio's SmartModule ABI, through a bare host (env.copy_records only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeInitOutput, decodeLookbackOutput, decodeOutput, encodeInput, encodeParams, encodeRecords, str, txt,
  type TestRecord,
} from './fluvio_codec.ts';
import { ProbeInstance } from './probe.ts';

const VERSIONS = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25];
const values = (out: ReturnType<typeof decodeOutput>): (string | null)[] => out.records.map((r) => txt(r.value));

test('the module imports only env.copy_records and exports the ABI', async () => {
  const p = await ProbeInstance.create();
  for (const name of ['memory', 'alloc', 'dealloc', 'filter', 'map', 'filter_map', 'array_map', 'aggregate', 'init', 'look_back']) {
    assert.ok(name in p.exports, `missing export ${name}`);
  }
});

test('filter: every input version 16..25 decodes; kept records leave byte for byte', async () => {
  const records: TestRecord[] = [
    { key: str('k'), value: str('keep'), timestampDelta: 5, attributes: 0 },
    { value: str('drop') },
    { value: str(''), offsetDelta: 7, timestampDelta: -3 },
  ];
  const section = encodeRecords(records);
  for (const version of VERSIONS) {
    const p = await ProbeInstance.create();
    const input = encodeInput({ version, baseOffset: 1000n, baseTimestamp: 77n, records: section, params: [['a', 'b']], lookback: { last: 3n, age: { secs: 2n, nanos: 5_000_000 } } });
    const r = p.call('filter', input, version);
    assert.equal(r.status, 2, `version ${version}`);
    const out = decodeOutput(r.output!);
    assert.equal(out.error, null);
    assert.deepEqual(out.records.map((x) => [txt(x.key), txt(x.value), x.offsetDelta, x.timestampDelta]), [
      ['k', 'keep', 0, 5],
      [null, '', 7, -3],
    ]);
  }
});

test('record offsets and timestamps come from base_offset/base_timestamp plus the deltas', async () => {
  const section = encodeRecords([{ value: str('a'), offsetDelta: 0, timestampDelta: 0 }, { value: str('b'), offsetDelta: 4, timestampDelta: 250 }]);
  for (const version of [21, 22, 25]) {
    const p = await ProbeInstance.create();
    const r = p.call('map_meta', encodeInput({ version, baseOffset: 5_000_000_000n, baseTimestamp: 1_700_000_000_000n, records: section }), version);
    assert.equal(r.status, 2);
    // versions before 22 carry no base_timestamp: timestamps are the deltas
    const base = version >= 22 ? 1_700_000_000_000 : 0;
    assert.deepEqual(values(decodeOutput(r.output!)), [`5000000000 ${base} 0 0`, `5000000004 ${base + 250} 4 250`]);
  }
});

test('map keeps each record\'s attributes and deltas and re-encodes it exactly', async () => {
  const arb = fc.array(
    fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
      value: fc.uint8Array({ maxLength: 300 }),
      attributes: fc.integer({ min: 0, max: 127 }),
      offsetDelta: fc.integer({ min: 0, max: 1 << 20 }),
      timestampDelta: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    }),
    { maxLength: 30 },
  );
  const p = await ProbeInstance.create();
  fc.assert(
    fc.property(arb, fc.constantFrom(...VERSIONS), (records, version) => {
      const section = encodeRecords(records);
      const r = p.call('map', encodeInput({ version, records: section }), version);
      assert.equal(r.status, records.length);
      // identity map: the successes are the input records section, byte for byte
      assert.deepEqual(r.output!.subarray(0, section.length), section);
      assert.deepEqual(Array.from(r.output!.subarray(section.length)), [0]); // error: None
    }),
    { numRuns: 150 },
  );
});

test('records with Kafka headers are read, and written out with none', async () => {
  const p = await ProbeInstance.create();
  const section = encodeRecords([{ key: str('k'), value: str('v'), headers: [[str('h1'), str('x')], [str('h2'), str('yy')]] }, { value: str('w') }]);
  const r = p.call('map', encodeInput({ version: 25, records: section }), 25);
  assert.equal(r.status, 2);
  const out = decodeOutput(r.output!);
  assert.deepEqual(out.records.map((x) => [txt(x.key), txt(x.value), x.offsetDelta]), [['k', 'v', 0], [null, 'w', 1]]);
  // filter keeps records as they came, headers included
  const f = p.call('filter', encodeInput({ version: 25, records: section }), 25);
  assert.equal(f.status, 2);
  assert.deepEqual(f.output!.subarray(0, section.length), section);
});

test('key and value helpers read raw bytes without surprises', async () => {
  const p = await ProbeInstance.create();
  const section = encodeRecords([
    { key: str('k'), value: str('abxyz') },
    { key: str(''), value: str('zzab') },
    { value: str('ñxy') },
  ]);
  const r = p.call('map_views', encodeInput({ version: 25, records: section }), 25);
  const out = decodeOutput(r.output!);
  assert.deepEqual(out.records.map((x) => [txt(x.key), txt(x.value)]), [
    ['k!', `1 k 5 111 ${[...str('abxyz')].reduce((a, b) => a + b)} 5`],
    ['!', `1  4 000 ${[...str('zzab')].reduce((a, b) => a + b)} 4`],
    [null, `0 - 4 010 ${[...str('ñxy')].reduce((a, b) => a + b)} 3`],
  ]);
});

test('clone() keeps a record valid across calls that reuse the input buffer', async () => {
  const p = await ProbeInstance.create();
  const first = p.call('map_delayed', encodeInput({ version: 25, records: encodeRecords([{ key: str('a'), value: str('one') }]) }), 25);
  assert.deepEqual(values(decodeOutput(first.output!)), ['first']);
  const second = p.call('map_delayed', encodeInput({ version: 25, records: encodeRecords([{ value: str('two-and-longer') }]) }), 25);
  const out = decodeOutput(second.output!);
  assert.deepEqual(out.records.map((x) => [txt(x.key), txt(x.value)]), [['a', 'one']]);
});

test('fail() ends the batch with Fluvio\'s error: hint, absolute offset, kind, key and value', async () => {
  const p = await ProbeInstance.create();
  const section = encodeRecords([
    { value: str('x') },
    { value: str('drop') },
    { key: str('bad-key'), value: str('fail'), offsetDelta: 9 },
    { value: str('after') },
  ]);
  const r = p.call('filter', encodeInput({ version: 25, baseOffset: 500n, records: section }), 25);
  assert.equal(r.status, 1);
  const out = decodeOutput(r.output!);
  assert.deepEqual(values(out), ['x']);
  assert.deepEqual(out.error, { hint: 'failed on purpose', offset: 509n, kind: 0, key: str('bad-key'), value: str('fail') });
});

test('filter_map, array_map and their error kinds', async () => {
  const p = await ProbeInstance.create();
  const fm = p.call('filter_map', encodeInput({ version: 25, records: encodeRecords([{ value: str('4') }, { value: str('3') }, { value: str('x') }]) }), 25);
  assert.equal(fm.status, 1);
  const fmOut = decodeOutput(fm.output!);
  assert.deepEqual(values(fmOut), ['2']);
  assert.equal(fmOut.error?.kind, 4);
  assert.equal(fmOut.error?.offset, 2n);

  const am = p.call('array_map', encodeInput({ version: 25, records: encodeRecords([{ key: str('k'), value: str('a,b'), offsetDelta: 3, timestampDelta: 9 }, { value: str('c') }, { value: str('fail') }]) }), 25);
  assert.equal(am.status, 3);
  const amOut = decodeOutput(am.output!);
  // new records, as Fluvio's Record::new_key_value: attributes and deltas 0
  assert.deepEqual(amOut.records.map((x) => [txt(x.key), txt(x.value), x.offsetDelta, x.timestampDelta, x.attributes]), [
    ['k', 'a', 0, 0, 0],
    ['k', 'b', 0, 0, 0],
    [null, 'c', 0, 0, 0],
  ]);
  assert.deepEqual(amOut.error && [amOut.error.hint, amOut.error.kind, amOut.error.offset], ['cannot split', 2, 2n]);
});

test('aggregate: accumulator in, running values out, newest accumulator last', async () => {
  for (const version of [16, 22, 25]) {
    const p = await ProbeInstance.create();
    const section = encodeRecords([{ key: str('k'), value: str('a'), timestampDelta: 4 }, { value: str('b') }]);
    const r = p.call('aggregate', encodeInput({ version, records: section, accumulator: str('start') }), version);
    assert.equal(r.status, 2);
    const out = decodeOutput(r.output!, true);
    assert.deepEqual(out.records.map((x) => [txt(x.key), txt(x.value), x.timestampDelta]), [
      ['k', 'start|a', 4],
      [null, 'start|a|b', 0],
    ]);
    assert.equal(txt(out.accumulator), 'start|a|b');
  }
  // an error keeps the last good accumulator; on the first record that is the input one
  const p = await ProbeInstance.create();
  const early = decodeOutput(p.call('aggregate', encodeInput({ version: 25, records: encodeRecords([{ value: str('fail') }]), accumulator: str('acc') }), 25).output!, true);
  assert.deepEqual([early.records.length, early.error?.kind, txt(early.accumulator)], [0, 3, 'acc']);
  const late = decodeOutput(p.call('aggregate', encodeInput({ version: 25, records: encodeRecords([{ value: str('x') }, { value: str('fail') }]), accumulator: str('') }), 25).output!, true);
  assert.deepEqual([values(late), late.error?.offset, txt(late.accumulator)], [['|x'], 1n, '|x']);
  // byte accumulator
  const bytes = p.call('aggregate_bytes', encodeInput({ version: 25, records: encodeRecords([{ value: str('xy') }, { value: str('z') }]), accumulator: Uint8Array.of(0xff) }), 25);
  const bOut = decodeOutput(bytes.output!, true);
  assert.deepEqual(bOut.records.map((x) => Array.from(x.value)), [[0xff, 0x78], [0xff, 0x78, 0x7a]]);
  assert.deepEqual(Array.from(bOut.accumulator!), [0xff, 0x78, 0x7a]);
});

test('init: params decode at every version, refusal returns -2 with the hint', async () => {
  for (const version of VERSIONS) {
    const p = await ProbeInstance.create();
    const ok = p.call('init', encodeParams(version, [['key', 'value ✓'], ['n', '']], { last: 4n, age: { secs: 3n, nanos: 500_000_000 } }), version);
    assert.equal(ok.status, 0);
    assert.equal(ok.output, null);
    const r = p.call('map_params', encodeInput({ version, records: encodeRecords([{ value: str('') }]) }), version);
    const params = JSON.parse(txt(decodeOutput(r.output!).records[0].value)!);
    assert.deepEqual(params, {
      key: 'value ✓',
      n: '',
      $last: version >= 20 ? 4 : -1,
      $ageMs: version >= 21 ? 3500 : -1,
    });
    const refused = p.call('init', encodeParams(version, [['refuse', 'no way']]), version);
    assert.equal(refused.status, -2);
    assert.equal(decodeInitOutput(refused.output!), 'refused: no way');
  }
  const p = await ProbeInstance.create();
  assert.equal(p.call('init_plain', encodeParams(25, [['a', 'b']]), 25).status, 0);
  assert.equal(p.call('init', Uint8Array.of(0, 5, 0), 25).status, -10); // truncated
});

test('old hosts that send params inside every input (no init) still reach params()', async () => {
  const p = await ProbeInstance.create();
  const r = p.call('map_params', encodeInput({ version: 19, records: encodeRecords([{ value: str('') }]), params: [['mode', 'old']] }), 19);
  assert.equal(JSON.parse(txt(decodeOutput(r.output!).records[0].value)!).mode, 'old');
});

test('look_back feeds history once; an error returns -10 with the record', async () => {
  const p = await ProbeInstance.create();
  const lb = p.call('look_back', encodeInput({ version: 25, baseOffset: 10n, records: encodeRecords([{ value: str('2') }, { value: str('40') }]) }), 25);
  assert.equal(lb.status, 0);
  assert.equal(lb.output, null);
  const sum = p.call('map_sum', encodeInput({ version: 25, records: encodeRecords([{ value: str('') }]) }), 25);
  assert.deepEqual(values(decodeOutput(sum.output!)), ['42']);
  const bad = p.call('look_back', encodeInput({ version: 25, baseOffset: 10n, records: encodeRecords([{ value: str('1') }, { key: str('k'), value: str('one') }]) }), 25);
  assert.equal(bad.status, -10);
  const err = decodeLookbackOutput(bad.output!);
  assert.deepEqual([err.offset, txt(err.key), txt(err.value)], [11n, 'k', 'one']);
  assert.match(err.hint, /invalid integer in record value: "one"/);
});

test('malformed input gives Fluvio\'s status codes, never a trap', async () => {
  const p = await ProbeInstance.create();
  const good = encodeInput({ version: 25, records: encodeRecords([{ value: str('x') }]) });
  assert.equal(p.call('filter', good.subarray(0, 10), 25).status, -11); // cut in raw_bytes length
  assert.equal(p.call('filter', good.subarray(0, good.length - 3), 25).status, -11); // cut in base_timestamp
  // a record whose value length runs past its record
  const broken = encodeRecords([{ value: str('hello') }]);
  broken[4] = 0x02; // record length 1
  const r = p.call('filter', encodeInput({ version: 25, records: broken }), 25);
  assert.equal(r.status, -22);
  assert.equal(r.output, null);
  // a count larger than the records present
  const short = encodeRecords([{ value: str('a') }]);
  short[3] = 2;
  assert.equal(p.call('map', encodeInput({ version: 25, records: short }), 25).status, -22);
  // bad params in an old input
  const oldInput = encodeInput({ version: 18, records: encodeRecords([]) });
  assert.equal(p.call('filter', oldInput.subarray(0, 17), 18).status, -44); // cut inside params
  // random bytes never trap
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...VERSIONS), (bytes, version) => {
      const res = p.call('map', bytes, version);
      assert.equal(res.trapped, null);
      if (res.status >= 0) decodeOutput(res.output!);
      else assert.ok([-11, -22, -44].includes(res.status), `status ${res.status}`);
    }),
    { numRuns: 300 },
  );
});

test('an abort (throw) reports the record being processed before trapping', async () => {
  const p = await ProbeInstance.create();
  const r = p.call('filter', encodeInput({ version: 25, baseOffset: 7n, records: encodeRecords([{ value: str('ok') }, { value: str('throw') }]) }), 25);
  assert.ok(r.trapped instanceof WebAssembly.RuntimeError, 'expected a trap');
  const out = decodeOutput(r.output!);
  assert.deepEqual(values(out), ['ok']);
  assert.equal(out.error?.offset, 8n);
  assert.match(out.error!.hint, /^aborted: thrown on purpose \(assembly\/index\.ts:\d+:\d+\)$/);
  const agg = await ProbeInstance.create();
  const a = agg.call('aggregate', encodeInput({ version: 25, records: encodeRecords([{ value: str('a') }, { value: str('throw') }]), accumulator: str('s') }), 25);
  assert.ok(a.trapped);
  const aOut = decodeOutput(a.output!, true);
  assert.deepEqual([values(aOut), aOut.error?.kind, txt(aOut.accumulator)], [['s|a'], 3, 's|a']);
  const init = await ProbeInstance.create();
  const i = init.call('init', encodeParams(25, [['throw', '1']]), 25);
  assert.ok(i.trapped);
  assert.match(decodeInitOutput(i.output!), /^aborted: init threw/);
});

test('steady streaming does not grow memory', async () => {
  const p = await ProbeInstance.create();
  const batch = encodeInput({
    version: 25,
    records: encodeRecords(Array.from({ length: 500 }, (_, i) => ({ key: str(`k${i}`), value: str(`{"n":${i},"s":"${'x'.repeat(i % 50)}"}`) }))),
  });
  for (let i = 0; i < 20; i++) p.call('map_json', batch, 25);
  const settled = p.memoryBytes;
  for (let i = 0; i < 200; i++) assert.equal(p.call('map_json', batch, 25).status, 500);
  assert.equal(p.memoryBytes, settled);
});
