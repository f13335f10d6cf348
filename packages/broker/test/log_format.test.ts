// The broker's log formats: JSON lines (never loading pino-pretty), pretty human lines, and the
// --log-format flag of the broker process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { devNull } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defaultLogFormat, parseLogFormat } from '../src/observability/logger.ts';

const LOGGER = new URL('../src/observability/logger.ts', import.meta.url).href;
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Logs one line in `format` to stderr in a fresh process; stdout says whether pino-pretty got loaded. */
function logOnce(format: string): { stderr: string; prettyLoaded: boolean } {
  const script = `
    import { createRequire } from 'node:module';
    const { createLogger } = await import(${JSON.stringify(LOGGER)});
    const owned = createLogger({ stderr: true, format: ${JSON.stringify(format)} });
    owned.logger.info({ topic: 't', n: 1 }, 'created topic');
    owned.close();
    const cache = createRequire(${JSON.stringify(LOGGER)}).cache;
    process.stdout.write(String(Object.keys(cache).some((k) => k.includes('pino-pretty'))));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return { stderr: r.stderr, prettyLoaded: r.stdout === 'true' };
}

test('json: pino JSON lines, and pino-pretty is never loaded', () => {
  const { stderr, prettyLoaded } = logOnce('json');
  const line = JSON.parse(stderr.trim()) as Record<string, unknown>;
  assert.equal(line.level, 30);
  assert.equal(line.msg, 'created topic');
  assert.equal(line.topic, 't');
  assert.equal(prettyLoaded, false);
});

test('pretty: one human line (time, level word, message, fields), no colour when not a terminal', () => {
  const { stderr, prettyLoaded } = logOnce('pretty');
  assert.match(stderr, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: created topic \{"topic":"t","n":1\}\n$/);
  assert.equal(prettyLoaded, true);
});

test('log formats: parsing and the default for a non-terminal', () => {
  assert.equal(parseLogFormat('pretty'), 'pretty');
  assert.equal(parseLogFormat('json'), 'json');
  assert.throws(() => parseLogFormat('xml'), /^Error: unknown log format 'xml' \(expected one of: json, pretty\)$/);
  const fd = openSync(devNull, 'r');
  try {
    assert.equal(defaultLogFormat(fd), 'json', 'not a terminal');
  } finally {
    closeSync(fd);
  }
});

test('the broker process refuses an unknown --log-format with one line', () => {
  const r = spawnSync(process.execPath, [MAIN, '--log-format', 'xml'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "eddy-broker: unknown log format 'xml' (expected one of: json, pretty)\n");
});
