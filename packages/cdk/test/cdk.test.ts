import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { until } from '../../connector/test/eddy_topics.ts';
import { listDeployments, main, readState } from '../src/mod.ts';

let dir: string;
let home: string | undefined;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-cdk-'));
  home = process.env.EDDY_HOME;
  process.env.EDDY_HOME = join(dir, 'home');
});
after(() => {
  if (home === undefined) delete process.env.EDDY_HOME; else process.env.EDDY_HOME = home;
  rmSync(dir, { recursive: true, force: true });
});

async function cdk(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, (t) => { out += t; }, (t) => { err += t; });
  return { code, out, err };
}

for (const kind of ['source', 'sink'] as const) {
  test(`generate ${kind}: the project builds and passes its own test without edits`, async () => {
    const g = await cdk('generate', `demo-${kind}`, '--dir', dir);
    assert.equal(g.code, 0, g.err);
    const root = join(dir, `demo-${kind}`);
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const b = await cdk('build');
      assert.equal(b.code, 0, b.err);
      assert.match(b.out, /type check: ok/);
      assert.match(b.out, new RegExp(`demo-${kind} 0\\.1\\.0 \\(${kind === 'source' ? 'Source' : 'Sink'}\\): metadata ok`));
    } finally {
      process.chdir(cwd);
    }
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // a runner of its own, not a child of this one
    const t = spawnSync(process.execPath, ['--test', 'test/connector.test.ts'], { cwd: root, encoding: 'utf8', env });
    assert.equal(t.status, 0, t.stdout + t.stderr);
    assert.match(t.stdout, /pass 3/);
    // A broken edit is caught by build (the check can fail).
    writeFileSync(join(root, 'src', 'broken.ts'), 'const x: number = "no";\nexport { x };\n');
    process.chdir(root);
    try {
      assert.equal((await cdk('build')).code, 1);
    } finally {
      process.chdir(cwd);
    }
  });
}

test('deploy: supervised, restarted with backoff after a crash, a second deployment of the name refused, list/log/shutdown', async () => {
  // A connector that logs a line and crashes: the supervisor must restart it.
  const bin = join(dir, 'crashy.ts');
  writeFileSync(bin, "console.log(JSON.stringify({ event: 'starting', args: process.argv.slice(2) }));\nsetTimeout(() => process.exit(3), 100);\n");
  const config = join(dir, 'crashy.yaml');
  writeFileSync(config, 'meta: {name: crashy, type: crashy-source, topic: t}\n');
  const secrets = join(dir, 'crashy.env');
  writeFileSync(secrets, 'TOKEN=very-secret-value\n');

  const s = await cdk('deploy', 'start', '--config', config, '--secrets', secrets, '--bin', bin);
  assert.equal(s.code, 0, s.err);
  await until(() => (readState('crashy')?.restarts ?? 0) >= 1);

  const again = await cdk('deploy', 'start', '--config', config, '--bin', bin);
  assert.equal(again.code, 2);
  assert.match(again.err, /^cdk: connector 'crashy' is already deployed \(pid \d+\); shut it down first/);

  const l = await cdk('deploy', 'list');
  assert.match(l.out, /^NAME\s+TYPE\s+STATUS\s+PID\s+RESTARTS\s+LAST EXIT\n/);
  assert.match(l.out, /crashy\s+crashy-source\s+(running|restarting)\s+\S+\s+\d+\s+(exit code 3|-)/);
  const state = readFileSync(join(process.env.EDDY_HOME!, 'connectors', 'crashy', 'state.json'), 'utf8');
  assert.ok(!state.includes('very-secret-value'), 'no secret values in the state');

  await until(() => (readState('crashy')?.restarts ?? 0) >= 2);
  const log = await cdk('deploy', 'log', '--name', 'crashy');
  assert.ok(log.out.split('\n').filter((x) => x.includes('"event":"starting"')).length >= 2, log.out);
  assert.match(log.out, /"event":"cdk-restart","name":"crashy","lastExit":"exit code 3","restarts":1,"delayMs":1000/);
  assert.match(log.out, /"restarts":2,"delayMs":2000/); // backoff doubles

  const pid = readState('crashy')!.supervisorPid;
  const down = await cdk('deploy', 'shutdown', '--name', 'crashy');
  assert.equal(down.code, 0, down.err);
  assert.throws(() => process.kill(pid, 0));
  assert.deepEqual(listDeployments(), []);
  assert.equal((await cdk('deploy', 'log', '--name', 'crashy')).code, 2);
});
