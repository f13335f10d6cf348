// A SmartModule registered with an ABI version (a Fluvio module built before ABI 22 needs its own):
// every stream or produce request that names it calls it at that version unless it names one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@eddy/protocol';
import { MAP_META } from '../../smartengine/test/wat_modules.ts';
import { withBroker } from './helpers.ts';
import { recordsIn } from './raw_client.ts';
import { createTopic, endedOk, produce, readAll, sm } from './smartmodule_helpers.ts';
import type { RawClient } from './raw_client.ts';
import type { StreamFetchResponse } from '@eddy/protocol';

/** MAP_META replaces each value with base offset, base timestamp and the ABI version (u32 BE at 16). */
function versionsSeen(responses: StreamFetchResponse[]): number[] {
  return responses.flatMap((r) => recordsIn(r.records)).map((rec) => Buffer.from(rec.value!).readUInt32BE(16));
}

async function create(client: RawClient, name: string, abiVersion?: number) {
  return client.request('CreateSmartModule', { name, version: '0.1.0', description: '', wasm: Buffer.from(MAP_META), ...(abiVersion !== undefined ? { abiVersion } : {}) });
}

test('a module registered at ABI 21 runs at 21 on every stream that names it; the stream may still name its own', async () => {
  await withBroker(async ({ client }) => {
    await createTopic(client, 'events');
    assert.equal((await create(client, 'meta-21', 21)).errorCode, ErrorCode.None);
    assert.equal((await create(client, 'meta-default')).errorCode, ErrorCode.None);
    await produce(client, 'events', [['a', 'b'], ['c']]);

    const recorded = await readAll(client, 'events', [sm('meta-21')]);
    endedOk(recorded);
    assert.deepEqual(versionsSeen(recorded), [21, 21, 21]);

    const named = await readAll(client, 'events', [sm('meta-21', { version: 25 })]);
    endedOk(named);
    assert.deepEqual(versionsSeen(named), [25, 25, 25], 'the stream\'s own version wins');

    const unset = await readAll(client, 'events', [sm('meta-default')]);
    endedOk(unset);
    assert.deepEqual(versionsSeen(unset), [25, 25, 25], 'no recorded version: the newest');

    // The producer side resolves names the same way.
    await createTopic(client, 'produced');
    const p = await produce(client, 'produced', [['x']], [sm('meta-21')]);
    assert.equal(p.errorCode, ErrorCode.None, p.errorMessage ?? '');
    assert.deepEqual(versionsSeen(await readAll(client, 'produced', [])), [21]);

    const listed = await client.request('ListSmartModules', { names: [] });
    assert.deepEqual(listed.modules.map((m) => [m.name, m.spec.abiVersion]), [['meta-21', 21], ['meta-default', null]]);
  });
});

test('an ABI version outside the engine\'s range is refused with one line', async () => {
  await withBroker(async ({ client }) => {
    for (const [v, code] of [[12, ErrorCode.InvalidRequest], [26, ErrorCode.InvalidRequest]] as const) {
      const r = await create(client, 'meta', v);
      assert.equal(r.errorCode, code);
      assert.equal(r.errorMessage, `invalid ABI version ${v} of 'meta:0.1.0': SmartModule ABI versions are 16 to 25`);
    }
    assert.equal((await client.request('ListSmartModules', { names: [] })).modules.length, 0);
  });
});
