// How `eddy cluster start --foreground` (what `npm start` runs) logs: human lines with
// --log-format pretty (or on a terminal), JSON lines when piped or with --log-format json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { EDDY_BIN, eddy, oneLineError, tempHome } from './helpers.ts';

/**
 * Runs the foreground cluster with stdout piped until it logs 'broker started' and prints its
 * banner (on stderr, once its signal handlers are in place), then stops it with SIGTERM; resolves
 * to its stdout lines and exit code.
 */
function foreground(extra: string[]): Promise<{ lines: string[]; code: number | null }> {
  const home = tempHome();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EDDY_BIN, 'cluster', 'start', '--foreground', '--port', '0', '--metrics-port', '-1', ...extra], {
      env: { ...process.env, EDDY_HOME: home, HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let stopped = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const stopWhenUp = () => {
      if (!stopped && out.includes('broker started') && err.includes('Ctrl-C stops it')) { stopped = true; child.kill('SIGTERM'); }
    };
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); stopWhenUp(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); stopWhenUp(); });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      fs.rmSync(home, { recursive: true, force: true });
      if (!stopped) reject(new Error(`the cluster never logged 'broker started' (exit ${code}); stderr: ${err}`));
      else resolve({ lines: out.split('\n').filter((l) => l !== ''), code });
    });
  });
}

test('--log-format pretty: one human line per entry (time, level word, message, then the fields)', async () => {
  const { lines, code } = await foreground(['--log-format', 'pretty']);
  assert.equal(code, 0);
  const started = lines.find((l) => l.includes('broker started'));
  assert.ok(started, lines.join('\n'));
  assert.match(started, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: broker started \{"dataDir":"[^"]+","host":"127\.0\.0\.1","port":\d+,"metricsPort":-1,"spuId":\d+,"topics":0\}$/);
  for (const line of lines) assert.doesNotMatch(line, /^\{/, 'no JSON lines');
});

test('piped without --log-format (and with --log-format json): JSON lines', async () => {
  for (const extra of [[], ['--log-format', 'json']]) {
    const { lines, code } = await foreground(extra);
    assert.equal(code, 0);
    const parsed = lines.map((l) => JSON.parse(l) as { level: number; msg: string; port?: number });
    const started = parsed.find((o) => o.msg === 'broker started');
    assert.ok(started, lines.join('\n'));
    assert.equal(started.level, 30);
    assert.equal(typeof started.port, 'number');
  }
});

test('--log-format: golden one-line errors (background start, unknown format)', async () => {
  const home = tempHome();
  try {
    const run = (args: string[]) => eddy(args, { home, timeoutMs: 60_000 });
    assert.equal(oneLineError(await run(['cluster', 'start', '--log-format', 'pretty'])),
      'error: --log-format applies to --foreground only (the background log file is always json)');
    assert.equal(oneLineError(await run(['cluster', 'start', '--foreground', '--log-format', 'xml'])),
      "error: option '--log-format <format>' argument 'xml' is invalid. Allowed choices are json, pretty.");
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
