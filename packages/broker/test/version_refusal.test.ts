import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Apis, ErrorCode, ListTopicsResponse, encodeRequest, readResponseHeader } from '@eddy/protocol';
import { decode } from '@eddy/protocol/internal';
import { withBroker } from './helpers.ts';
import { RawClient } from './raw_client.ts';

test('a request at a version the broker lacks is answered UnsupportedVersion and the connection keeps working', async () => {
  await withBroker(async ({ broker }) => {
    const c = await RawClient.connect(broker.port);
    try {
      for (const [corr, version] of [[500, 9], [501, -1]]) {
        c.write(encodeRequest({ apiKey: Apis.ListTopics.key, apiVersion: version, correlationId: corr, clientId: 't' }, Apis.ListTopics.request, { names: [] }));
      }
      // Answers come in request order on one connection: once this one is in, the refusals are too.
      const ok = await c.request('ListTopics', { names: [] });
      assert.equal(ok.errorCode, ErrorCode.None);
      assert.deepEqual(c.unsolicited.map((u) => u.correlationId), [500, 501]);
      for (const [i, version] of [9, -1].entries()) {
        const { reader } = readResponseHeader(c.unsolicited[i].body);
        const refused = decode(ListTopicsResponse, c.unsolicited[i].body, reader.pos);
        assert.equal(refused.errorCode, ErrorCode.UnsupportedVersion);
        assert.equal(refused.errorMessage, `ListTopics version ${version} is not supported (supported: 0..0)`);
      }
      assert.equal((await c.request('ApiVersions', { clientVersion: 'x' })).errorCode, ErrorCode.None);
    } finally {
      await c.close();
    }
  });
});
