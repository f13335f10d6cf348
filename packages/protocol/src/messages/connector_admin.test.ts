import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode } from '../codec/schema.ts';
import { Apis, apiByKey } from '../apis.ts';
import { ApiKey } from '../api_key.ts';
import { ConnectorConfigRequest, ConnectorLogsResponse, ListConnectorsResponse } from './connector_admin.ts';
import type { Connector } from './connector_admin.ts';

const connector: Connector = {
  name: 'lines',
  spec: { type: 'file-source', config: 'meta: {}\n'.repeat(10_000), secretNames: ['TOKEN'], generation: 2, createdMs: 1, updatedMs: 2 },
  status: { state: 'Restarting', restarts: 3, lastError: 'exit code 1: boom', pid: null, startedAtMs: 1_700_000_000_000 },
};

test('connector messages round-trip, configs longer than a u16 string included', () => {
  const list = { errorCode: 0, errorMessage: null, connectors: [connector] };
  assert.deepEqual(decode(ListConnectorsResponse, encode(ListConnectorsResponse, list).toBuffer()), list);
  const req = { config: 'x'.repeat(70_000), secrets: null };
  assert.deepEqual(decode(ConnectorConfigRequest, encode(ConnectorConfigRequest, req).toBuffer()), req);
  const logs = { errorCode: 0, errorMessage: null, text: 'line 1\nline 2\n' };
  assert.deepEqual(decode(ConnectorLogsResponse, encode(ConnectorLogsResponse, logs).toBuffer()), logs);
});

test('connector APIs are registered under their own keys', () => {
  for (const name of ['CreateConnector', 'ListConnectors', 'DescribeConnector', 'DeleteConnector', 'UpdateConnector', 'ConnectorLogs'] as const) {
    assert.equal(Apis[name].key, ApiKey[name]);
    assert.equal(apiByKey(ApiKey[name]), Apis[name]);
  }
  assert.equal(ApiKey.CreateConnector, 40);
  assert.equal(ApiKey.ConnectorLogs, 45);
});
