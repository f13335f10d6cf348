import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Apis } from '@eddy/protocol';
import type { ApiName } from '@eddy/protocol';
import { HANDLERS, handlersByKey } from './handler_table.ts';
import type { ConnectionApi, HandlerTable } from './handler_table.ts';
import { listOffsets } from './handlers/list_offsets.ts';

const CONNECTION_APIS: readonly ConnectionApi[] = ['StreamFetch', 'StreamFetchAck', 'StreamFetchClose', 'WatchMetadata'];

test('every api has exactly one owner: a handler in the table, or the connection', () => {
  const byKey = handlersByKey();
  for (const name of Object.keys(Apis) as ApiName[]) {
    const key = Apis[name].key;
    const ownedByConnection = (CONNECTION_APIS as readonly string[]).includes(name);
    assert.equal(byKey.has(key), !ownedByConnection, `${name}: in the table unless the connection serves it`);
    if (!ownedByConnection) assert.equal(byKey.get(key), HANDLERS[name as keyof HandlerTable], `${name}: its own handler under its own key`);
  }
  assert.equal(byKey.size, Object.keys(Apis).length - CONNECTION_APIS.length);
});

test('a handler of the wrong api does not type-check', () => {
  // @ts-expect-error a ListOffsets handler takes and returns ListOffsets bodies, not Produce ones
  const wrong: HandlerTable = { ...HANDLERS, Produce: listOffsets };
  assert.equal(wrong.Produce, listOffsets);
});
