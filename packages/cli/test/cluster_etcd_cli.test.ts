// `eddy cluster` with a local etcd and no metrics endpoint: status says metrics are off, and stop
// stops the etcd even when the broker is already gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eddy, ok, tempHome } from './helpers.ts';
import { isAlive } from '../src/cluster/process_state.ts';

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('status with --metrics-port -1 says metrics off; stop after the broker died still stops the local etcd', async () => {
  const home = tempHome();
  const run = (args: string[]) => eddy(args, { home });
  let etcdPid = 0;
  let brokerPid = 0;
  try {
    ok(await run(['cluster', 'start', '--metadata', 'etcd', '--port', '0', '--metrics-port', '-1']));
    etcdPid = (JSON.parse(fs.readFileSync(path.join(home, 'etcd.json'), 'utf8')) as { pid: number }).pid;
    assert.ok(isAlive(etcdPid), 'etcd runs after cluster start');

    const text = ok(await run(['cluster', 'status'])).stdout;
    assert.match(text, /^metrics\s+off$/m);
    assert.doesNotMatch(text, /:-1/);
    const status = JSON.parse(ok(await run(['cluster', 'status', '-O', 'json'])).stdout) as { pid: number; metrics: unknown };
    assert.equal(status.metrics, null);
    brokerPid = status.pid;

    process.kill(brokerPid, 'SIGKILL');
    await until(() => !isAlive(brokerPid), 10_000, 'the broker to die');
    const stopped = ok(await run(['cluster', 'stop'])).stdout;
    assert.equal(stopped, `the local cluster is not running; its local etcd stopped (pid ${etcdPid})\n`);
    assert.equal(isAlive(etcdPid), false, 'etcd still runs after cluster stop');
    // Nothing left to stop: the plain message.
    assert.equal(ok(await run(['cluster', 'stop'])).stdout, 'the local cluster is not running\n');
  } finally {
    for (const pid of [brokerPid, etcdPid]) if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  }
});
