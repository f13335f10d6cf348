import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import fc from 'fast-check';
import {
  Apis, ErrorCode, OffsetStart, RequestHeader, encodeRequest, ListTopicsResponse, StatusResponse,
} from '@eddy/protocol';
import { Writer, decode } from '@eddy/protocol/internal';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { withBroker } from './helpers.ts';
import { RawClient, batchOf, streamRecords, topicSpec } from './raw_client.ts';

const MAX_FRAME = 64 * 1024;

/**
 * Writes `bytes` on a fresh connection and waits until the server closes it or `ms` pass. With
 * `end`, our side is half-closed after the write (the server then closes promptly).
 */
async function throwAt(port: number, bytes: Buffer, ms = 100, end = false): Promise<Buffer> {
  const s = connect({ port, host: '127.0.0.1' });
  const got: Buffer[] = [];
  s.on('data', (d: Buffer) => got.push(d));
  s.on('error', () => {});
  await new Promise<void>((resolve) => s.once('connect', () => resolve()));
  s.write(bytes);
  if (end) s.end();
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    s.once('close', () => { clearTimeout(t); resolve(); });
  });
  s.destroy();
  return Buffer.concat(got);
}

function frame(body: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(4 + body.length);
  b.writeInt32BE(body.length, 0);
  Buffer.from(body.buffer, body.byteOffset, body.length).copy(b, 4);
  return b;
}

function header(apiKey: number, apiVersion: number, correlationId: number, clientId = 'fuzz'): Buffer {
  const w = new Writer();
  RequestHeader.write(w, { apiKey, apiVersion, correlationId, clientId });
  return w.toBuffer();
}

function validRequests(): Buffer[] {
  const h = (api: keyof typeof Apis) => ({ apiKey: Apis[api].key, apiVersion: 0, correlationId: 7, clientId: 'fuzz' });
  return [
    Buffer.concat(encodeRequest(h('Produce'), Apis.Produce.request, { acks: 1, timeoutMs: 10, smartmodules: [], topics: [{ name: 'fuzz-ok', partitions: [{ partition: 0, records: batchOf(['fz']) }] }] })),
    Buffer.concat(encodeRequest(h('StreamFetch'), Apis.StreamFetch.request, { topic: 'fuzz-ok', partition: 0, startKind: 1, startValue: 0, endOffset: -1, stopAtEnd: true, maxBytes: 1000, windowBytes: 0, smartmodules: [] })),
    Buffer.concat(encodeRequest(h('ListTopics'), Apis.ListTopics.request, { names: [] })),
    Buffer.concat(encodeRequest(h('OffsetCommit'), Apis.OffsetCommit.request, { consumer: 'c', topic: 'fuzz-ok', partitions: [{ partition: 0, offset: 0 }] })),
  ];
}

/** Byte strings a hostile or broken client might send. */
const hostileInput: fc.Arbitrary<Buffer> = fc.oneof(
  // Pure noise.
  fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b)),
  // Well-sized frames of noise.
  fc.array(fc.uint8Array({ maxLength: 500 }), { minLength: 1, maxLength: 4 }).map((bs) => Buffer.concat(bs.map(frame))),
  // A real header (any api key/version) followed by noise.
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: -3, max: 3 }), fc.integer(), fc.uint8Array({ maxLength: 300 }))
    .map(([k, v, c, body]) => frame(Buffer.concat([header(k, v, c), Buffer.from(body)]))),
  // Known api keys with noise bodies (more likely to get deep into decoding).
  fc.tuple(fc.constantFrom(...Object.values(Apis).map((a) => a.key)), fc.uint8Array({ maxLength: 300 }))
    .map(([k, body]) => frame(Buffer.concat([header(k, 0, 1), Buffer.from(body)]))),
  // Valid requests, truncated anywhere, then sent with their original size prefix (connection ends early).
  fc.tuple(fc.constantFrom(...validRequests()), fc.nat()).map(([req, cut]) => req.subarray(0, cut % req.length)),
  // Valid requests with a few bytes flipped.
  fc.tuple(fc.constantFrom(...validRequests()), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }))
    .map(([req, flips]) => {
      const b = Buffer.from(req);
      for (const [at, x] of flips) b[at % b.length] ^= x;
      return b;
    }),
  // Oversized or negative size prefixes, with or without a readable header after them.
  fc.tuple(fc.oneof(fc.integer({ min: MAX_FRAME + 1, max: 0x7fffffff }), fc.integer({ min: -0x80000000, max: -1 })), fc.boolean())
    .map(([size, withHeader]) => {
      const p = Buffer.allocUnsafe(4);
      p.writeInt32BE(size, 0);
      return withHeader ? Buffer.concat([p, header(Apis.ListTopics.key, 0, 42)]) : p;
    }),
);

test('hostile input never crashes the broker and other connections keep working', async () => {
  await withBroker(async ({ broker, client }) => {
    await client.request('CreateTopic', { name: 'fuzz-ok', spec: topicSpec(), dryRun: false });
    let produced = 0;
    await fc.assert(
      fc.asyncProperty(hostileInput, fc.boolean(), async (bytes, linger) => {
        // Some connections stay open a moment with their partial input; most hang up at once.
        await throwAt(broker.port, bytes, linger ? 30 : 1000, !linger);
        // The well-behaved connection still produces and reads back.
        const value = `ok-${produced}`;
        const r = await client.request('Produce', { acks: 1, timeoutMs: 1000, smartmodules: [], topics: [{ name: 'fuzz-ok', partitions: [{ partition: 0, records: batchOf([value]) }] }] });
        const p = r.topics[0].partitions[0];
        assert.equal(p.errorCode, ErrorCode.None);
        produced++;
        const rs = await client.stream({ topic: 'fuzz-ok', startKind: OffsetStart.Absolute, startValue: p.baseOffset, stopAtEnd: true }).collect();
        assert.ok(streamRecords(rs, p.baseOffset).some((x) => x.value === value));
      }),
      { numRuns: 150 },
    );
    // Fresh connections are still accepted.
    const late = await RawClient.connect(broker.port);
    assert.equal((await late.request('ApiVersions', { clientVersion: 'x' })).errorCode, ErrorCode.None);
    await late.close();
  }, { maxFrameBytes: MAX_FRAME });
});

test('an oversized frame gets an error response when its header is readable, then the connection closes', async () => {
  await withBroker(async ({ broker }) => {
    const p = Buffer.allocUnsafe(4);
    p.writeInt32BE(MAX_FRAME + 1, 0);
    const reply = await throwAt(broker.port, Buffer.concat([p, header(Apis.ListTopics.key, 0, 42)]), 2000);
    assert.ok(reply.length > 8, 'got a response before the close');
    assert.equal(reply.readInt32BE(0), reply.length - 4);
    assert.equal(reply.readInt32BE(4), 42);
    const body = decode(ListTopicsResponse, reply, 8);
    assert.equal(body.errorCode, ErrorCode.FrameTooLarge);
    assert.match(body.errorMessage!, /exceeds the limit/);
  }, { maxFrameBytes: MAX_FRAME });
});

// Unsupported versions are answered on a connection that stays open: version_refusal.test.ts.
test('unknown api keys and malformed requests are answered, then the connection closes', async () => {
  await withBroker(async ({ broker }) => {
    const unknown = await throwAt(broker.port, frame(header(999, 0, 5)), 2000);
    assert.equal(unknown.readInt32BE(4), 5);
    const s1 = decode(StatusResponse, unknown, 8);
    assert.equal(s1.errorCode, ErrorCode.InvalidRequest);
    assert.match(s1.errorMessage!, /unknown api key 999/);

    const trailing = await throwAt(broker.port, frame(Buffer.concat([header(Apis.ListTopics.key, 0, 8), Buffer.from([0, 0, 0, 0, 1])])), 2000);
    assert.equal(trailing.readInt32BE(4), 8);
    assert.equal(decode(ListTopicsResponse, trailing, 8).errorCode, ErrorCode.InvalidRequest);
  });
});

/** Writes `bytes` on a fresh connection (half-closing after it with `end`); the reply and whether the server closed within `ms`. */
async function sendPartial(port: number, bytes: Buffer, end: boolean, ms = 10_000): Promise<{ reply: Buffer; closed: boolean }> {
  const s = connect({ port, host: '127.0.0.1' });
  const got: Buffer[] = [];
  s.on('data', (d: Buffer) => got.push(d));
  s.on('error', () => {});
  await new Promise<void>((resolve) => s.once('connect', () => resolve()));
  s.write(bytes);
  if (end) s.end();
  const closed = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    s.once('end', () => { clearTimeout(t); resolve(true); });
  });
  s.destroy();
  return { reply: Buffer.concat(got), closed };
}

/** A frame that declares `declared` body bytes but carries only the first `have`: a ListTopics header (correlation id `corr`), then padding. */
function cutFrame(declared: number, have: number, corr: number): Buffer {
  const body = Buffer.alloc(declared, 0);
  header(Apis.ListTopics.key, 0, corr).copy(body);
  const p = Buffer.allocUnsafe(4);
  p.writeInt32BE(declared, 0);
  return Buffer.concat([p, body.subarray(0, have)]);
}

function logLines(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => { lines.push(s); } });
  return { logger, lines };
}

for (const mode of ['user buffers', 'data events'] as const) {
  test(`a frame cut short by the client's FIN is answered when its header is readable, then closed (${mode})`, async () => {
    const before = process.env.EDDY_SOCKET_DATA_EVENTS;
    process.env.EDDY_SOCKET_DATA_EVENTS = mode === 'data events' ? '1' : '0';
    const { logger, lines } = logLines();
    try {
      await withBroker(async ({ broker, client }) => {
        const { reply, closed } = await sendPartial(broker.port, cutFrame(200, 50, 77), true);
        assert.ok(closed, 'the server closed the connection');
        assert.ok(reply.length > 8, 'got an error response');
        assert.equal(reply.readInt32BE(0), reply.length - 4);
        assert.equal(reply.readInt32BE(4), 77);
        const body = decode(ListTopicsResponse, reply, 8);
        assert.equal(body.errorCode, ErrorCode.InvalidRequest);
        assert.equal(body.errorMessage, 'truncated frame: the connection ended after 50 of 200 bytes');
        assert.equal(lines.filter((l) => l.includes('truncated frame')).length, 1, 'one log line');

        // The header itself cut short: nothing to answer, still closed.
        const headless = await sendPartial(broker.port, cutFrame(200, 6, 78), true);
        assert.ok(headless.closed);
        assert.equal(headless.reply.length, 0);
        // A large frame (read straight into its own buffer) cut short is answered too.
        const large = await sendPartial(broker.port, cutFrame(200_000, 70_000, 79), true);
        assert.ok(large.closed);
        assert.equal(large.reply.readInt32BE(4), 79);
        assert.equal(decode(ListTopicsResponse, large.reply, 8).errorMessage, 'truncated frame: the connection ended after 70000 of 200000 bytes');
        // A client that sends whole frames and then ends gets its FIN answered by a close, no error.
        const clean = await sendPartial(broker.port, Buffer.alloc(0), true);
        assert.ok(clean.closed);
        assert.equal(clean.reply.length, 0);

        assert.equal((await client.request('ApiVersions', { clientVersion: 'x' })).errorCode, ErrorCode.None);
      }, { logger });
    } finally {
      if (before === undefined) delete process.env.EDDY_SOCKET_DATA_EVENTS;
      else process.env.EDDY_SOCKET_DATA_EVENTS = before;
    }
  });
}

test('a frame still incomplete after frameTimeoutMs is answered and its connection closed; idle and other connections stay', async () => {
  const { logger, lines } = logLines();
  await withBroker(async ({ broker, client }) => {
    const [stalled, headless] = await Promise.all([
      sendPartial(broker.port, cutFrame(200, 50, 91), false),
      sendPartial(broker.port, Buffer.from([0, 0]), false),
    ]);
    assert.ok(stalled.closed, 'the stalled connection was closed');
    assert.equal(stalled.reply.readInt32BE(4), 91);
    const body = decode(ListTopicsResponse, stalled.reply, 8);
    assert.equal(body.errorCode, ErrorCode.InvalidRequest);
    assert.equal(body.errorMessage, 'incomplete frame: 50 of 200 bytes arrived within 200 ms');
    assert.ok(headless.closed, 'a connection stalled inside a size prefix is closed too');
    assert.equal(headless.reply.length, 0);
    assert.equal(lines.filter((l) => l.includes('incomplete frame')).length, 2, 'one log line per connection');
    // The test's own client sat idle between frames all along: still served.
    assert.equal((await client.request('ApiVersions', { clientVersion: 'x' })).errorCode, ErrorCode.None);
  }, { logger, frameTimeoutMs: 200 });
});
