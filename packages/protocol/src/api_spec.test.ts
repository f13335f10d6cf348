import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { struct, string, i16, i32, option, array, defaulted, decode, encode } from './codec/schema.ts';
import { defineApi, apiVersionOf, nearestApiVersion, unsupportedVersionMessage } from './api_spec.ts';
import { Apis, apiByKey } from './apis.ts';
import { encodeRequest, encodeResponse, readRequestHeader, readResponseHeader } from './envelope.ts';
import { ApiKey } from './api_key.ts';

// A test-only API at v0 and v1: v1 added `limit` to the request and `total` to the response.
const LookupRequestV0 = struct({ name: string });
const LookupRequestV1 = struct({ name: string, limit: i32 });
const LookupResponseV0 = struct({ errorCode: i16, errorMessage: option(string), hits: array(string) });
const LookupResponseV1 = struct({ errorCode: i16, errorMessage: option(string), hits: array(string), total: i32 });
const TEST_KEY = 900;
const Lookup = defineApi(TEST_KEY, {
  0: { request: defaulted(LookupRequestV0, { limit: -1 }), response: defaulted(LookupResponseV0, { total: -1 }) },
  1: { request: LookupRequestV1, response: LookupResponseV1 },
});

const name = fc.string({ maxLength: 30 });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const request = fc.record({ name, limit: int32 });
const response = fc.record({
  errorCode: fc.integer({ min: -32768, max: 32767 }),
  errorMessage: fc.option(name, { nil: null }),
  hits: fc.array(name, { maxLength: 5 }),
  total: int32,
});

test('the table gives the range of its version keys and the newest layouts as request/response', () => {
  assert.equal(Lookup.minVersion, 0);
  assert.equal(Lookup.maxVersion, 1);
  assert.equal(Lookup.request, LookupRequestV1);
  assert.equal(Lookup.response, LookupResponseV1);
  assert.equal(apiVersionOf(Lookup, 1)?.request, LookupRequestV1);
  assert.notEqual(apiVersionOf(Lookup, 0)?.request, undefined);
});

test('a request travels at each version: the header names it, the broker reads that layout', () => {
  fc.assert(fc.property(request, fc.constantFrom(0, 1), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (body, version, corr) => {
    const frame = Buffer.concat(encodeRequest({ apiKey: TEST_KEY, apiVersion: version, correlationId: corr, clientId: 'c' },
      apiVersionOf(Lookup, version)!.request, body));
    const { header, reader } = readRequestHeader(frame.subarray(4));
    assert.equal(header.apiVersion, version);
    const got = decode(apiVersionOf(Lookup, header.apiVersion)!.request, frame, 4 + reader.pos);
    // v0 has no limit on the wire: the broker sees the default.
    assert.deepEqual({ ...got }, version === 1 ? { ...body } : { name: body.name, limit: -1 });
  }));
});

test('v0 bytes stay what they were before v1 existed (new fields are dropped, not written)', () => {
  fc.assert(fc.property(request, (body) => {
    const v0 = encode(apiVersionOf(Lookup, 0)!.request, body).toBuffer();
    assert.deepEqual(v0, encode(LookupRequestV0, { name: body.name }).toBuffer());
    assert.equal(encode(apiVersionOf(Lookup, 1)!.request, body).toBuffer().length, v0.length + 4);
  }));
});

test('a response is answered in the version of the request and reads back in it', () => {
  fc.assert(fc.property(response, fc.constantFrom(0, 1), (body, version) => {
    const frame = Buffer.concat(encodeResponse(7, apiVersionOf(Lookup, version)!.response!, body));
    const { correlationId, reader } = readResponseHeader(frame.subarray(4));
    assert.equal(correlationId, 7);
    const got = decode(apiVersionOf(Lookup, version)!.response!, frame, 4 + reader.pos);
    assert.deepEqual({ ...got }, { ...body, total: version === 1 ? body.total : -1 });
  }));
});

test('a version outside the range is refused; its answer uses the nearest layout', () => {
  fc.assert(fc.property(fc.integer({ min: -32768, max: 32767 }), (v) => {
    assert.equal(apiVersionOf(Lookup, v) !== undefined, v === 0 || v === 1);
    assert.equal(nearestApiVersion(Lookup, v), Lookup.versions[v < 0 ? 0 : v > 1 ? 1 : v]);
  }));
  assert.equal(unsupportedVersionMessage(Apis.ListTopics, 9), 'ListTopics version 9 is not supported (supported: 0..0)');
});

test('defineApi refuses gaps, negatives, no versions and a version that stops being answered', () => {
  const v = { request: LookupRequestV0, response: LookupResponseV0 };
  assert.throws(() => defineApi(TEST_KEY, {}), /no version/);
  assert.throws(() => defineApi(TEST_KEY, { 0: v, 2: v }), /consecutive/);
  assert.throws(() => defineApi(TEST_KEY, { [-1]: v, 0: v }), /consecutive/);
  assert.throws(() => defineApi(TEST_KEY, { 0: v, 1: { request: LookupRequestV0, response: null } }), /answered/);
  const retired = defineApi(TEST_KEY, { 2: v, 3: v });
  assert.deepEqual([retired.minVersion, retired.maxVersion], [2, 3]);
});

test('every API of this build starts at v0 (ListPartitions, CreateSmartModule, ListSmartModules are at v1), and a v0 request frame keeps its bytes', () => {
  const atV1 = new Set<unknown>([Apis.ListPartitions, Apis.CreateSmartModule, Apis.ListSmartModules]);
  for (const a of Object.values(Apis)) {
    assert.deepEqual([a.minVersion, a.maxVersion], [0, atV1.has(a) ? 1 : 0], String(a.key));
    assert.equal(apiByKey(a.key), a);
  }
  const frame = Buffer.concat(encodeRequest({ apiKey: ApiKey.ListTopics, apiVersion: 0, correlationId: 7, clientId: 'c' },
    apiVersionOf(Apis.ListTopics, 0)!.request, { names: ['t'] }));
  // size 18 | key 12 | version 0 | corr 7 | clientId "c" | names: 1 × "t"
  assert.equal(frame.toString('hex'), '00000012' + '000c' + '0000' + '00000007' + '000163' + '00000001' + '000174');
});

test('ListPartitions v1 carries a partition\'s damage; v0 leaves it out and reads as undamaged', () => {
  const status = { partition: 0, leader: 1, status: 'Online', logStartOffset: 0, highWatermark: 9, sizeBytes: 90, damage: 'offsets 2-3 lost (damaged segment)', lostOffsets: 2 };
  const res = { errorCode: 0, errorMessage: null, partitions: [{ topic: 't', status }] };
  const v1 = apiVersionOf(Apis.ListPartitions, 1)!.response!;
  assert.deepEqual(decode(v1, encode(v1, res).toBuffer()), res);
  const v0 = apiVersionOf(Apis.ListPartitions, 0)!.response!;
  const old = encode(v0, res).toBuffer();
  assert.equal(old.length, encode(v1, res).toBuffer().length - (2 + status.damage.length) - 8);
  assert.deepEqual(decode(v0, old).partitions[0].status, { ...status, damage: '', lostOffsets: 0 });
});
