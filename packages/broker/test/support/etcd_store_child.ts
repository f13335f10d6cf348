// A second process on the same etcd (for etcd_metadata_store.test.ts): opens an
// EtcdMetadataStore, prints what it sees on stdout as JSON lines, and runs the commands it
// reads on stdin, one JSON line each: {"put": object} | {"delete": [kind, name]} | {"exit": true}.
import { createInterface } from 'node:readline';
import { EtcdMetadataStore } from '../../src/controller/etcd_metadata_store.ts';
import type { MetadataObject } from '../../src/controller/metadata_store.ts';

const [endpoint, prefix] = process.argv.slice(2);
const store = await EtcdMetadataStore.open({ endpoints: [endpoint], prefix });
const say = (o: unknown): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };
store.watch((e) => say({ event: `${e.op}:${e.kind}:${e.name}`, spec: e.object.spec }));
say({ ready: true, topics: store.list('topic').map((o) => o.name) });
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line) as { put?: MetadataObject; delete?: [string, string]; exit?: boolean };
  if (cmd.put) await store.put(cmd.put);
  if (cmd.delete) await store.delete(cmd.delete[0], cmd.delete[1]);
  if (cmd.exit) break;
  say({ done: line });
}
await store.close();
// stdin is still open (the parent holds it): leave without waiting for it.
process.exit(0);
