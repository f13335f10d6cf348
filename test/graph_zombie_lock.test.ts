// Issue 17: a restart right after kill -9 must not fail with "data directory is in use" while the
// killed broker is a zombie (dead, not yet reaped by its parent). The killed broker here is the
// child of a `sleep` that never reaps it, as a supervisor busy elsewhere would leave it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnBroker } from '../packages/broker/test/support/launcher.ts';
import { brokerLaunch } from '../packages/cli/src/cluster/local_cluster.ts';
import { isRunning } from '../packages/broker/src/util/dir_lock.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.charAt(stat.lastIndexOf(')') + 2);
}

test('a broker starts on a data dir whose lock holder was killed and is an unreaped zombie', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-zombie-lock-'));
  const lock = join(dataDir, 'broker.lock');
  // sh starts the broker in the background, then becomes `sleep`, which never waits for children.
  const argv = [process.execPath, ...brokerLaunch().args, '--port', '0', '--metrics-port', '-1', '--data-dir', dataDir];
  const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const parent = spawn('sh', ['-c', `${quoted} >/dev/null 2>&1 & exec sleep 600`], { stdio: 'ignore' });
  try {
    await until('the first broker to take the lock', () => existsSync(lock) && Number.parseInt(readFileSync(lock, 'utf8'), 10) > 0);
    const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    assert.notEqual(pid, parent.pid, 'the lock holder is the grandchild, not our child');
    assert.equal(isRunning(pid), true, 'a live holder is running');
    process.kill(pid, 'SIGKILL');
    await until('the killed broker to be a zombie', () => procState(pid) === 'Z');
    assert.equal(isRunning(pid), false, 'a zombie holder is not running');
    assert.ok(existsSync(lock), 'the kill left the lock file behind');

    const second = await spawnBroker({ entry: brokerLaunch().args, dataDir });
    try {
      assert.equal(Number.parseInt(readFileSync(lock, 'utf8'), 10), second.proc.pid, 'the new broker holds the lock');
      assert.equal(procState(pid), 'Z', 'the old broker was still a zombie while the new one started');
    } finally {
      await second.stop();
    }
  } finally {
    parent.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
