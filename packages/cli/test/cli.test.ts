// End-to-end: the real `eddy` CLI against a real broker process started by `eddy cluster start`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import binaryen from 'binaryen';
import { eddy, ok, oneLineError, tempHome, jsonLines, EDDY_BIN } from './helpers.ts';

const home = tempHome();
const run = (args: string[], input?: string | Buffer) => eddy(args, { home, input });

interface JsonRecord { partition: number; offset: number; timestamp: number; key: string | null; value: string }

before(async () => {
  ok(await run(['cluster', 'start', '--port', '0', '--metrics-port', '0']));
});

after(async () => {
  await run(['cluster', 'stop']);
  fs.rmSync(home, { recursive: true, force: true });
});

test('cluster start made a current "local" profile and status reports the cluster', async () => {
  const cur = JSON.parse(ok(await run(['profile', 'current', '-O', 'json'])).stdout);
  assert.equal(cur.name, 'local');
  assert.match(cur.endpoint, /^127\.0\.0\.1:\d+$/);
  const status = JSON.parse(ok(await run(['cluster', 'status', '-O', 'json'])).stdout);
  assert.equal(status.running, true);
  assert.equal(status.endpoint, cur.endpoint);
  assert.equal(status.spusOnline, 1);
  assert.equal(typeof status.topics, 'number');
  const pid = Number(fs.readFileSync(path.join(home, 'eddy.pid'), 'utf8'));
  assert.equal(status.pid, pid);
  assert.ok(fs.existsSync(path.join(home, 'logs', 'broker.log')));
  assert.ok(fs.existsSync(path.join(home, 'data')));
  // A second start is refused while the first runs.
  assert.match(oneLineError(await run(['cluster', 'start', '--port', '0', '--metrics-port', '0'])), /already running/);
});

test('topic create, list, describe, delete (-O json and yaml)', async () => {
  assert.match(ok(await run(['topic', 'create', 'orders', '-p', '2', '--retention-time', '1d 12h', '--segment-size', '10MiB',
    '--retention-size', '1GB', '--max-record-size', '2MB', '--compression-type', 'gzip', '--flush', 'fsync'])).stdout, /topic "orders" created/);
  assert.match(ok(await run(['topic', 'create', 'ghost', '--dry-run'])).stdout, /dry run/);

  const list = JSON.parse(ok(await run(['topic', 'list', '-O', 'json'])).stdout) as { name: string }[];
  assert.ok(list.some((t) => t.name === 'orders'));
  assert.ok(!list.some((t) => t.name === 'ghost'), 'dry run must not create');

  const d = JSON.parse(ok(await run(['topic', 'describe', 'orders', '-O', 'json'])).stdout);
  assert.equal(d.name, 'orders');
  assert.deepEqual(
    { ...d.spec },
    { partitions: 2, replicationFactor: 1, retentionMs: 36 * 3_600_000, retentionBytes: 1e9, segmentBytes: 10 * 1024 * 1024, maxRecordBytes: 2e6, compression: 'gzip', flush: 'fsync' },
  );
  assert.equal(d.status.partitions.length, 2);
  const y = YAML.parse(ok(await run(['topic', 'describe', 'orders', '-O', 'yaml'])).stdout);
  assert.equal(y.spec.partitions, 2);
  const table = ok(await run(['topic', 'list'])).stdout;
  assert.match(table, /^NAME\s+PARTITIONS/m);
  assert.match(table, /^orders\s+2\s/m);

  const parts = JSON.parse(ok(await run(['partition', 'list', 'orders', '-O', 'json'])).stdout) as { topic: string; status: { partition: number } }[];
  assert.deepEqual(parts.map((p) => [p.topic, p.status.partition]), [['orders', 0], ['orders', 1]]);

  assert.match(oneLineError(await run(['topic', 'create', 'orders'])), /orders/);
  assert.match(ok(await run(['topic', 'delete', 'orders'])).stdout, /topic "orders" deleted/);
  const after = JSON.parse(ok(await run(['topic', 'list', '-O', 'json'])).stdout) as { name: string }[];
  assert.ok(!after.some((t) => t.name === 'orders'));
});

test('bad input: one-line error and a non-zero exit', async () => {
  assert.match(oneLineError(await run(['topic', 'create', 'Bad_Name'])), /invalid topic name 'Bad_Name'/);
  assert.match(oneLineError(await run(['topic', 'describe', 'no-such-topic'])), /no-such-topic/);
  assert.match(oneLineError(await run(['topic', 'delete', 'no-such-topic'])), /no-such-topic/);
  assert.match(oneLineError(await run(['topic', 'create', 'x', '--retention-time', '7x'])), /--retention-time.*'7x'/);
  assert.match(oneLineError(await run(['topic', 'create', 'x', '--segment-size', 'big'])), /--segment-size.*'big'/);
  assert.match(oneLineError(await run(['topic', 'create', 'x', '-p', 'three'])), /--partitions.*'three'/);
  assert.match(oneLineError(await run(['topic', 'create', 'x', '--compression-type', 'brotli'])), /brotli/);
  assert.match(oneLineError(await run(['topic', 'list', '-O', 'xml'])), /xml/);
  assert.match(oneLineError(await run(['consume', 'x', '-F', '{{nope}}'])), /\{\{nope\}\}/);
  assert.match(oneLineError(await run(['consume', 'x', '-B', '-T', '3'])), /cannot be used with/);
  assert.match(oneLineError(await run(['consume', 'no-such-topic', '-B', '-d'])), /no-such-topic/);
  assert.match(oneLineError(await run(['produce', 'no-such-topic'], 'a\n')), /no-such-topic/);
  assert.match(oneLineError(await run(['produce', 'x', '--file', '/nonexistent/file'])), /no such file/);
  assert.match(oneLineError(await run(['frobnicate'])), /unknown command/);
  assert.match(oneLineError(await run(['topic', 'list', '--endpoint', '127.0.0.1:1'])),
    /^error: cannot reach the cluster at 127\.0\.0\.1:1 \(is it running\? try 'eddy cluster start'\)$/);
});

test('mistakes get an error that names the fix (golden lines)', async () => {
  // A transforms file with a misspelt key or nothing in it is refused before anything runs.
  const typo = path.join(home, 'typo.yaml');
  fs.writeFileSync(typo, 'transform:\n  - uses: my-filter\n');
  assert.equal(oneLineError(await run(['consume', 'x', '-B', '-d', '-t', typo])), `error: ${typo}: unknown key 'transform' (did you mean 'transforms'?)`);
  const empty = path.join(home, 'empty.yaml');
  fs.writeFileSync(empty, '');
  assert.equal(oneLineError(await run(['consume', 'x', '-B', '-d', '-t', empty])),
    `error: ${empty}: empty; expected 'transforms:' and a list of steps ({uses, with?, lookback?})`);

  // A record over the topic's maximum says which flag raises it.
  ok(await run(['topic', 'create', 'tiny', '--max-record-size', '1KB']));
  assert.match(oneLineError(await run(['produce', 'tiny'], 'x'.repeat(5000) + '\n')),
    /^error: 1 of 1 records were not written: .*topic 'tiny' max record size.* \(the limit is the topic's, set at creation: recreate it with a larger --max-record-size, e.g. 'eddy topic create tiny --max-record-size 4MB'\) \(0 of 1 records acknowledged; all 1 input line read\)$/);

  // A port in use names the flag that picks another (a second home: the first cluster holds the port).
  const port = JSON.parse(ok(await run(['profile', 'current', '-O', 'json'])).stdout).endpoint.split(':')[1];
  const other = tempHome();
  try {
    assert.match(oneLineError(await eddy(['cluster', 'start', '--port', port, '--metrics-port', '-1'], { home: other })),
      new RegExp(`^error: port ${port} on 127\\.0\\.0\\.1 is already in use( by .+ \\(pid \\d+\\))?; stop it or choose another port with --port \\(--port 0 picks a free one\\)$`));
  } finally {
    fs.rmSync(other, { recursive: true, force: true });
  }

  // Endpoints: refused at profile add when malformed; "is it running?" only when the connection was refused.
  assert.equal(oneLineError(await run(['profile', 'add', 'web', 'http://localhost:9003'])),
    "error: invalid endpoint 'http://localhost:9003': give host:port without 'http://', e.g. 'localhost:9003'");
  assert.equal(oneLineError(await run(['profile', 'add', 'odd', 'foo:bar:baz'])),
    "error: invalid endpoint 'foo:bar:baz': 'foo:bar:baz' is not an IPv6 address (write host:port, or [v6-address]:port)");
  assert.equal(oneLineError(await run(['profile', 'add', 'odd', 'my_host!:9003'])),
    "error: invalid endpoint 'my_host!:9003': 'my_host!' is not a host name or IP address (write host:port, e.g. localhost:9003)");
  const dns = oneLineError(await run(['topic', 'list', '--endpoint', 'no-such-host.invalid:9003']));
  assert.match(dns, /^error: cannot reach the cluster at no-such-host\.invalid:9003: (unknown host 'no-such-host\.invalid'|could not look up 'no-such-host\.invalid')/);
  assert.doesNotMatch(dns, /is it running/);
});

test('topic delete takes several names; the ones that fail are named', async () => {
  for (const t of ['del-a', 'del-b', 'del-c']) ok(await run(['topic', 'create', t]));
  assert.equal(ok(await run(['topic', 'delete', 'del-a', 'del-b'])).stdout, 'topic "del-a" deleted\ntopic "del-b" deleted\n');
  const r = await run(['topic', 'delete', 'del-c', 'no-such-topic']);
  assert.equal(r.stdout, 'topic "del-c" deleted\n');
  assert.match(oneLineError(r), /^error: 1 of 2 topics not deleted \(no-such-topic: .*no-such-topic.*\)$/);
  const left = (JSON.parse(ok(await run(['topic', 'list', '-O', 'json'])).stdout) as { name: string }[]).map((t) => t.name);
  assert.ok(!left.some((n) => n.startsWith('del-')), left.join(','));
});

test('the README client examples end, and run twice without TopicAlreadyExists', async () => {
  const repo = path.resolve(path.dirname(EDDY_BIN), '..', '..', '..');
  const client = pathToFileURL(path.join(repo, 'packages', 'client', 'src', 'mod.ts')).href;
  for (const [readme, heading] of [['README.md', '## Client library'], [path.join('packages', 'client', 'README.md'), '# @eddy/client']] as const) {
    const text = fs.readFileSync(path.join(repo, readme), 'utf8');
    const from = text.indexOf('```ts\n', text.indexOf(heading)) + 6;
    const code = text.slice(from, text.indexOf('```', from)).replace(`from '@eddy/client'`, `from '${client}'`);
    const file = path.join(home, `example-${path.basename(path.dirname(path.join(repo, readme)))}.mts`);
    fs.writeFileSync(file, code);
    for (const round of [1, 2]) {
      const r = await eddy([], { home, timeoutMs: 60_000 }, [file]);
      assert.equal(r.code, 0, `${readme} round ${round}: ${r.stderr}`);
      assert.equal(r.stderr, '', `${readme} round ${round}`);
      assert.match(r.stdout, /clicked|order-1/, `${readme} round ${round} printed the records`);
    }
  }
});

test('consume -O json --json-bytes base64 keeps binary values exact', async () => {
  ok(await run(['topic', 'create', 'blobs']));
  const blob = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41]);
  ok(await run(['produce', 'blobs', '--raw'], blob));
  const [rec] = jsonLines<JsonRecord>(ok(await run(['consume', 'blobs', '-B', '-d', '-O', 'json', '--json-bytes', 'base64'])).stdout);
  assert.deepEqual(Buffer.from(rec.value, 'base64'), blob);
  assert.equal(oneLineError(await run(['consume', 'blobs', '-B', '-d', '--json-bytes', 'base64'])), 'error: --json-bytes base64 applies to -O json only');
});

test('eddy completion prints a script generated from the command tree', async () => {
  const bash = ok(await run(['completion', 'bash'])).stdout;
  assert.match(bash, /^complete -F _eddy eddy$/m);
  assert.match(bash, /^ {4}'topic'\) echo 'create list describe delete' ;;$/m);
  assert.match(bash, /^ {4}'topic create\|--compression-type'\) echo 'any none gzip snappy lz4 zstd'; return 0 ;;$/m);
  const fish = ok(await run(['completion', 'fish'])).stdout;
  assert.match(fish, /^complete -c eddy -n 'test \(__eddy_path\) = "topic create"' -l partitions -s p -r -F -d 'number of partitions'$/m);
  assert.match(ok(await run(['completion', 'zsh'])).stdout, /bashcompinit/);
  assert.match(oneLineError(await run(['completion', 'tcsh'])), /tcsh.*bash, zsh, fish/);
  // The bash script completes as bash runs it.
  const script = path.join(home, 'eddy.bash');
  fs.writeFileSync(script, bash);
  const probe = spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(eddy topic create x --compression-type ''); COMP_CWORD=5; _eddy; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' });
  assert.equal(probe.stdout, 'any none gzip snappy lz4 zstd\n', probe.stderr);
});

test('produce JSON lines with their event time and key from fields (--timestamp-field, --key-field)', async () => {
  ok(await run(['topic', 'create', 'readings']));
  const input = [
    '{"sensor_id":"temp-01","value":20.5,"time":"2025-01-01T08:00:00.000Z"}',
    '{"sensor_id":"hum-01","value":45,"time":1735718405000}',
  ].join('\n') + '\n';
  ok(await run(['produce', 'readings', '--timestamp-field', 'time', '--key-field', 'sensor_id'], input));
  const records = jsonLines<JsonRecord>(ok(await run(['consume', 'readings', '-B', '-d', '-O', 'json'])).stdout);
  assert.deepEqual(records.map((r) => [r.key, r.timestamp]), [['temp-01', Date.parse('2025-01-01T08:00:00.000Z')], ['hum-01', 1735718405000]]);
  assert.match(oneLineError(await run(['produce', 'readings', '--timestamp-field', 'time'], '{"time":"yesterday"}\n')),
    /line 1: field "time" is "yesterday", not epoch milliseconds or an ISO-8601 time/);
  assert.equal(oneLineError(await run(['produce', 'readings', '--key-field', 'id'], '{"id":"a"}\n{"other":1}\n{"id":"c"}\n')),
    'error: line 2: no field "id" for the key: stopped there (1 of 1 records acknowledged; stdin not read after line 2)');
  assert.match(oneLineError(await run(['produce', 'readings', '--key-field', 'id'], 'not json\n')), /line 1 is not JSON/);
  assert.match(oneLineError(await run(['produce', 'readings', '--key-field', 'id', '--key-separator', ':'], 'a:b\n')), /cannot be used with --raw or --key-separator/);
});

test('100,000 records with keys to 3 partitions come back complete, in order per partition', async () => {
  ok(await run(['topic', 'create', 'bulk', '-p', '3']));
  const N = 100_000;
  const lines: string[] = [];
  for (let i = 0; i < N; i++) lines.push(`key-${i % 5000}:value-${i}-${'x'.repeat(i % 17)}`);
  const produced = await run(['produce', 'bulk', '--key-separator', ':'], lines.join('\n') + '\n');
  ok(produced);
  assert.match(produced.stderr, /^produced 100000 records \(\d+(\.\d)? [KM]i?B\) in \d+\.\ds \(\d+ records\/s\)\n$/);

  const consumed = ok(await run(['consume', 'bulk', '-B', '-d', '-O', 'json']));
  const records = jsonLines<JsonRecord>(consumed.stdout);
  assert.equal(records.length, N);
  const seen = new Set<number>();
  const lastIndex = new Map<number, number>();
  const nextOffset = new Map<number, number>();
  const partitionOfKey = new Map<string, number>();
  for (const r of records) {
    const m = /^value-(\d+)-(x*)$/.exec(r.value);
    assert.ok(m, `unexpected value ${r.value}`);
    const i = Number(m[1]);
    assert.equal(m[2].length, i % 17);
    assert.equal(r.key, `key-${i % 5000}`, `key of record ${i}`);
    assert.ok(!seen.has(i), `record ${i} twice`);
    seen.add(i);
    // Offsets are dense per partition and records keep their produce order there.
    assert.equal(r.offset, nextOffset.get(r.partition) ?? 0);
    nextOffset.set(r.partition, r.offset + 1);
    assert.ok(i > (lastIndex.get(r.partition) ?? -1), `partition ${r.partition} out of order at ${i}`);
    lastIndex.set(r.partition, i);
    // One key, one partition.
    const p = partitionOfKey.get(r.key!);
    if (p === undefined) partitionOfKey.set(r.key!, r.partition);
    else assert.equal(r.partition, p);
  }
  assert.equal(seen.size, N);
  assert.deepEqual([...nextOffset.keys()].sort(), [0, 1, 2], 'every partition got records');

  // -k text output: '[key] value' for every record.
  const kv = ok(await run(['consume', 'bulk', '-B', '-d', '-k', '-p', '1'])).stdout.split('\n').filter((l) => l !== '');
  assert.equal(kv.length, nextOffset.get(1));
  for (const line of kv) assert.match(line, /^\[key-\d+\] value-\d+-x*$/);
});

test('consume -H, -T, --start, --end, -F, -p, raw and table output', async () => {
  ok(await run(['topic', 'create', 'small']));
  ok(await run(['produce', 'small', '--key', 'k'], Array.from({ length: 10 }, (_, i) => `v${i}`).join('\n') + '\n\n'));
  const offsets = async (args: string[]) =>
    jsonLines<JsonRecord>(ok(await run(['consume', 'small', '-d', '-O', 'json', ...args])).stdout).map((r) => r.offset);
  assert.deepEqual(await offsets(['-B']), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'the empty line was skipped');
  assert.deepEqual(await offsets(['-H', '3']), [3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(await offsets(['-T', '2']), [8, 9]);
  assert.deepEqual(await offsets(['--start', '4', '--end', '6']), [4, 5, 6]);
  assert.deepEqual(await offsets(['-B', '--end', '1']), [0, 1]);
  assert.deepEqual(await offsets(['-B', '-p', '0']), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(await offsets([]), [], 'default: from the end');

  const templ = ok(await run(['consume', 'small', '-d', '--start', '2', '--end', '3', '-F', '{{offset}}/{{partition}} {{key}}={{value}} @{{time}}'])).stdout;
  const tl = templ.split('\n').filter((l) => l !== '');
  assert.equal(tl.length, 2);
  assert.match(tl[0], /^2\/0 k=v2 @\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Math.abs(Date.parse(tl[0].split('@')[1]) - Date.now()) < 10 * 60_000, 'time is the record timestamp');

  const raw = ok(await run(['consume', 'small', '-d', '--start', '8', '-O', 'raw'])).stdout;
  assert.equal(raw, 'v8v9');
  const table = ok(await run(['consume', 'small', '-d', '-T', '1', '-O', 'table'])).stdout;
  assert.match(table, /^PARTITION\s+OFFSET\s+KEY\s+TIMESTAMP\s+VALUE\n0\s+9\s+k\s+\S+\s+v9\n$/);

  // --raw: the whole input is one record, bytes intact.
  const blob = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256));
  ok(await run(['produce', 'small', '--raw'], blob));
  const back = ok(await run(['consume', 'small', '-d', '--start', '10', '-O', 'raw']));
  assert.deepEqual(back.stdoutBytes, blob);
});

test('produce -p, --compression, --linger, --batch-size; lines without the separator are reported', async () => {
  ok(await run(['topic', 'create', 'opts', '-p', '3']));
  const lines = Array.from({ length: 2000 }, (_, i) => `k${i}=${'v'.repeat(50)}${i}`);
  ok(await run(['produce', 'opts', '-p', '2', '--key-separator', '=', '--compression', 'gzip', '--linger', '5ms', '--batch-size', '4KB'], lines.join('\n')));
  const recs = jsonLines<JsonRecord>(ok(await run(['consume', 'opts', '-B', '-d', '-O', 'json'])).stdout);
  assert.equal(recs.length, 2000);
  assert.ok(recs.every((r) => r.partition === 2), 'every record went to partition 2');
  assert.deepEqual(recs.map((r) => `${r.key}=${r.value}`), lines);
  for (const bad of [['--compression', 'brotli'], ['--linger', 'soon'], ['--batch-size', '1XB'], ['-p', '-1']]) {
    oneLineError(await run(['produce', 'opts', ...bad], 'a\n'));
  }
  // A line without the separator stops the run there (as --key-field does): what came before is written.
  const r = await run(['produce', 'opts', '-p', '0', '--key-separator', ':'], 'a:1\nnoseparator\nb:2\n');
  assert.equal(oneLineError(r), "error: line 2 has no key separator ':': stopped there (1 of 1 records acknowledged; stdin not read after line 2)");
  const input = path.join(home, 'sep.txt');
  fs.writeFileSync(input, 'c:3\nd:4\nbad\ne:5\n\nf:6\n');
  assert.equal(oneLineError(await run(['produce', 'opts', '-p', '0', '--key-separator', ':', '--file', input])),
    `error: line 3 has no key separator ':': stopped there (2 of 2 records acknowledged; 2 more lines of '${input}' not read)`);
  const p0 = jsonLines<JsonRecord>(ok(await run(['consume', 'opts', '-B', '-d', '-p', '0', '-O', 'json'])).stdout);
  assert.deepEqual(p0.map((x) => [x.key, x.value]), [['a', '1'], ['c', '3'], ['d', '4']]);
  const help = ok(await run(['produce', '--help'])).stdout.replace(/\s+/g, ' ');
  assert.match(help, /a line that does not fit --key-separator, --key-field or --timestamp-field stops the run there/);
});

test('named consumer resumes from its committed offset; consumer list and delete', async () => {
  ok(await run(['topic', 'create', 'resume']));
  ok(await run(['produce', 'resume'], 'a\nb\nc\n'));
  const first = ok(await run(['consume', 'resume', '-B', '-d', '-c', 'reader'])).stdout;
  assert.equal(first, 'a\nb\nc\n');
  ok(await run(['produce', 'resume'], 'd\ne\n'));
  const second = ok(await run(['consume', 'resume', '-B', '-d', '-c', 'reader'])).stdout;
  assert.equal(second, 'd\ne\n');
  const list = JSON.parse(ok(await run(['consumer', 'list', '-O', 'json'])).stdout) as { consumer: string; topic: string; offset: number }[];
  const mine = list.find((c) => c.consumer === 'reader' && c.topic === 'resume');
  assert.ok(mine);
  assert.equal(mine.offset, 5);
  assert.match(ok(await run(['consumer', 'delete', 'reader', '--topic', 'resume'])).stdout, /deleted for topic "resume"/);
  const after = JSON.parse(ok(await run(['consumer', 'list', '-O', 'json'])).stdout) as { consumer: string }[];
  assert.ok(!after.some((c) => c.consumer === 'reader'));
});

test('consume into a closed pipe ends quietly', async () => {
  // Like `eddy consume bulk -B | head -c 10`: the reader goes away after a few bytes.
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [EDDY_BIN, 'consume', 'bulk', '-B'], { env: { ...process.env, EDDY_HOME: home, HOME: home } });
  let err = '';
  child.stderr.on('data', (b: Buffer) => { err += b; });
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(err, '', 'no error output on a closed pipe');
  assert.equal(code, 0);
});

test('produce interrupted with Ctrl-C says what was acknowledged and where reading stopped', async () => {
  ok(await run(['topic', 'create', 'interrupted']));
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [EDDY_BIN, 'produce', 'interrupted'], { env: { ...process.env, EDDY_HOME: home, HOME: home } });
  let err = '';
  child.stderr.on('data', (b: Buffer) => { err += b; });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.write('one\ntwo\nthree\n');
  // stdin stays open, as a terminal or `tail -f` would; wait until the three are stored.
  for (let i = 0; i < 100; i++) {
    const n = ok(await run(['consume', 'interrupted', '-B', '-d'])).stdout.split('\n').filter((l) => l !== '').length;
    if (n === 3) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGINT');
  assert.equal(await closed, 130);
  assert.equal(err, 'error: interrupted (3 of 3 records acknowledged; stdin not read after line 3)\n');
});

test('smartmodule create, list (metadata only), describe, delete', async () => {
  const wat = `(module (memory (export "memory") 1)
    (func (export "alloc") (param i32) (result i32) i32.const 0)
    (func (export "dealloc") (param i32 i32))
    (func (export "filter") (param i32 i32 i32) (result i32) i32.const 0))`;
  const mod = binaryen.parseText(wat);
  const wasm = Buffer.from(mod.emitBinary());
  mod.dispose();
  const file = path.join(home, 'f.wasm');
  fs.writeFileSync(file, wasm);
  assert.match(ok(await run(['smartmodule', 'create', 'my-filter', '--wasm-file', file, '--description', 'keeps nothing'])).stdout, /smartmodule "my-filter" created/);
  const list = JSON.parse(ok(await run(['smartmodule', 'list', '-O', 'json'])).stdout) as { name: string; spec: Record<string, unknown> }[];
  assert.equal(list.length, 1);
  assert.equal(list[0].name, 'my-filter');
  assert.equal(list[0].spec.sizeBytes, wasm.length);
  assert.equal(list[0].spec.sha256, createHash('sha256').update(wasm).digest('hex'));
  assert.ok(!JSON.stringify(list).includes(wasm.toString('base64')), 'never the payload');
  assert.match(ok(await run(['sm', 'list'])).stdout, /^my-filter\s/m);
  const d = JSON.parse(ok(await run(['smartmodule', 'describe', 'my-filter', '-O', 'json'])).stdout);
  assert.equal(d.spec.description, 'keeps nothing');
  assert.deepEqual(d.spec.exports.includes('filter'), true);
  assert.match(oneLineError(await run(['smartmodule', 'create', 'bad', '--wasm-file', path.join(home, 'config.yaml')])), /not a WebAssembly module/);
  assert.match(oneLineError(await run(['smartmodule', 'create', 'x', '--wasm-file', path.join(home, 'missing.wasm')])), /no such file/);
  assert.match(ok(await run(['smartmodule', 'delete', 'my-filter'])).stdout, /deleted/);
  assert.match(oneLineError(await run(['smartmodule', 'describe', 'my-filter'])), /my-filter/);
  assert.equal(ok(await run(['smartmodule', 'list'])).stdout, 'No smartmodules found\n');
});

test('profiles: add, switch, use, delete', async () => {
  ok(await run(['profile', 'add', 'nowhere', '127.0.0.1:1']));
  const list = JSON.parse(ok(await run(['profile', 'list', '-O', 'json'])).stdout) as { name: string; current: boolean; endpoint: string }[];
  assert.deepEqual(list.map((p) => [p.name, p.current]).sort(), [['local', true], ['nowhere', false]]);
  ok(await run(['profile', 'switch', 'nowhere']));
  assert.match(ok(await run(['profile', 'current'])).stdout, /^nowhere /);
  assert.match(oneLineError(await run(['topic', 'list'])), /cannot reach the cluster at 127\.0\.0\.1:1/);
  ok(await run(['topic', 'list', '--profile', 'local']));
  assert.match(oneLineError(await run(['profile', 'switch', 'missing'])), /unknown profile 'missing'/);
  assert.match(oneLineError(await run(['profile', 'add', 'bad', 'host:notaport'])), /endpoint/);
  ok(await run(['profile', 'switch', 'local']));
  ok(await run(['profile', 'delete', 'nowhere']));
  assert.match(oneLineError(await run(['profile', 'delete', 'nowhere'])), /unknown profile/);
});

test('cluster stop, status when stopped, delete (refuses without a TTY or --force)', async () => {
  const dataDir = JSON.parse(ok(await run(['cluster', 'status', '-O', 'json'])).stdout).dataDir as string;
  assert.match(ok(await run(['cluster', 'stop'])).stdout, /stopped/);
  assert.ok(!fs.existsSync(path.join(home, 'eddy.pid')));
  assert.match(oneLineError(await run(['cluster', 'status'])), /not running/);
  assert.match(oneLineError(await run(['topic', 'list'])), /cannot reach the cluster/);
  // Data survives a stop: a restart serves the same topics.
  ok(await run(['cluster', 'start', '--port', '0', '--metrics-port', '0']));
  const topics = JSON.parse(ok(await run(['topic', 'list', '-O', 'json'])).stdout) as { name: string }[];
  assert.ok(topics.some((t) => t.name === 'bulk'));
  const n = ok(await run(['consume', 'small', '-B', '-d', '--end', '9'])).stdout.split('\n').filter((l) => l !== '').length;
  assert.equal(n, 10);

  assert.match(oneLineError(await run(['cluster', 'delete'])), /--force/);
  assert.ok(fs.existsSync(dataDir));
  assert.match(ok(await run(['cluster', 'delete', '--force'])).stdout, /deleted/);
  assert.ok(!fs.existsSync(dataDir));
  assert.match(oneLineError(await run(['cluster', 'status'])), /not running/);
});
