// main.ts as a process: its readiness line and log file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@eddy/protocol';
import { RawClient } from './raw_client.ts';
import { spawnBroker } from './support/launcher.ts';

interface LogLine { level?: number; time?: number; msg?: string; event?: string; port?: number; metricsPort?: number }

function logLines(file: string): LogLine[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LogLine);
}

/** Every line is pino's: a numeric level, a time and a message. */
function assertAllPino(lines: LogLine[]): void {
  for (const l of lines) {
    assert.equal(typeof l.level, 'number', `not a pino line: ${JSON.stringify(l)}`);
    assert.equal(typeof l.time, 'number', `not a pino line: ${JSON.stringify(l)}`);
    assert.equal(typeof l.msg, 'string', `not a pino line: ${JSON.stringify(l)}`);
  }
}

test('stdout and stderr into one log file (as `eddy cluster start` does): only pino lines, one of them says where it listens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-main-'));
  const log = join(dir, 'broker.log');
  try {
    const b = await spawnBroker({ args: ['--data-dir', join(dir, 'data')], sharedLog: log });
    const client = await RawClient.connect(b.port);
    assert.equal((await client.request('ApiVersions', { clientVersion: 'x' })).errorCode, ErrorCode.None);
    await client.close();
    assert.equal(await b.stop(), 0);
    const lines = logLines(log);
    assertAllPino(lines);
    const ready = lines.filter((l) => l.event === 'listening');
    assert.equal(ready.length, 1);
    assert.equal(ready[0].level, 30);
    assert.equal(ready[0].port, b.port);
    assert.equal(ready[0].metricsPort, -1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with --log-file, the bare listening line goes to stdout only, and a pino line (even at --log-level warn) to the log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-main-'));
  const log = join(dir, 'broker.log');
  try {
    const b = await spawnBroker({ args: ['--data-dir', join(dir, 'data'), '--log-file', log, '--log-level', 'warn'] });
    let stdout = '';
    b.proc.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    assert.equal(await b.stop(), 0);
    const lines = logLines(log);
    assertAllPino(lines);
    assert.deepEqual(lines.map((l) => l.event), ['listening'], 'at warn, the readiness line is the only one');
    assert.equal(lines[0].port, b.port);
    assert.equal(stdout, '', 'nothing else on stdout after the listening line');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
