// The active controller's key in etcd names the port it really listens on, also with port 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { launchBroker } from './support/launcher.ts';
import { startEtcd } from './support/etcd_server.ts';

test('with port 0 the controller key records the bound port, not 0', async () => {
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: `http://${etcd.endpoint}` });
  try {
    const b = await launchBroker({ port: 0, metadata: `etcd://${etcd.endpoint}/addr/` });
    try {
      assert.notEqual(b.port, 0);
      const holder = await client.get('/addr/.controller').string();
      assert.equal(holder, `127.0.0.1:${b.port} pid ${process.pid}`);
    } finally {
      await b.close();
    }
  } finally {
    client.close();
    await etcd.stop();
  }
});
